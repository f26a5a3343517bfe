#!/usr/bin/env bash
# The async benchmarks (issue 16), side by side in one run, as ratios:
#
#   suspend    suspend + resume through a 3-deep chain of awaits whose leaf is pending
#              once (bench/async/suspend.{clef,rs}); Rust polls its `async fn` chain
#              with a no-op waker. ns per round, and bytes allocated per await.
#   http       samples/http_hello.clef against a tokio current-thread server written
#              to the same spec (bench/async/tokio_http), each under wrk on loopback
#              (1 thread, 100 connections, keep-alive): requests/s, p99 latency, peak RSS.
#   sleepers   100,000 concurrent asyncs sleeping 1 s (bench/async/sleepers.clef):
#              peak RSS per waiting async, against a run with one.
#
# Run `bench/async.sh --help` for the options.
set -euo pipefail

cd "$(dirname "$0")/.."
out=bench/out/async
src=bench/async

usage() {
  cat <<'EOF'
usage: bench/async.sh [--quick] [--duration SECONDS] [BENCH...]

Builds the async benchmarks with composer -O3 and their peers (rustc -O for the
suspend chain, cargo --release for the tokio server: tokio comes from crates.io),
checks that their outputs agree, then measures and prints a table of Clef, peer and
the Clef/peer ratio for each figure.

  BENCH             suspend, http, sleepers (default: all)
  --quick           small sizes and outputs only: no timing, no wrk, no tokio build
  --duration S      seconds of wrk per server (default 10)
  -h, --help        this text

wrk is installed with apt-get if missing. Output goes to bench/out/async/ (the table
also to results.md).
EOF
}

usage_error() {
  echo "async: $1" >&2
  usage >&2
  exit 2
}

