(* fannkuch: pancake flips over all permutations of 0..N-1 (see SPEC.md). *)

let fannkuch n =
  let perm1 = Array.init n (fun i -> i) in
  let perm = Array.make n 0 in
  let count = Array.init n (fun i -> i + 1) in
  let checksum = ref 0 and max_flips = ref 0 in
  let index = ref 0 in
  let fin = ref false in
  while not !fin do
    (* count the flips of this permutation, on a copy *)
    Array.blit perm1 0 perm 0 n;
    let flips = ref 0 in
    let k = ref perm.(0) in
    while !k <> 0 do
      let lo = ref 0 and hi = ref !k in
      while !lo < !hi do
        let t = perm.(!lo) in
        perm.(!lo) <- perm.(!hi);
        perm.(!hi) <- t;
        incr lo;
        decr hi
      done;
      incr flips;
      k := perm.(0)
    done;
    if !flips > !max_flips then max_flips := !flips;
    if !index land 1 = 0 then checksum := !checksum + !flips
    else checksum := !checksum - !flips;
    (* the next permutation *)
    let r = ref 1 in
    let stop = ref false in
    while not !stop do
      if !r = n then begin
        fin := true;
        stop := true
      end else begin
        let perm0 = perm1.(0) in
        for i = 0 to !r - 1 do
          perm1.(i) <- perm1.(i + 1)
        done;
        perm1.(!r) <- perm0;
        count.(!r) <- count.(!r) - 1;
        if count.(!r) > 0 then stop := true
        else begin
          count.(!r) <- !r + 1;
          incr r
        end
      end
    done;
    incr index
  done;
  (!checksum, !max_flips)

let () =
  let n = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 12 in
  let checksum, max_flips = fannkuch n in
  Printf.printf "%d\nPfannkuchen(%d) = %d\n" checksum n max_flips
