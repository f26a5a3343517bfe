(* cfold: the same program as cfold.clef. *)
type expr = Var of int | Val of int | Add of expr * expr | Mul of expr * expr

let rec mk_expr n v =
  if n = 0 then (if v = 0 then Var 1 else Val v)
  else Add (mk_expr (n - 1) (v + 1), mk_expr (n - 1) (max (v - 1) 0))

let rec append_add e0 e3 =
  match e0 with Add (e1, e2) -> Add (e1, append_add e2 e3) | _ -> Add (e0, e3)

let rec append_mul e0 e3 =
  match e0 with Mul (e1, e2) -> Mul (e1, append_mul e2 e3) | _ -> Mul (e0, e3)

let rec reassoc e =
  match e with
  | Add (e1, e2) -> let e1' = reassoc e1 in let e2' = reassoc e2 in append_add e1' e2'
  | Mul (e1, e2) -> let e1' = reassoc e1 in let e2' = reassoc e2 in append_mul e1' e2'
  | _ -> e

let rec const_folding e =
  match e with
  | Add (e1, e2) -> (
      let e1' = const_folding e1 in
      let e2' = const_folding e2 in
      match e1', e2' with
      | Val a, Val b -> Val (a + b)
      | Val a, Add (e, Val b) -> Add (Val (a + b), e)
      | Val a, Add (Val b, e) -> Add (Val (a + b), e)
      | _ -> Add (e1', e2'))
  | Mul (e1, e2) -> (
      let e1' = const_folding e1 in
      let e2' = const_folding e2 in
      match e1', e2' with
      | Val a, Val b -> Val (a * b)
      | Val a, Mul (e, Val b) -> Mul (Val (a * b), e)
      | Val a, Mul (Val b, e) -> Mul (Val (a * b), e)
      | _ -> Mul (e1', e2'))
  | _ -> e

let rec eval e =
  match e with
  | Var _ -> 0
  | Val v -> v
  | Add (l, r) -> eval l + eval r
  | Mul (l, r) -> eval l * eval r

let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 20 in
  let e = mk_expr n 1 in
  let v1 = eval e in
  let v2 = eval (const_folding (reassoc e)) in
  Printf.printf "%d, %d\n" v1 v2
