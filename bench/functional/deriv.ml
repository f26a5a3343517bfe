(* deriv: the same program as deriv.clef. *)
type expr =
  | Val of int
  | Var of string
  | Add of expr * expr
  | Mul of expr * expr
  | Pow of expr * expr
  | Ln of expr

let rec pown a n =
  if n = 0 then 1
  else if n = 1 then a
  else
    let b = pown a (n / 2) in
    b * b * (if n mod 2 = 0 then 1 else a)

let rec add x y =
  match x, y with
  | Val n, Val m -> Val (n + m)
  | Val 0, f -> f
  | f, Val 0 -> f
  | f, Val n -> add (Val n) f
  | Val n, Add (Val m, f) -> add (Val (n + m)) f
  | f, Add (Val n, g) -> add (Val n) (add f g)
  | Add (f, g), h -> add f (add g h)
  | f, g -> Add (f, g)

let rec mul x y =
  match x, y with
  | Val n, Val m -> Val (n * m)
  | Val 0, _ -> Val 0
  | _, Val 0 -> Val 0
  | Val 1, f -> f
  | f, Val 1 -> f
  | f, Val n -> mul (Val n) f
  | Val n, Mul (Val m, f) -> mul (Val (n * m)) f
  | f, Mul (Val n, g) -> mul (Val n) (mul f g)
  | Mul (f, g), h -> mul f (mul g h)
  | f, g -> Mul (f, g)

let pow x y =
  match x, y with
  | Val m, Val n -> Val (pown m n)
  | _, Val 0 -> Val 1
  | f, Val 1 -> f
  | Val 0, _ -> Val 0
  | f, g -> Pow (f, g)

let ln e = match e with Val 1 -> Val 0 | f -> Ln f

let rec d x e =
  match e with
  | Val _ -> Val 0
  | Var y -> if x = y then Val 1 else Val 0
  | Add (f, g) -> add (d x f) (d x g)
  | Mul (f, g) -> add (mul f (d x g)) (mul g (d x f))
  | Pow (f, g) -> mul (pow f g) (add (mul (mul g (d x f)) (pow f (Val (-1)))) (mul (ln f) (d x g)))
  | Ln f -> mul (d x f) (pow f (Val (-1)))

let rec count e =
  match e with
  | Val _ | Var _ -> 1
  | Add (f, g) | Mul (f, g) | Pow (f, g) -> count f + count g
  | Ln f -> count f

let rec nest i e =
  if i = 0 then e
  else begin
    let e' = d "x" e in
    Printf.printf "count: %d\n" (count e');
    nest (i - 1) e'
  end

let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 10 in
  let x = Var "x" in
  let result = nest n (pow x x) in
  Printf.printf "%d\n" (count result)
