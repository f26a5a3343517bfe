#!/usr/bin/env bash
# The functional benchmark suite (bench/functional/SPEC.md): the allocation-heavy
# programs of the Perceus papers (rbtree, rbtree_ck, deriv, nqueens, cfold), binary
# trees without an arena, and the Map loops of issue 15, each written to one spec in
# Clef and OCaml. Builds both, checks that their outputs are identical, then prints
# the median run time and the peak RSS of each with the Clef/OCaml ratios, the
# compactions Clef made (--alloc-stats), and the worst ratio of each kind.
#
# Run `bench/functional.sh --help` for the options.
set -euo pipefail

cd "$(dirname "$0")/.."
out=bench/out/functional
src_dir=bench/functional

all_programs=(rbtree rbtree_ck deriv nqueens cfold binarytrees map_tail_loop map_mutable_loop map_fold)
declare -A full_n=([rbtree]=4200000 [rbtree_ck]=4200000 [deriv]=10 [nqueens]=13 [cfold]=20
  [binarytrees]=21 [map_tail_loop]=3000000 [map_mutable_loop]=3000000 [map_fold]=1000000)
declare -A quick_n=([rbtree]=20000 [rbtree_ck]=20000 [deriv]=5 [nqueens]=7 [cfold]=10
  [binarytrees]=8 [map_tail_loop]=20000 [map_mutable_loop]=20000 [map_fold]=20000)

usage() {
  cat <<'EOF'
usage: bench/functional.sh [--quick] [--runs N] [PROGRAM...]

Builds the functional benchmarks (bench/functional/NAME.{clef,ml}) with composer -O3
and ocamlopt (-O3 where flambda has it), checks that both print the same, then times
them and prints median run time and peak RSS, each with its Clef/OCaml ratio, the
compactions Clef's run made, and the lines `worst time ratio vs OCaml: X.XX` and
`worst RSS ratio vs OCaml: Y.YY`.

  PROGRAM       rbtree, rbtree_ck, deriv, nqueens, cfold, binarytrees,
                map_tail_loop, map_mutable_loop, map_fold (default: all)
  --quick       small sizes, check the outputs only: no timing, no table
  --runs N      timed runs of each program (default 3; the full suite takes about
                ten minutes on a 2-core machine)
  -h, --help    this text

Both languages run with the stack limit raised to the hard limit (cfold recurses
as deep as its expression, 2^20 for OCaml and Clef alike). If ocamlopt is missing,
ocaml-nox is installed with apt-get. Output goes to bench/out/functional/ (the
table also to results.md).
EOF
}

usage_error() {
  echo "functional: $1" >&2
  usage >&2
  exit 2
}

