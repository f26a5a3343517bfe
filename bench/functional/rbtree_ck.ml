(* rbtree-ck: the same program as rbtree_ck.clef. *)
type color = Red | Black
type tree = Leaf | Node of color * tree * int * bool * tree

let balance_left l k v r =
  match l with
  | Node (Red, Node (Red, a, x, vx, b), y, vy, c) -> Node (Red, Node (Black, a, x, vx, b), y, vy, Node (Black, c, k, v, r))
  | Node (Red, a, x, vx, Node (Red, b, y, vy, c)) -> Node (Red, Node (Black, a, x, vx, b), y, vy, Node (Black, c, k, v, r))
  | _ -> Node (Black, l, k, v, r)

let balance_right l k v r =
  match r with
  | Node (Red, Node (Red, b, y, vy, c), z, vz, d) -> Node (Red, Node (Black, l, k, v, b), y, vy, Node (Black, c, z, vz, d))
  | Node (Red, b, y, vy, Node (Red, c, z, vz, d)) -> Node (Red, Node (Black, l, k, v, b), y, vy, Node (Black, c, z, vz, d))
  | _ -> Node (Black, l, k, v, r)

let rec ins t k v =
  match t with
  | Leaf -> Node (Red, Leaf, k, v, Leaf)
  | Node (Red, l, kx, vx, r) ->
      if k < kx then Node (Red, ins l k v, kx, vx, r)
      else if k > kx then Node (Red, l, kx, vx, ins r k v)
      else Node (Red, l, k, v, r)
  | Node (Black, l, kx, vx, r) ->
      if k < kx then balance_left (ins l k v) kx vx r
      else if k > kx then balance_right l kx vx (ins r k v)
      else Node (Black, l, k, v, r)

let insert t k v =
  match ins t k v with
  | Node (Red, l, kx, vx, r) -> Node (Black, l, kx, vx, r)
  | t -> t

let rec count t acc =
  match t with
  | Leaf -> acc
  | Node (_, l, _, v, r) -> count r (count l (if v then acc + 1 else acc))

let rec build freq i t acc =
  if i = 0 then t :: acc
  else
    let t' = insert t (i - 1) ((i - 1) mod 10 = 0) in
    build freq (i - 1) t' (if i mod freq = 0 then t' :: acc else acc)

let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 4200000 in
  match build 5 n Leaf [] with
  | last :: kept -> Printf.printf "%d %d\n" (count last 0) (List.length kept)
  | [] -> print_endline "none"
