#!/usr/bin/env bash
# One detection across sensors (issue 15 item 3), on a real 2-shard
# ClickHouse cluster on loopback (scripts/warehouse.sh):
#
#   The real iodine and dns2tcp tunnels of testdata/detect/tunnels.pcap
#   (captured by tests/tunnels through Unbound) are spread round-robin,
#   transaction by transaction as a load balancer would, over three
#   resolvers' captures, shifted to the present; three sensors (`nsradar
#   serve --config`, tool fingerprints off so that traffic alone decides)
#   each read one third and write to the warehouse. `nsradar correlate`
#   reads their evidence rows every 2 s. Passes when the correlator alerts
#   the tunnel domains that one sensor seeing everything alerts (`nsradar
#   detect --no-fingerprints` on the whole capture), within 60 s of the
#   sensors' start, each once, with the tunnel's client, in the alerts file
#   and in the alerts table as its own; no sensor alerts anything; nothing
#   for good.test; and a restarted correlator raises nothing again.
#
# A replay of captured traffic rather than live tunnels: the three
# sensors see exactly what three resolvers behind a round-robin balancer
# would have logged, which is what the correlation is about.
#
#   correlate.sh NSRADAR WAREHOUSE_SH TESTDATA
# Exit 77 (skipped) when clickhouse-server or tshark/editcap is missing.
set -euo pipefail

NSRADAR=$1
WAREHOUSE_SH=$2
TESTDATA=$3
# shellcheck source=../lib/lab.sh
source "$(dirname "$(realpath "$0")")/../lib/lab.sh"
SERVER=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
[[ -x $SERVER ]] || {
  echo "clickhouse-server not installed (scripts/install-deps.sh --tests); skipped"
  exit 77
}
for tool in tshark editcap curl; do
  command -v $tool >/dev/null || {
    echo "$tool not installed (scripts/install-deps.sh --tests); skipped"
    exit 77
  }
done

DIR=$(mktemp -d /tmp/nsradar-correlate.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  "$WAREHOUSE_SH" down --dir "$DIR/cluster" || true
  rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$DIR"/*.err; do [[ -f $f ]] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  exit 1
}
wait_until() {  # seconds, description, condition...
  local limit=$1 what=$2
  shift 2
  for ((i = 0; i < limit * 10; i++)); do
    if "$@"; then return; fi
    sleep 0.1
  done
  fail "waited ${limit}s for $what"
}

BASE=$((20000 + 2 * (RANDOM % 15000)))
"$WAREHOUSE_SH" up --shards 2 --dir "$DIR/cluster" --base-port "$BASE" >/dev/null
URLS=$(cat "$DIR/cluster/urls")
"$NSRADAR" warehouse init --warehouse "$URLS" >/dev/null
ch() { curl -sS --fail-with-body --data-binary "$1" "http://127.0.0.1:$BASE/"; }

# --- three resolvers' share of the tunnels -----------------------------------
PCAP=$TESTDATA/detect/tunnels.pcap
FIRST=$(tshark -r "$PCAP" -T fields -e frame.time_epoch -c 1)
SHIFT=$(($(date +%s) - ${FIRST%.*}))
editcap -t "$SHIFT" "$PCAP" "$DIR/now.pcap"
# Each transaction (client address, port, DNS id) to the next resolver.
tshark -r "$DIR/now.pcap" -T fields -E separator=' ' -e frame.number -e ip.src -e ip.dst -e udp.srcport \
  -e udp.dstport -e dns.id -e dns.flags.response |
  awk -v dir="$DIR" '{
    key = ($7 == "1" || $7 == "True") ? $3 ":" $5 ":" $6 : $2 ":" $4 ":" $6
    if (!(key in group)) group[key] = n++ % 3
    print $1 > (dir "/frames" group[key])
  }'
for r in 0 1 2; do
  # editcap -r keeps the frames listed.
  xargs editcap -r "$DIR/now.pcap" "$DIR/r$r.pcap" <"$DIR/frames$r"
done
"$NSRADAR" --store "$DIR/ref-store" detect --no-fingerprints --out "$DIR/ref.json" "$DIR/now.pcap" >/dev/null \
  2>"$DIR/ref.err" || true
mapfile -t EXPECTED < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        a = json.loads(line)
        if a.get("category") in ("tunneling", "exfiltration"): print(a["registered_domain"])