quick=0
runs=3
programs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --quick) quick=1 ;;
    --runs)
      [ $# -ge 2 ] || usage_error "--runs needs a number"
      [[ "$2" =~ ^[1-9][0-9]*$ ]] || usage_error "--runs needs a positive number, not '$2'"
      runs=$2
      shift
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      [ -n "${full_n[$1]+x}" ] || usage_error "unknown program '$1'"
      programs+=("$1")
      ;;
  esac
  shift
done
[ ${#programs[@]} -gt 0 ] || programs=("${all_programs[@]}")

mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "functional: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
if ! command -v ocamlopt >/dev/null; then
  echo "ocamlopt not found: installing ocaml-nox with apt-get..."
  sudo_=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo_=(sudo); fi
  { ${sudo_[@]+"${sudo_[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -q ocaml-nox ||
    { ${sudo_[@]+"${sudo_[@]}"} apt-get update -q &&
      ${sudo_[@]+"${sudo_[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -q ocaml-nox; }; } \
    >"$out/apt.log" 2>&1 || true
  command -v ocamlopt >/dev/null || { echo "functional: could not install OCaml (see $out/apt.log)" >&2; exit 2; }
fi
ulimit -s "$(ulimit -H -s)" 2>/dev/null || true
cargo build --release -q -p composer-driver
composer="$PWD/target/release/composer"

size_of() { if [ "$quick" = 1 ]; then echo "${quick_n[$1]}"; else echo "${full_n[$1]}"; fi; }

# Builds NAME's Clef (plain and with --alloc-stats) and OCaml executables.
build() {
  local name=$1
  "$composer" build "$src_dir/$name.clef" -O3 -o "$out/$name" >/dev/null 2>"$out/$name.build.log" ||
    { cat "$out/$name.build.log" >&2; return 1; }
  "$composer" build "$src_dir/$name.clef" -O3 --alloc-stats -o "$out/$name.stats" >/dev/null \
    2>"$out/$name.build.log" || { cat "$out/$name.build.log" >&2; return 1; }
  # ocamlopt writes its objects beside the source: compile a copy in the output folder.
  cp "$src_dir/$name.ml" "$out/$name.ml"
  (cd "$out" && { ocamlopt -O3 -o "$name.ml.exe" "$name.ml" 2>/dev/null ||
    ocamlopt -o "$name.ml.exe" "$name.ml"; }) >"$out/$name.ml.build.log" 2>&1 ||
    { cat "$out/$name.ml.build.log" >&2; return 1; }
}

status=0
echo "checking the outputs ($([ "$quick" = 1 ] && echo "quick" || echo "full") sizes)..."
for name in "${programs[@]}"; do
  build "$name" || { echo "functional: $name does not build" >&2; status=1; continue; }
  n=$(size_of "$name")
  if ! "$out/$name" "$n" >"$out/$name.stdout" 2>"$out/$name.stderr"; then
    echo "functional: $name (Clef) failed:" >&2
    tail -5 "$out/$name.stderr" >&2
    status=1
    continue
  fi
  if ! "$out/$name.ml.exe" "$n" >"$out/$name.ml.stdout" 2>"$out/$name.ml.stderr"; then
    echo "functional: $name (OCaml) failed:" >&2
    tail -5 "$out/$name.ml.stderr" >&2
    status=1
    continue
  fi
  if ! cmp -s "$out/$name.stdout" "$out/$name.ml.stdout"; then
    echo "functional: $name: Clef and OCaml print different results:" >&2
    diff "$out/$name.stdout" "$out/$name.ml.stdout" | head -10 >&2
    status=1
    continue
  fi
  "$out/$name.stats" "$n" >/dev/null 2>"$out/$name.stats.stderr" || status=1
  echo "  $name $n: same output ($(wc -l <"$out/$name.stdout") lines)"
done
[ "$status" = 0 ] || exit "$status"
if [ "$quick" = 1 ]; then
  echo "worst time ratio vs OCaml: n/a (quick run: outputs only)"
  exit 0
fi

# Median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One timed run: appends "seconds peak_kb" to FILE.
timed() {
  local file=$1
  shift
  /usr/bin/time -f '%e %M' -o "$out/time.tmp" "$@" >/dev/null
  cat "$out/time.tmp" >>"$file"
}

table="$out/results.md"
{
  echo "| program | Clef s | OCaml s | time x | Clef MB | OCaml MB | RSS x | compactions (major) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$table"
worst_time=0
worst_rss=0
for name in "${programs[@]}"; do
  n=$(size_of "$name")
  : >"$out/$name.times"
  : >"$out/$name.ml.times"
  # Alternate the two, so that machine noise falls on both alike.
  for _ in $(seq "$runs"); do
    timed "$out/$name.times" "$out/$name" "$n"
    timed "$out/$name.ml.times" "$out/$name.ml.exe" "$n"
  done
  secs=$(cut -d' ' -f1 "$out/$name.times" | median)
  ml_secs=$(cut -d' ' -f1 "$out/$name.ml.times" | median)
  kb=$(cut -d' ' -f2 "$out/$name.times" | sort -g | tail -1)
  ml_kb=$(cut -d' ' -f2 "$out/$name.ml.times" | sort -g | tail -1)
  time_x=$(awk "BEGIN { printf \"%.2f\", $secs / ($ml_secs > 0.005 ? $ml_secs : 0.005) }")
  rss_x=$(awk "BEGIN { printf \"%.2f\", $kb / $ml_kb }")
  compactions=$(sed -n 's/.* compactions=\([0-9]*\) .*majors=\([0-9]*\).*/\1 (\2)/p' "$out/$name.stats.stderr")
  printf '| %s | %.2f | %.2f | %s | %.1f | %.1f | %s | %s |\n' "$name" "$secs" "$ml_secs" "$time_x" \
    "$(awk "BEGIN { print $kb / 1024 }")" "$(awk "BEGIN { print $ml_kb / 1024 }")" "$rss_x" \
    "${compactions:-0}" >>"$table"
  worst_time=$(awk "BEGIN { print ($time_x > $worst_time) ? $time_x : $worst_time }")
  worst_rss=$(awk "BEGIN { print ($rss_x > $worst_rss) ? $rss_x : $worst_rss }")
done
{
  echo
  echo "worst time ratio vs OCaml: $worst_time"
  echo "worst RSS ratio vs OCaml: $worst_rss"
} >>"$table"
cat "$table"
