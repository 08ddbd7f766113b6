#!/usr/bin/env bash
# Two nsradar binaries alternated under wrk on the store bench/api_bench.sh
# builds (run it once first), for a before/after figure in one sitting:
#
#   bench/api_ab.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Each round serves the store with each binary in turn: a 10 s warm-up,
# then 20 s measured (64 connections, the 30,000 sampled v1 page targets).
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1; NEW=$2; ROUNDS=${3:-2}
DIR=${NSRADAR_BENCH_DIR:-/work/benchdata}
[[ -f $DIR/store-10000000/CURRENT && -f $DIR/targets-10000000.txt ]] || { echo "run bench/api_bench.sh first" >&2; exit 1; }
PORT=18383
for round in $(seq "$ROUNDS"); do
  for bin in "$OLD" "$NEW"; do
    "$bin" --store "$DIR/store-10000000" serve --api-keys "$DIR/keys" --listen 127.0.0.1:$PORT --rate-limit 0 \
      --cache-mb 2048 2> /dev/null &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.2; done
    WRK_TARGETS=$DIR/targets-10000000.txt wrk -t2 -c64 -d10s -s bench/wrk_targets.lua "http://127.0.0.1:$PORT" > /dev/null
    out=$(WRK_TARGETS=$DIR/targets-10000000.txt wrk -t2 -c64 -d20s --latency -s bench/wrk_targets.lua \
      "http://127.0.0.1:$PORT")
    echo "$bin round $round (load $(cut -d' ' -f1 /proc/loadavg)):" \
      "$(awk '/Requests\/sec/ {print $2}' <<< "$out") req/s," \
      "p50 $(awk '$1 == "50%" {print $2}' <<< "$out"), p99 $(awk '$1 == "99%" {print $2}' <<< "$out")"
    kill "$server"
    wait "$server" 2> /dev/null || true
  done
done
