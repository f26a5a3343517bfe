#!/usr/bin/env bash
# Memory benchmark (issue 5): peak RSS of programs whose garbage must be released
# as they run. Each bench/memory/NAME.clef is built with -O2 and run under
# /usr/bin/time; the table gives peak RSS, the alloc-stats totals and the limit.
#
#   bench/memory.sh [LIMIT_MB]      (default 40: fails when a program exceeds it)
set -euo pipefail

cd "$(dirname "$0")/.."
limit_mb="${1:-40}"
out=bench/out/memory
mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "memory: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
cargo build --release -q -p composer-driver
composer="$PWD/target/release/composer"

status=0
printf '%-16s %12s %14s %16s %12s\n' program "peak RSS KB" "seconds" "total_bytes" "peak_bytes"
for src in bench/memory/*.clef; do
  name=$(basename "$src" .clef)
  "$composer" build "$src" -O2 --alloc-stats -o "$out/$name" >/dev/null
  /usr/bin/time -f '%M %e' -o "$out/$name.time" "$out/$name" >"$out/$name.stdout" 2>"$out/$name.stderr"
  read -r rss secs <"$out/$name.time"
  stats=$(tail -n 1 "$out/$name.stderr")
  total=$(sed -n 's/.*total_bytes=\([0-9]*\).*/\1/p' <<<"$stats")
  peak=$(sed -n 's/.*peak_bytes=\([0-9]*\).*/\1/p' <<<"$stats")
  printf '%-16s %12s %14s %16s %12s\n' "$name" "$rss" "$secs" "$total" "$peak"
  if [ "$rss" -gt $((limit_mb * 1024)) ]; then
    echo "memory: $name peaked at $rss KB, over the $limit_mb MB limit" >&2
    status=1
  fi
done
exit $status
