(* spectral_norm: the largest singular value of the infinite matrix A (see SPEC.md). *)

let[@inline] a i j = 1.0 /. float_of_int (((i + j) * (i + j + 1) / 2) + i + 1)

(* av u dst: dst_i = sum_j A(i,j) u_j *)
let av u dst =
  let n = Array.length u in
  for i = 0 to n - 1 do
    let sum = ref 0.0 in
    for j = 0 to n - 1 do
      sum := !sum +. a i j *. u.(j)
    done;
    dst.(i) <- !sum
  done

(* atv u dst: dst_i = sum_j A(j,i) u_j *)
let atv u dst =
  let n = Array.length u in
  for i = 0 to n - 1 do
    let sum = ref 0.0 in
    for j = 0 to n - 1 do
      sum := !sum +. a j i *. u.(j)
    done;
    dst.(i) <- !sum
  done

let atav u dst tmp =
  av u tmp;
  atv tmp dst

let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 5500 in
  let u = Array.make n 1.0 and v = Array.make n 0.0 and tmp = Array.make n 0.0 in
  for _ = 1 to 10 do
    atav u v tmp;
    atav v u tmp
  done;
  let vbv = ref 0.0 and vv = ref 0.0 in
  for i = 0 to n - 1 do
    vbv := !vbv +. u.(i) *. v.(i);
    vv := !vv +. v.(i) *. v.(i)
  done;
  Printf.printf "%.9f\n" (sqrt (!vbv /. !vv))
