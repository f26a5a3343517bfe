module M = Map.Make (Int)
let () =
  let m = List.fold_left (fun m i -> M.add (i mod 50) i m) M.empty (List.init 1000000 (fun i -> i + 1)) in
  Printf.printf "%d %d\n" (M.cardinal m) (M.find 7 m)
