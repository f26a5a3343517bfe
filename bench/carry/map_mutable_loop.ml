module M = Map.Make (Int)
let () =
  let m = ref M.empty in
  for i = 1 to 3000000 do
    m := M.add (i mod 100) i !m
  done;
  Printf.printf "%d %d\n" (M.cardinal !m) (M.find 7 !m)
