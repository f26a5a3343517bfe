(* map_fold: the same program as map_fold.clef. *)
module M = Map.Make (Int)
let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 1000000 in
  let m = List.fold_left (fun m i -> M.add (i mod 50) i m) M.empty (List.init n (fun i -> i + 1)) in
  Printf.printf "%d %d\n" (M.cardinal m) (M.find 7 m)
