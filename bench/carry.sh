#!/usr/bin/env bash
# Carried state (issue 15): programs whose loops carry a persistent structure from
# round to round, in Clef (-O2) and OCaml (ocamlopt -O3 where flambda, else
# default), side by side: peak RSS and seconds, with the Clef/OCaml ratios, and the
# compactions Clef made (--alloc-stats). Outputs must agree.
#
#   bench/carry.sh          (installs Debian's ocaml-nox with apt-get when ocamlopt is missing)
set -euo pipefail

cd "$(dirname "$0")/.."
out=bench/out/carry
mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "carry: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
if ! command -v ocamlopt >/dev/null; then
  echo "ocamlopt not found: installing ocaml-nox with apt-get..."
  sudo_=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo_=(sudo); fi
  { ${sudo_[@]+"${sudo_[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -q ocaml-nox ||
    { ${sudo_[@]+"${sudo_[@]}"} apt-get update -q && ${sudo_[@]+"${sudo_[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -q ocaml-nox; }; } >"$out/apt.log" 2>&1 || true
  command -v ocamlopt >/dev/null || { echo "carry: could not install OCaml (see $out/apt.log)" >&2; exit 2; }
fi
cargo build --release -q -p composer-driver
composer="$PWD/target/release/composer"

status=0
printf '%-18s %10s %10s %8s %8s %8s %7s %12s\n' program "Clef KB" "OCaml KB" "RSS x" "Clef s" "OCaml s" "time x" compactions
for src in bench/carry/*.clef; do
  name=$(basename "$src" .clef)
  for variant in plain stats; do
    flags=(-O2 -o "$out/$name")
    [ "$variant" = stats ] && flags=(-O2 --alloc-stats -o "$out/$name.stats")
    "$composer" build "$src" "${flags[@]}" >/dev/null 2>"$out/$name.build.log" ||
      { cat "$out/$name.build.log" >&2; exit 1; }
  done
  # ocamlopt writes its objects beside the source: compile a copy in the output folder.
  cp "bench/carry/$name.ml" "$out/$name.ml"
  (cd "$out" && { ocamlopt -O3 -o "$name.ml.exe" "$name.ml" 2>/dev/null \
    || ocamlopt -o "$name.ml.exe" "$name.ml"; })
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