' "$DIR/ref.json" | sort -u)
((${#EXPECTED[@]} > 0)) || fail "the whole capture raises no alert without fingerprints: $(head -c 400 "$DIR/ref.json")"
echo "one sensor seeing everything alerts: ${EXPECTED[*]}"

# --- the correlator, then the sensors ----------------------------------------
KEY=at_abcdefghijklmnopqrstuvwxyz012
echo "$KEY" >"$DIR/keys"
start_correlator() {
  "$NSRADAR" correlate --warehouse "$URLS" --name central --state "$DIR/central.state" --interval 2 \
    --alerts-out "$DIR/central.alerts" --no-fingerprints "$@" >>"$DIR/central.out" 2>>"$DIR/central.err" &
  CORRELATOR=$!
  PIDS+=("$CORRELATOR")
}
: >"$DIR/central.alerts"
start_correlator
START=$(date +%s.%N)
SENSORS=()
PORTS=()
for r in 0 1 2; do
  {
    echo "store = $DIR/r$r/store"
    echo "listen = 127.0.0.1:0"
    echo "api_keys = $DIR/keys"
    echo "sensor = resolver-$r"
    echo "input = $DIR/r$r.pcap"
    echo "fingerprints = false"
    echo "alerts_out = $DIR/r$r.alerts"
    echo "warehouse = $URLS"
    echo "warehouse_spool = $DIR/r$r/spool"
    echo "warehouse_batch_ms = 500"
  } >"$DIR/r$r.conf"
  "$NSRADAR" serve --config "$DIR/r$r.conf" >/dev/null 2>"$DIR/r$r.err" &
  SENSORS+=($!)
  PIDS+=($!)
done
for r in 0 1 2; do
  PORTS+=("$(api_port "$DIR/r$r.err" "${SENSORS[$r]}")") || fail "sensor $r did not start"
done
metric() {  # port name: the sum of its series
  curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$1/metrics" |
    awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%d\n", s }'
}
central_has_all() {
  local d
  for d in "${EXPECTED[@]}"; do grep -q "\"registered_domain\":\"$d\"" "$DIR/central.alerts" || return 1; done
}
wait_until 60 "the correlator's alerts for ${EXPECTED[*]}" central_has_all
LATENCY=$(echo "$(date +%s.%N) - $START" | bc)
echo "central alert latency: ${LATENCY} s after the sensors started"
sensors_done() {
  local r
  for r in 0 1 2; do
    (($(metric "${PORTS[$r]}" nsradar_input_up) == 0 && $(metric "${PORTS[$r]}" nsradar_warehouse_spool_batches) == 0)) ||
      return 1
  done
}
wait_until 30 "the sensors to read and send everything" sensors_done

# --- no sensor alone -----------------------------------------------------------
EVIDENCE=0
EVENTS=0
for r in 0 1 2; do
  alerts=$(metric "${PORTS[$r]}" nsradar_alerts_total)
  ((alerts == 0)) || fail "sensor $r alerted on its own: $(cat "$DIR/r$r.alerts")"
  EVENTS=$((EVENTS + $(metric "${PORTS[$r]}" nsradar_input_events_total)))
done
EVIDENCE=$(ch "SELECT count() FROM nsradar.evidence")
echo "evidence rows: $EVIDENCE of $EVENTS events ($(echo "scale=1; 100 * $EVIDENCE / $EVENTS" | bc)%)"
[[ $(ch "SELECT uniqExact(sensor) FROM nsradar.evidence") == 3 ]] || fail "evidence of fewer than 3 sensors"

# --- the correlator's alerts: once each, all sites' clients, in the table ----
N=$(wc -l <"$DIR/central.alerts")
[[ $N == "${#EXPECTED[@]}" ]] || fail "$N central alerts for ${#EXPECTED[@]} domains: $(cat "$DIR/central.alerts")"
grep -q good.test "$DIR/central.alerts" && fail "a central alert for good.test"
python3 - "$DIR/central.alerts" <<'PY' || fail "central alerts without the tunnels' clients"
import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line)
    clients = [c["address"] for c in a["clients"]]
    assert any(c.startswith("10.77.0.1") for c in clients), (a["registered_domain"], clients)
PY
table_has_all() { [[ $(ch "SELECT count() FROM nsradar.alerts WHERE sensor = 'central'") == "$N" ]]; }
wait_until 10 "the central alerts in the alerts table" table_has_all

# --- a restart raises nothing again --------------------------------------------
kill -TERM "$CORRELATOR"
wait "$CORRELATOR" || fail "the correlator did not stop cleanly"
start_correlator --polls 3
wait "$CORRELATOR" || fail "the restarted correlator failed"
[[ $(wc -l <"$DIR/central.alerts") == "$N" ]] || fail "the restart alerted again: $(cat "$DIR/central.alerts")"
sleep 1
[[ $(ch "SELECT count() FROM nsradar.alerts WHERE sensor = 'central'") == "$N" ]] || fail "the restart wrote alerts again"
CPU=$(sed -n 's/.*stopped: .* \([0-9]*\) ms of CPU.*/\1/p' "$DIR/central.err" | head -n1)
echo "the first correlator's CPU: ${CPU} ms for $EVIDENCE evidence rows of ${FIRST_SPAN:-20} s of traffic"
echo "PASS: ${#EXPECTED[@]} domains alerted centrally in ${LATENCY} s, none by a sensor alone"
