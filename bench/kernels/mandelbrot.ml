(* mandelbrot: the Mandelbrot set as a PBM bitmap (see SPEC.md). *)

let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 16000 in
  set_binary_mode_out stdout true;
  Printf.printf "P4\n%d %d\n" n n;
  let row_bytes = (n + 7) / 8 in
  let row = Bytes.create row_bytes in
  let fn = float_of_int n in
  for y = 0 to n - 1 do
    let ci = 2.0 *. float_of_int y /. fn -. 1.0 in
    let bits = ref 0 in
    for x = 0 to n - 1 do
      let cr = 2.0 *. float_of_int x /. fn -. 1.5 in
      let zr = ref 0.0 and zi = ref 0.0 and tr = ref 0.0 and ti = ref 0.0 in
      let i = ref 0 in
      while !i < 50 && !tr +. !ti <= 4.0 do
        zi := 2.0 *. !zr *. !zi +. ci;
        zr := !tr -. !ti +. cr;
        tr := !zr *. !zr;
        ti := !zi *. !zi;
        incr i
      done;
      bits := (!bits lsl 1) lor (if !tr +. !ti <= 4.0 then 1 else 0);
      if x land 7 = 7 then begin
        Bytes.set row (x lsr 3) (Char.unsafe_chr !bits);
        bits := 0
      end else if x = n - 1 then
        Bytes.set row (x lsr 3) (Char.unsafe_chr (!bits lsl (7 - (x land 7))))
    done;
    output_bytes stdout row
  done
