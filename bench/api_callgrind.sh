#!/usr/bin/env bash
# Instructions per v1 API request, counted by callgrind: a figure that does
# not move with the machine's load, for before/after comparisons on a
# shared machine (docs/benchmarks.md, "The v1 page path, profiled").
#
#   bench/api_callgrind.sh [NSRADAR_BINARY] [TARGETS]
#
# Uses the store and targets bench/api_bench.sh builds (run it once first)
# under $NSRADAR_BENCH_DIR (default /work/benchdata). One server thread
# under valgrind; wrk replays the first TARGETS (default 200) request
# paths for 40 s to warm the block cache, the counters are zeroed, and 40 s
# more are measured.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/tools/nsradar}
NTARGETS=${2:-200}
DIR=${NSRADAR_BENCH_DIR:-/work/benchdata}
STORE=$DIR/store-10000000
[[ -f $STORE/CURRENT && -f $DIR/targets-10000000.txt ]] || { echo "run bench/api_bench.sh first" >&2; exit 1; }
WORK=$(mktemp -d)
PORT=18384
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" "$BIN" --store "$STORE" serve \
  --api-keys "$DIR/keys" --listen 127.0.0.1:$PORT --rate-limit 0 --cache-mb 2048 --threads 1 2> "$WORK/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 240); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
awk -v n="$NTARGETS" 'NR <= n' "$DIR/targets-10000000.txt" > "$WORK/targets"
WRK_TARGETS=$WORK/targets wrk -t1 -c4 -d40s -s bench/wrk_targets.lua "http://127.0.0.1:$PORT" > /dev/null
callgrind_control -z "$SERVER" > /dev/null 2>&1
WRK_TARGETS=$WORK/targets wrk -t1 -c4 -d40s -s bench/wrk_targets.lua "http://127.0.0.1:$PORT" > "$WORK/wrk.txt"
kill -INT $SERVER
wait $SERVER || true
requests=$(awk '$2 == "requests" {print $1}' "$WORK/wrk.txt")
total=$(callgrind_annotate "$WORK/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$BIN: $requests requests measured, $total instructions, $((total / requests)) per request"
