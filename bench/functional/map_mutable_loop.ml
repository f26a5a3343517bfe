(* map_mutable_loop: the same program as map_mutable_loop.clef. *)
module M = Map.Make (Int)
let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 3000000 in
  let m = ref M.empty in
  for i = 1 to n do
    m := M.add (i mod 100) i !m
  done;
  Printf.printf "%d %d\n" (M.cardinal !m) (M.find 7 !m)
