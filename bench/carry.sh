#!/usr/bin/env bash
# Carried state (issue 15): programs whose loops carry a persistent structure from
# round to round, in Clef (-O2) and OCaml (ocamlopt -O3 where flambda, else
# default), side by side: peak RSS and seconds, with the Clef/OCaml ratios, and the
# compactions Clef made (--alloc-stats). Outputs must agree.
#
#   bench/carry.sh          (OCaml from Debian's ocaml-nox, installed by scripts/setup.sh --bench)
set -euo pipefail

cd "$(dirname "$0")/.."
out=bench/out/carry
mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "carry: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
command -v ocamlopt >/dev/null || { echo "carry: ocamlopt is missing (apt-get install ocaml-nox)" >&2; exit 2; }
cargo build --release -q -p composer-driver
composer="$PWD/target/release/composer"

status=0
printf '%-18s %10s %10s %8s %8s %8s %7s %12s\n' program "Clef KB" "OCaml KB" "RSS x" "Clef s" "OCaml s" "time x" compactions
for src in bench/carry/*.clef; do
  name=$(basename "$src" .clef)
  "$composer" build "$src" -O2 -o "$out/$name" >/dev/null
  "$composer" build "$src" -O2 --alloc-stats -o "$out/$name.stats" >/dev/null
  ocamlopt -O3 -o "$out/$name.ml.exe" "bench/carry/$name.ml" 2>/dev/null \
    || ocamlopt -o "$out/$name.ml.exe" "bench/carry/$name.ml"
  /usr/bin/time -f '%M %e' -o "$out/$name.time" "$out/$name" >"$out/$name.stdout"
  /usr/bin/time -f '%M %e' -o "$out/$name.ml.time" "$out/$name.ml.exe" >"$out/$name.ml.stdout"
  "$out/$name.stats" >/dev/null 2>"$out/$name.stderr"
  if ! cmp -s "$out/$name.stdout" "$out/$name.ml.stdout"; then
    echo "carry: $name: Clef and OCaml print different results" >&2
    status=1
  fi
  read -r rss secs <"$out/$name.time"
  read -r ml_rss ml_secs <"$out/$name.ml.time"
  compactions=$(sed -n 's/.*compactions=\([0-9]*\).*/\1/p' "$out/$name.stderr")
  printf '%-18s %10s %10s %8.2f %8s %8s %7.2f %12s\n' "$name" "$rss" "$ml_rss" \
    "$(awk "BEGIN { print $rss / $ml_rss }")" "$secs" "$ml_secs" \
    "$(awk "BEGIN { print $secs / ($ml_secs + 0.001) }")" "$compactions"
done
exit $status
