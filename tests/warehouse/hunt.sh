#!/usr/bin/env bash
# Hunting over a real 2-shard ClickHouse cluster on loopback
# (scripts/warehouse.sh): two sensors (`serve --config`) read generated
# CoreDNS logs (hunt_expect.py: a tunnel and ordinary domains, 12 clients,
# 25 minutes, sizes) into the warehouse; then every `nsradar hunt` answer
# and the /v2/hunt endpoints of `serve --warehouse` are checked against
# what hunt_expect.py computes from the logs themselves: each event once
# over all pages (keyset paging), clients with first/last seen, queries,
# bytes and sensors, the per-minute timeline, the first query, the top
# domains. Each sensor also reads a Suricata EVE log with NS and address
# answers (observations_expect.py): its passive DNS goes to `observations`,
# and `hunt observations` (every page) and /v2/hunt/{domain}/observations
# must give, per record over both sensors, the first/last second, count and
# sensors computed from the two logs. Hostile names stay data, bad
# parameters are refused naming them, ClickHouse's errors come through, a
# dead shard URL is passed over. Stops what it starts.
#
#   hunt.sh NSRADAR WAREHOUSE_SH
# Exit 77 (skipped) when clickhouse-server is not installed.
set -euo pipefail

NSRADAR=$1
WAREHOUSE_SH=$2
HERE=$(dirname "$(realpath "$0")")
EXPECT=$HERE/hunt_expect.py
OBSERVATIONS=$HERE/observations_expect.py
# Debian's python3 (install-deps.sh --tests): a version manager's shim in
# PATH can cost a second a start on a loaded machine.
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
# shellcheck source=../lib/lab.sh
source "$HERE/../lib/lab.sh"
command -v clickhouse-server >/dev/null || [[ -x /usr/sbin/clickhouse-server ]] || {
  echo "clickhouse-server not installed (scripts/install-deps.sh --tests); skipped"
  exit 77
}

