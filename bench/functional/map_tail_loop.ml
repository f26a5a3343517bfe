(* map_tail_loop: the same program as map_tail_loop.clef. *)
module M = Map.Make (Int)
let rec loop i m = if i = 0 then m else loop (i - 1) (M.add (i mod 100) i m)
let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 3000000 in
  let m = loop n M.empty in
  Printf.printf "%d %d\n" (M.cardinal m) (M.find 7 m)
