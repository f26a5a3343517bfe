(* binary_trees: allocate and walk many complete binary trees (see SPEC.md).
   Nodes are ordinary GC-allocated values; the minor heap is enlarged to 8M words
   (64 MB), the usual tuning for an allocation-bound OCaml program: most trees then die
   young without being promoted (about twice as fast, about 1.5x the peak RSS). *)

type tree = Empty | Node of tree * tree

let rec make d =
  if d = 0 then Node (Empty, Empty) else Node (make (d - 1), make (d - 1))

let rec check = function
  | Empty -> 0
  | Node (l, r) -> 1 + check l + check r

let () =
  Gc.set { (Gc.get ()) with Gc.minor_heap_size = 8 * 1024 * 1024 };
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 21 in
  let min_depth = 4 in
  let max_depth = max (min_depth + 2) n in
  let stretch = max_depth + 1 in
  Printf.printf "stretch tree of depth %d\t check: %d\n" stretch (check (make stretch));
  let long_lived = make max_depth in
  let d = ref min_depth in
  while !d <= max_depth do
    let iterations = 1 lsl (max_depth - !d + min_depth) in
    let sum = ref 0 in
    for _ = 1 to iterations do
      sum := !sum + check (make !d)
    done;
    Printf.printf "%d\t trees of depth %d\t check: %d\n" iterations !d !sum;
    d := !d + 2
  done;
  Printf.printf "long lived tree of depth %d\t check: %d\n" max_depth (check long_lived)
