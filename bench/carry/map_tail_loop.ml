module M = Map.Make (Int)
let rec loop i m = if i = 0 then m else loop (i - 1) (M.add (i mod 100) i m)
let () =
  let m = loop 3000000 M.empty in
  Printf.printf "%d %d\n" (M.cardinal m) (M.find 7 m)
