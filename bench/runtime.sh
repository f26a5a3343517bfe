#!/usr/bin/env bash
# Run-time benchmark: each program in bench/programs/ as Clef (composer -O3) and as C
# (cc -O2), outputs checked equal, then the median wall time of several runs and the
# peak memory of one, side by side, with Clef/C ratios.
#
#   bench/runtime.sh [RUNS]      (default 5)
#
# Needs a C compiler (`cc`); peak memory needs GNU time (/usr/bin/time), else "n/a".
# Output goes to bench/out/runtime/ (ignored by git).
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${1:-5}"
out=bench/out/runtime
mkdir -p "$out"

if ! command -v cc >/dev/null; then
  echo "runtime: no C compiler (cc) to compare with" >&2
  exit 2
fi
echo "building composer (release)..."
cargo build --release -q -p composer-driver
composer="$PWD/target/release/composer"

now_ns() { date +%s%N; }

# median_ms RUNS EXE: the median wall time of running EXE (output discarded).
median_ms() {
  local n="$1" exe="$2" times=()
  for ((k = 0; k < n; k++)); do
    local t0 t1
    t0=$(now_ns)
    "$exe" >/dev/null
    t1=$(now_ns)
    times+=($(((t1 - t0) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((n + 1) / 2))p"
}

# peak_kb EXE: maximum resident set size in KiB, or n/a.
peak_kb() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' "$1" 2>&1 >/dev/null | tail -1
  else
    echo n/a
  fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

printf '%-8s %10s %10s %7s %12s %12s %7s\n' program "clef ms" "C ms" ratio "clef KiB" "C KiB" ratio
for src in bench/programs/*.clef; do
  name=$(basename "$src" .clef)
  "$composer" build -O3 "$src" -o "$out/$name.clef.bin" >/dev/null
  cc -O2 -o "$out/$name.c.bin" "bench/programs/$name.c"
  if ! diff <("$out/$name.clef.bin") <("$out/$name.c.bin") >/dev/null; then
    echo "runtime: $name: the Clef and C programs print different results" >&2
    exit 1
  fi
  clef_ms=$(median_ms "$runs" "$out/$name.clef.bin")
  c_ms=$(median_ms "$runs" "$out/$name.c.bin")
  clef_kb=$(peak_kb "$out/$name.clef.bin")
  c_kb=$(peak_kb "$out/$name.c.bin")
  mem_ratio=n/a
  if [ "$clef_kb" != n/a ]; then mem_ratio=$(ratio "$clef_kb" "$c_kb"); fi
  printf '%-8s %10s %10s %7s %12s %12s %7s\n' "$name" "$clef_ms" "$c_ms" \
    "$(ratio "$clef_ms" "$c_ms")" "$clef_kb" "$c_kb" "$mem_ratio"
done