DIR=$(mktemp -d /tmp/nsradar-hunt.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  "$WAREHOUSE_SH" down --dir "$DIR/cluster" || true
  rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  lab_show_errs "$DIR"
  exit 1
}
stop() {  # pid
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

lab_warehouse_up "$WAREHOUSE_SH" "$DIR/cluster" 2 || fail "no cluster"
URLS=$(cat "$DIR/cluster/urls")
S0=http://127.0.0.1:$BASE
"$NSRADAR" warehouse init --warehouse "$URLS" >/dev/null
ch() { curl -sS --fail-with-body --data-binary "$1" "$S0/"; }

SEED=${HUNT_SEED:-$RANDOM}
echo "data seed $SEED (HUNT_SEED=$SEED to repeat)"
"$PY" "$EXPECT" generate "$SEED" "$DIR"
"$PY" "$OBSERVATIONS" generate "$SEED" "$DIR"
KEY=at_abcdefghijklmnopqrstuvwxyz012
echo "$KEY" >"$DIR/keys"

# --- the data: two sensors, each its own log --------------------------------
for s in s1 s2; do
  cat >"$DIR/$s.conf" <<CONF
store = $DIR/$s/store
listen = 127.0.0.1:0
api_keys = $DIR/keys
sensor = $s
input = $DIR/$s.log
input = $DIR/$s.eve.json
input_format = auto
warehouse = $URLS
warehouse_spool = $DIR/$s/spool
warehouse_batch_rows = 300
warehouse_batch_ms = 200
warehouse_observations_ms = 300
CONF
  "$NSRADAR" serve --config "$DIR/$s.conf" >/dev/null 2>"$DIR/$s.err" &
  PIDS+=($!)
done
stored() { ch "SELECT count() FROM nsradar.dns_events WHERE sensor = '$1'"; }
sighted() { ch "SELECT sum(count) FROM nsradar.observations WHERE sensor = '$1'"; }
for s in s1 s2; do
  want=$(($(wc -l <"$DIR/$s.log") + $(cat "$DIR/$s.eve.events")))
  for ((i = 0; i < 300; i++)); do
    [[ $(stored "$s") == "$want" ]] && break
    sleep 0.1
  done
  [[ $(stored "$s") == "$want" ]] || fail "$s: $(stored "$s") events in the warehouse, its logs have $want"
  want=$("$PY" "$OBSERVATIONS" total "$DIR" "$s")
  for ((i = 0; i < 100; i++)); do
    [[ $(sighted "$s") == "$want" ]] && break
    sleep 0.1
  done
  [[ $(sighted "$s") == "$want" ]] || fail "$s: $(sighted "$s") passive-DNS sightings in the warehouse, expected $want"
done
for pid in "${PIDS[@]}"; do stop "$pid"; done
PIDS=()
TOTAL=$(ch "SELECT count() FROM nsradar.dns_events")
echo "$TOTAL events of 2 sensors in the warehouse"

# --- the CLI ------------------------------------------------------------------
T0=1795773600 # hunt_expect.py's first minute
T1=$((T0 + 25 * 60))
hunt() { "$NSRADAR" --json hunt "$@"; }
next_cursor() { sed -n 's/.*"next_cursor":"\([0-9a-f-]*\)".*/\1/p' "$1"; }
# Every page of `hunt KIND ARGS...` (events, observations), followed by
# cursor: their documents, a line each.
pages_of() {
  local kind=$1 cursor="" pages=0
  shift
  : >"$DIR/pages"
  while :; do
    hunt "$kind" --warehouse "$URLS" "$@" ${cursor:+--cursor "$cursor"} >"$DIR/page" || fail "hunt $kind $*"
    cat "$DIR/page" >>"$DIR/pages"
    cursor=$(next_cursor "$DIR/page")
    pages=$((pages + 1))
    [[ -n $cursor ]] || break
    ((pages < 500)) || fail "hunt $kind $*: more than 500 pages"
  done
  cat "$DIR/pages"
}
all_pages() { pages_of events "$@"; }
check() { "$PY" "$EXPECT" check "$DIR" "$@" || fail "check $*"; }

all_pages --limit 97 tunnel.example | check events tunnel.example 0 4102444800
all_pages --limit 1000 d1.example | check events d1.example 0 4102444800
all_pages --limit 13 www.d2.example | check events www.d2.example 0 4102444800
all_pages --limit 50 --from $((T0 + 300)) --to $((T0 + 900)) cdn.test | check events cdn.test $((T0 + 300)) $((T0 + 900))
for d in tunnel.example d3.example api.d4.example; do
  hunt clients --warehouse "$URLS" "$d" | check clients "$d"
  hunt first-seen --warehouse "$URLS" "$d" | check first-seen "$d"
done
hunt timeline --warehouse "$URLS" --from $T0 --to $T1 tunnel.example | check timeline tunnel.example $T0 $T1
hunt timeline --warehouse "$URLS" --from $((T0 + 61)) --to $((T0 + 601)) mail.d1.example |
  check timeline mail.d1.example $((T0 + 61)) $((T0 + 601))
hunt top --warehouse "$URLS" --from $T0 --to $T1 | check top $T0 $T1
hunt top --warehouse "$URLS" --from $((T0 + 600)) --to $((T0 + 660)) | check top $((T0 + 600)) $((T0 + 660))
# The table output names what it shows.
"$NSRADAR" hunt clients --warehouse "$URLS" tunnel.example | head -n1 | grep -q "^CLIENT *FIRST SEEN" ||
  fail "no table header"

# Passive DNS across both sensors: every page of `hunt observations`.
observed() { "$PY" "$OBSERVATIONS" check "$DIR" "$@" || fail "observations $*"; }
for d in zone0.example zone3.example sub.zone0.example hoster0.net; do
  pages_of observations --limit 2 "$d" | observed "$d"
done
pages_of observations --limit 10000 hoster1.net | observed hoster1.net
"$NSRADAR" hunt observations --warehouse "$URLS" zone1.example | head -n1 | grep -q "^NAME *TYPE *DATA" ||
  fail "no observations table header"
expect_error() {  # text, then the hunt arguments
  local want=$1
  shift
  if "$NSRADAR" hunt "$@" >/dev/null 2>"$DIR/error"; then fail "hunt $* succeeded"; fi
  grep -qF -- "$want" "$DIR/error" || fail "hunt $*: '$(cat "$DIR/error")' does not say '$want'"
}
expect_error "cursor '1-2-3-4-'" observations --warehouse "$URLS" --cursor 1-2-3-4- zone1.example
expect_error "limit 0" observations --warehouse "$URLS" --limit 0 zone1.example

# A refused shard URL first: the next shard answers.
hunt first-seen --warehouse "http://127.0.0.1:$((BASE + 100)),$URLS" d3.example | check first-seen d3.example

# Names that DNS allows and SQL would not stay data: nothing matches them
# (an injected OR 1=1 would list every event) and nothing was changed.
for name in "x'or'1'='1.example" "a\\\\'--.tunnel.example" "q');drop.example"; do
  hunt events --warehouse "$URLS" "$name" >"$DIR/page" || fail "hunt events '$name'"
  grep -q '"events":\[\]' "$DIR/page" || fail "'$name' matched events: $(head -c 300 "$DIR/page")"
done
[[ $(ch "SELECT count() FROM nsradar.dns_events") == "$TOTAL" ]] || fail "the events changed"
hunt observations --warehouse "$URLS" "x'or'1'='1.example" | grep -q '"observations":\[\]' ||
  fail "a hostile name matched observations"

expect_error "limit 0: expected 1 to 10000" events --warehouse "$URLS" --limit 0 tunnel.example
expect_error "limit 10001" events --warehouse "$URLS" --limit 10001 tunnel.example
expect_error "cursor 'zz'" events --warehouse "$URLS" --cursor zz tunnel.example
expect_error "longer than" timeline --warehouse "$URLS" --from $T0 --to $((T0 + 8 * 86400)) tunnel.example
expect_error "to $T0 is not after from $T0" clients --warehouse "$URLS" --from $T0 --to $T0 tunnel.example
expect_error "domain 'com': a public suffix" clients --warehouse "$URLS" com
expect_error "--database 'x;y'" top --warehouse "$URLS" --database "x;y"
expect_error "Database nope doesn't exist" top --warehouse "$URLS" --database nope
expect_error "no shard answered" top --warehouse "http://127.0.0.1:$((BASE + 100))"
expect_error "Connection refused" top --warehouse "http://127.0.0.1:$((BASE + 100))"

# --- the API: serve over a sensor's store, with and without the warehouse ----
start_serve() {  # extra arguments
  "$NSRADAR" --store "$DIR/s1/store" serve --listen 127.0.0.1:0 --api-keys "$DIR/keys" "$@" 2>"$DIR/serve.err" &
  PIDS+=($!)
  for ((i = 0; i < 100; i++)); do
    PORT=$(sed -n 's/.* on port \([0-9]*\).*/\1/p' "$DIR/serve.err" | head -n1)
    [[ -n $PORT ]] && return
    sleep 0.1
  done
  fail "serve did not start"
}
api() { curl -sS -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT$1"; }
status() { curl -sS -o "$DIR/body" -w '%{http_code}' -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT$1"; }

start_serve
[[ $(status /v2/hunt/tunnel.example/events) == 503 ]] || fail "no warehouse: $(cat "$DIR/body")"
grep -q "no warehouse" "$DIR/body" || fail "the 503 does not say why: $(cat "$DIR/body")"
stop "${PIDS[-1]}"
unset 'PIDS[-1]'

start_serve --warehouse "$URLS"
api_pages() {  # path and query, without the cursor: every page, a document a line
  local cursor=""
  : >"$DIR/pages"
  while :; do
    api "$1${cursor:+&cursor=$cursor}" >"$DIR/page"
    echo >>"$DIR/page"
    cat "$DIR/page" >>"$DIR/pages"
    cursor=$(next_cursor "$DIR/page")
    [[ -n $cursor ]] || break
  done
  cat "$DIR/pages"
}
api_pages "/v2/hunt/tunnel.example/events?limit=200" | check events tunnel.example 0 4102444800
api /v2/hunt/d2.example/clients | check clients d2.example
api "/v2/hunt/d2.example/timeline?from=$T0&to=$T1" | check timeline d2.example $T0 $T1
api /v2/hunt/cdn.test/first-seen | check first-seen cdn.test
api_pages "/v2/hunt/zone2.example/observations?limit=1" | observed zone2.example
[[ $(status "/v2/hunt/zone2.example/observations?cursor=zz") == 400 ]] && grep -q "cursor" "$DIR/body" ||
  fail "a bad observations cursor: $(cat "$DIR/body")"
api "/v2/hunt/top?from=$T0&to=$T1&limit=1000" | check top $T0 $T1
[[ $(status "/v2/hunt/tunnel.example/events?limit=0") == 400 ]] && grep -q "limit" "$DIR/body" ||
  fail "limit=0: $(cat "$DIR/body")"
[[ $(status "/v2/hunt/x%27or%271%27%3D%271.example/events") == 200 ]] && grep -q '"events":\[\]' "$DIR/body" ||
  fail "a hostile name over the API: $(cat "$DIR/body")"
[[ $(status "/v2/hunt/top?from=0&to=4102444800") == 400 ]] || fail "top over all time: $(cat "$DIR/body")"
[[ $(status "/v2/hunt/tunnel.example/timeline?color=red") == 400 ]] && grep -q "color" "$DIR/body" ||
  fail "an unknown parameter: $(cat "$DIR/body")"
curl -sS "http://127.0.0.1:$PORT/metrics" >"$DIR/metrics"
grep -q 'endpoint="v2_hunt_events"' "$DIR/metrics" || fail "no v2_hunt_events on /metrics"
stop "${PIDS[-1]}"
unset 'PIDS[-1]'

"$WAREHOUSE_SH" down --dir "$DIR/cluster" >/dev/null
for f in "$DIR"/cluster/shard*/pid; do ! kill -0 "$(cat "$f")" 2>/dev/null || fail "a shard is still running"; done
echo "PASS: $TOTAL events, every hunt answer (observations too) as computed from the logs"
