#!/usr/bin/env bash
# HTTP API benchmark: wrk against `nsradar serve` on this machine, client and
# server sharing its cores, over a synthetic .com-like store.
#
#   bench/api_bench.sh [DOMAINS] [SECONDS] [CONNECTIONS]
#
# Builds the store once under $NSRADAR_BENCH_DIR (default /work/benchdata),
# samples 30,000 v1 page requests (a random name server, from = a random
# domain on it, so pages are mostly full 300-row pages), then runs wrk with
# keep-alive connections and samples the server's RSS every 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
DOMAINS=${1:-10000000}
SECONDS_=${2:-60}
CONNS=${3:-64}
DIR=${NSRADAR_BENCH_DIR:-/work/benchdata}
BIN=build/tools
KEY=at_benchbenchbenchbenchbench1234
mkdir -p "$DIR"
ZONE=$DIR/com-$DOMAINS.zone
STORE=$DIR/store-$DOMAINS
if [[ ! -f $STORE/CURRENT ]]; then
  [[ -f $ZONE ]] || $BIN/nsradar-zonegen --domains "$DOMAINS" -o "$ZONE"
  $BIN/nsradar --store "$STORE" zone ingest --observed-at 2026-11-01 "$ZONE"
fi
TARGETS=$DIR/targets-$DOMAINS.txt
if [[ ! -f $TARGETS ]]; then
  awk -v key="$KEY" 'BEGIN { srand(7) } $4 == "ns" && rand() < 0.0015 {
      ns = $5; sub(/\.$/, "", ns); d = $1; sub(/\.$/, "", d)
      print "/api/v1?apiKey=" key "&ns=" ns "&from=" d
      if (++n == 30000) exit }' "$ZONE" > "$TARGETS"  # awk stops itself: `| head` would kill it under pipefail
fi
echo "$KEY" > "$DIR/keys"
PORT=18381
$BIN/nsradar --store "$STORE" serve --api-keys "$DIR/keys" --listen 127.0.0.1:$PORT --rate-limit 0 --cache-mb 2048 \
  2> "$DIR/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$DIR/serve.log"; exit 1; }

# Page sizes of a sample of the targets: the share of full pages.
full=0; n=0
while read -r path; do
  size=$(curl -s "http://127.0.0.1:$PORT$path" | grep -o '"size":[0-9]*' | cut -d: -f2 || true)
  n=$((n + 1)); [[ $size == 300 ]] && full=$((full + 1))
done < <(head -n 200 "$TARGETS")
echo "pages: $full of $n sampled targets return a full 300-row page"
bytes=$(curl -s "http://127.0.0.1:$PORT$(head -n1 "$TARGETS")" | wc -c)
echo "one page: $bytes bytes"

# Warm the block cache, then measure.
WRK_TARGETS=$TARGETS wrk -t2 -c"$CONNS" -d10s -s bench/wrk_targets.lua "http://127.0.0.1:$PORT" >/dev/null
rss() { awk '/VmRSS/ {print $2}' /proc/$SERVER/status; }
echo "server RSS before: $(rss) kB"
( while sleep 10; do echo "rss_kb $(date +%s) $(rss)"; done ) > "$DIR/rss.log" &
SAMPLER=$!
WRK_TARGETS=$TARGETS wrk -t2 -c"$CONNS" -d"${SECONDS_}s" --latency -s bench/wrk_targets.lua \
  "http://127.0.0.1:$PORT"
kill $SAMPLER
echo "server RSS after: $(rss) kB; samples (kB): $(awk '{printf "%s ", $3}' "$DIR/rss.log")"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^nsradar_http_requests_total\{endpoint="v1"'
