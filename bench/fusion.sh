#!/usr/bin/env bash
# Fusion benchmark (issue: pipelines cost what the loop costs). Each pipeline in
# bench/fusion/NAME.clef is compared with the same computation written as a while
# loop in Clef (NAME.loop.clef) and in C (NAME.c, cc -O2); outputs are checked
# equal, then the median wall time of RUNS runs of each, alternating, is printed
# with the ratios pipeline/loop and pipeline/C, and the pipeline's allocations.
#
#   bench/fusion.sh [RUNS]      (default 5)
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${1:-5}"
out=bench/out/fusion
mkdir -p "$out"
command -v cc >/dev/null || { echo "fusion: no C compiler (cc)" >&2; exit 2; }
cargo build --release -q -p composer-driver
composer="$PWD/target/release/composer"

now_ns() { date +%s%N; }
time_ms() {
  local t0 t1
  t0=$(now_ns)
  "$1" >/dev/null
  t1=$(now_ns)
  echo $(((t1 - t0) / 1000000))
}
median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

printf '%-16s %10s %10s %10s %12s %10s %s\n' pipeline "fused ms" "loop ms" "C ms" "fused/loop" "fused/C" "fused allocations"
for src in bench/fusion/*.clef; do
  case "$src" in *.loop.clef) continue ;; esac
  name=$(basename "$src" .clef)
  "$composer" build "$src" -O3 -o "$out/$name" >/dev/null
  "$composer" build "bench/fusion/$name.loop.clef" -O3 -o "$out/$name.loop" >/dev/null
  "$composer" build "$src" -O3 --alloc-stats -o "$out/$name.stats" >/dev/null
  cc -O2 -o "$out/$name.c" "bench/fusion/$name.c"
  expected=$("$out/$name.c")
  for exe in "$out/$name" "$out/$name.loop"; do
    got=$("$exe")
    [ "$got" = "$expected" ] || { echo "fusion: $exe printed '$got', C printed '$expected'" >&2; exit 1; }
  done
  fused=() loop=() c=()
  for ((k = 0; k < runs; k++)); do
    fused+=("$(time_ms "$out/$name")")
    loop+=("$(time_ms "$out/$name.loop")")
    c+=("$(time_ms "$out/$name.c")")
  done
  f=$(printf '%s\n' "${fused[@]}" | median)
  l=$(printf '%s\n' "${loop[@]}" | median)
  cm=$(printf '%s\n' "${c[@]}" | median)
  stats=$("$out/$name.stats" 2>&1 >/dev/null | sed -n 's/^alloc-stats: //p')
  printf '%-16s %10s %10s %10s %12s %10s %s\n' "$name" "$f" "$l" "$cm" \
    "$(awk "BEGIN{printf \"%.2f\", $f/($l>0?$l:1)}")" "$(awk "BEGIN{printf \"%.2f\", $f/($cm>0?$cm:1)}")" "$stats"
done