quick=0
duration=10
benches=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --quick) quick=1 ;;
    --duration)
      [ $# -ge 2 ] || usage_error "--duration needs a number of seconds"
      [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || usage_error "--duration needs a positive number, not '$2'"
      duration=$2
      shift
      ;;
    suspend | http | sleepers) benches+=("$1") ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
  shift
done
[ ${#benches[@]} -gt 0 ] || benches=(suspend http sleepers)

mkdir -p "$out"
[ -x /usr/bin/time ] || { echo "async: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
cargo build --release -q -p composer-driver
composer="$PWD/target/release/composer"

apt_install() {
  local sudo_=()
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo_=(sudo); fi
  { ${sudo_[@]+"${sudo_[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" ||
    { ${sudo_[@]+"${sudo_[@]}"} apt-get update -q &&
      ${sudo_[@]+"${sudo_[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; }; } \
    >"$out/apt.log" 2>&1 || true
}

clef_build() { # SRC OUT [FLAGS...]
  local src_file=$1 exe=$2
  shift 2
  "$composer" build "$src_file" -O3 "$@" -o "$exe" >/dev/null 2>"$exe.build.log" ||
    { cat "$exe.build.log" >&2; return 1; }
}

rows=()
row() { rows+=("$(printf '| %-34s | %12s | %12s | %7s |' "$1" "$2" "$3" "$4")"); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
field() { awk -v k="$1" '$1 == k { print $2 }'; }

status=0

bench_suspend() {
  local n=10000000
  [ "$quick" = 1 ] && n=10000
  clef_build "$src/suspend.clef" "$out/suspend"
  clef_build "$src/suspend.clef" "$out/suspend.stats" --alloc-stats
  rustc --edition 2021 -O -C codegen-units=1 "$src/suspend.rs" -o "$out/suspend.rs.exe" 2>"$out/suspend.rs.log" ||
    { cat "$out/suspend.rs.log" >&2; return 1; }
  local clef rust
  clef=$("$out/suspend" "$n")
  rust=$("$out/suspend.rs.exe" "$n")
  if [ "$(echo "$clef" | field rounds)" != "$(echo "$rust" | field rounds)" ]; then
    echo "async: suspend: the outputs differ" >&2
    return 1
  fi
  "$out/suspend.stats" "$n" >/dev/null 2>"$out/suspend.stats.err"
  local bytes per_await
  bytes=$(sed -n 's/.*total_bytes=\([0-9]*\).*/\1/p' "$out/suspend.stats.err")
  # Three awaits per round (top, mid, leaf).
  per_await=$(awk -v b="$bytes" -v n="$n" 'BEGIN { printf "%.4f", b / (3 * n) }')
  echo "suspend: bytes allocated per await $per_await ($bytes in all for $n rounds)"
  [ "$quick" = 1 ] && return 0
  local c r
  c=$(echo "$clef" | field ns/round)
  r=$(echo "$rust" | field ns/round)
  row "suspend+resume, ns/round (Rust)" "$c" "$r" "$(ratio "$c" "$r")"
  row "bytes allocated per await" "$per_await" "0" "-"
}

# Starts SERVER ARGS... in the background; waits for its "listening" line.
start_server() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q listening "$log" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "async: $1 did not start (see $log)" >&2
  kill "$server_pid" 2>/dev/null || true
  return 1
}

# wrk against 127.0.0.1:PORT; prints "rps p99_ms".
load() {
  local port=$1 log=$2
  wrk -t1 -c100 -d"${duration}s" --latency "http://127.0.0.1:$port/" >"$log" 2>&1
  local rps p99
  rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$log")
  p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' "$log")
  echo "$rps $p99"
}

peak_rss_kb() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"; }

bench_http() {
  clef_build samples/http_hello.clef "$out/http_hello"
  if [ "$quick" = 1 ]; then
    # Outputs only: the server starts, answers one request, and exits.
    local port=$((20000 + RANDOM % 20000))
    start_server "$out/http_hello.log" "$out/http_hello" "$port" 1
    local answer
    # bash's /dev/tcp: no client program needed.
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n' >&3
    answer=$(timeout 10 head -c 78 <&3 | tail -c 13)
    exec 3<&-
    wait "$server_pid" || true
    [ "$answer" = "Hello, world!" ] || { echo "async: http: the server answered '$answer'" >&2; return 1; }
    echo "http: the server answers"
    return 0
  fi
  command -v wrk >/dev/null || { echo "wrk not found: installing it with apt-get..."; apt_install wrk; }
  command -v wrk >/dev/null || { echo "async: could not install wrk (see $out/apt.log)" >&2; return 1; }
  (cd "$src/tokio_http" && cargo build --release -q --target-dir "$PWD/../../out/async/tokio-target") \
    >"$out/tokio.build.log" 2>&1 || { cat "$out/tokio.build.log" >&2; return 1; }
  local tokio="$out/tokio-target/release/tokio_http"
  local port=$((20000 + RANDOM % 20000)) clef_res tokio_res clef_rss tokio_rss
  start_server "$out/http_hello.log" "$out/http_hello" "$port"
  clef_res=$(load "$port" "$out/wrk.clef.log")
  clef_rss=$(peak_rss_kb "$server_pid")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  port=$((port + 1))
  start_server "$out/tokio.log" "$tokio" "$port"
  tokio_res=$(load "$port" "$out/wrk.tokio.log")
  tokio_rss=$(peak_rss_kb "$server_pid")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  local c_rps c_p99 t_rps t_p99
  read -r c_rps c_p99 <<<"$clef_res"
  read -r t_rps t_p99 <<<"$tokio_res"
  row "HTTP requests/s (tokio, 1 thread)" "$c_rps" "$t_rps" "$(ratio "$c_rps" "$t_rps")"
  row "HTTP p99 latency, ms" "$c_p99" "$t_p99" "$(ratio "$c_p99" "$t_p99")"
  row "HTTP server peak RSS, KiB" "$clef_rss" "$tokio_rss" "$(ratio "$clef_rss" "$tokio_rss")"
}

bench_sleepers() {
  local n=100000
  [ "$quick" = 1 ] && n=1000
  clef_build "$src/sleepers.clef" "$out/sleepers"
  local one many
  [ "$("$out/sleepers" "$n")" = "$n woke" ] || { echo "async: sleepers: not every async woke" >&2; return 1; }
  [ "$quick" = 1 ] && { echo "sleepers: $n woke"; return 0; }
  one=$(/usr/bin/time -f %M "$out/sleepers" 1 2>&1 >/dev/null | tail -1)
  many=$(/usr/bin/time -f %M "$out/sleepers" "$n" 2>&1 >/dev/null | tail -1)
  local per
  per=$(awk -v a="$many" -v b="$one" -v n="$n" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }')
  # .NET: about 100 B per pending request plus its Task (issue 16).
  row "RSS per sleeping async, bytes (.NET)" "$per" "~100+" "-"
}

for b in "${benches[@]}"; do
  "bench_$b" || { echo "async: $b failed" >&2; status=1; }
done

if [ "$quick" = 0 ] && [ ${#rows[@]} -gt 0 ]; then
  {
    echo "| figure (peer)                      |         Clef |         peer | Clef/peer |"
    echo "| ---------------------------------- | -----------: | -----------: | ------: |"
    printf '%s\n' "${rows[@]}"
  } | tee "$out/results.md"
fi
exit $status
