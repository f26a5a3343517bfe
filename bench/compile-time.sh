#!/usr/bin/env bash
# Compile-time benchmark: how long `composer build` takes.
#   1. samples/hello.clef, several runs: median wall time, and the per-stage
#      breakdown of one run (CLEF_TIMINGS=1).
#   2. a generated 5,000-line program of small functions (ints, strings, if, while,
#      for, printfn): median wall time, then the program is run once as a check.
#
#   bench/compile-time.sh [RUNS]      (default 7 runs for hello, 3 for the big one)
#
# Output goes to bench/out/ (ignored by git).
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${1:-7}"
out=bench/out
mkdir -p "$out"

echo "building composer (release)..."
cargo build --release -q -p composer-driver
composer="$PWD/target/release/composer"
if ! "$composer" doctor >"$out/doctor.txt" 2>&1; then
  cat "$out/doctor.txt"
  echo "compile-time: the toolchain is not usable; run scripts/setup.sh" >&2
  exit 2
fi

now_ns() { date +%s%N; }

# median_ms RUNS -- COMMAND...: runs COMMAND RUNS times, prints the median wall time.
median_ms() {
  local n="$1"
  shift 2
  local times=() i start end
  for ((i = 0; i < n; i++)); do
    start=$(now_ns)
    if ! "$@" >"$out/last.stdout" 2>"$out/last.stderr"; then
      echo "compile-time: \`$*\` failed:" >&2
      cat "$out/last.stderr" >&2
      echo "compile-time: (this benchmark needs the front end to compile the program)" >&2
      exit 1
    fi
    end=$(now_ns)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((n + 1) / 2))p"
}

echo
echo "== samples/hello.clef ($runs runs)"
hello_ms=$(median_ms "$runs" -- "$composer" build samples/hello.clef -o "$out/hello")
echo "median: ${hello_ms} ms"
echo "stages of one build (CLEF_TIMINGS=1):"
CLEF_TIMINGS=1 "$composer" build samples/hello.clef -o "$out/hello" 2>&1 | sed 's/^/  /'
echo "size of hello: $(stat -c %s "$out/hello") bytes"

# A program of many small functions (about 5,000 lines), only core constructs.
bench/gen-program.sh 217 >"$out/big.clef"
lines=$(wc -l <"$out/big.clef")

big_runs=3
echo
echo "== generated program: $lines lines ($big_runs runs)"
big_ms=$(median_ms "$big_runs" -- "$composer" build "$out/big.clef" -o "$out/big")
echo "median: ${big_ms} ms ($((lines * 1000 / (big_ms > 0 ? big_ms : 1))) lines/s)"
echo "stages of one build (CLEF_TIMINGS=1):"
CLEF_TIMINGS=1 "$composer" build "$out/big.clef" -o "$out/big" 2>&1 | sed 's/^/  /'
echo "size of big: $(stat -c %s "$out/big") bytes"
if ! "$out/big" >"$out/big.stdout"; then
  echo "compile-time: the generated program failed when run" >&2
  exit 1
fi
echo "the generated program ran and printed $(wc -l <"$out/big.stdout") lines"

echo
echo "summary: hello ${hello_ms} ms; ${lines}-line program ${big_ms} ms"
