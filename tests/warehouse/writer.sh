#!/usr/bin/env bash
# Sensors writing to a real 2-shard ClickHouse cluster on loopback
# (scripts/warehouse.sh), through `nsradar serve --config`:
#
#   shard  sensor s1 follows a BIND query log that grows; shard 1 is killed
#          (-9) after the first acknowledged batch, lines keep coming (the
#          sensor spools them), the shard is restarted: dns_events then
#          holds exactly the events s1 read, once each.
#   crash  sensor s2 reads the tunnel capture and a Suricata EVE log with NS
#          and address answers (passive DNS: observations) while shard 1 is
#          down (all of it spooled); the shard returns and s2 is killed -9 right after
#          its first acknowledged batch, then restarted without input: the
#          replay completes the warehouse, no row twice. Then the spool as
#          it was before any send is put back (a crash after every
#          acknowledgement, before every delete) and s2 restarted: nothing
#          is sent again. Events, alerts, evidence and observations,
#          counted per sensor, with uniqExact over (batch_seq, batch_row);
#          the observations' sightings (sum of count) as computed from the
#          EVE log by observations_expect.py.
#   down   a sensor whose warehouse refuses connections, or refuses its
#          password, starts, says so (without the password) and detects.
#
#   writer.sh NSRADAR WAREHOUSE_SH TESTDATA
# Exit 77 (skipped) when clickhouse-server is not installed.
set -euo pipefail

NSRADAR=$1
WAREHOUSE_SH=$2
TESTDATA=$3
# shellcheck source=../lib/lab.sh
HERE=$(dirname "$(realpath "$0")")
source "$HERE/../lib/lab.sh"
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
SERVER=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
[[ -x $SERVER ]] || {
  echo "clickhouse-server not installed (scripts/install-deps.sh --tests); skipped"
  exit 77
}

DIR=$(mktemp -d /tmp/nsradar-writer.XXXXXX)
SENSOR_PID=""
cleanup() {
  [[ -n $SENSOR_PID ]] && kill -9 "$SENSOR_PID" 2>/dev/null
  "$WAREHOUSE_SH" down --dir "$DIR/cluster" || true
  rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  lab_show_errs "$DIR"
  exit 1
}

lab_warehouse_up "$WAREHOUSE_SH" "$DIR/cluster" 2 || fail "no cluster"
URLS=$(cat "$DIR/cluster/urls")
S0=http://127.0.0.1:$BASE
"$NSRADAR" warehouse init --warehouse "$URLS" >/dev/null

ch() { curl -sS --fail-with-body --data-binary "$1" "$S0/"; }
KEY=at_abcdefghijklmnopqrstuvwxyz012
echo "$KEY" >"$DIR/keys"

write_config() {  # name, then extra lines
  local name=$1
  shift
  {
    echo "store = $DIR/$name/store"
    echo "listen = 127.0.0.1:0"
    echo "api_keys = $DIR/keys"
    echo "sensor = $name"
    echo "warehouse = $URLS"
    echo "warehouse_spool = $DIR/$name/spool"
    echo "warehouse_batch_rows = 300"
    echo "warehouse_batch_ms = 200"
    echo "warehouse_observations_ms = 200"
    printf '%s\n' "$@"
  } >"$DIR/$name.conf"
}
PORT=0
start_sensor() {  # name
  : >"$DIR/$1.err"
  "$NSRADAR" serve --config "$DIR/$1.conf" >/dev/null 2>"$DIR/$1.err" &
  SENSOR_PID=$!
  PORT=$(api_port "$DIR/$1.err" "$SENSOR_PID") || fail "$1 did not start (exited, or no API port in 10 s)"
}
stop_sensor() {  # signal
  kill "-$1" "$SENSOR_PID"
  wait "$SENSOR_PID" 2>/dev/null || true
  SENSOR_PID=""
}
metric() {  # name: the sum of its series
  curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT/metrics" |
    awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%d\n", s }'
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
shard1_pid() { cat "$DIR/cluster/shard1/pid"; }
kill_shard1() { kill -9 "$(shard1_pid)"; wait_until 10 "shard 1 to die" shard1_dead; }
shard1_dead() { ! kill -0 "$(shard1_pid)" 2>/dev/null; }
restart_shard1() {  # as warehouse.sh up starts it, so that down stops it
  local d=$DIR/cluster/shard1
  setsid "$SERVER" --config-file="$d/config.xml" </dev/null >>"$d/log/stdout.log" 2>&1 &
  disown
  echo $! >"$d/pid"
  wait_until 30 "shard 1 to answer" shard1_answers
}
shard1_answers() { [[ $(curl -s --max-time 1 "http://127.0.0.1:$((BASE + 2))/ping") == Ok. ]]; }
sent_some() { (($(metric nsradar_warehouse_batches_sent_total) > 0)); }
spool_empty() { (($(metric nsradar_warehouse_spool_batches) == 0)); }
inputs_done() { (($(metric nsradar_input_up) == 0 && $(metric nsradar_input_events_total) > 0)); }
all_spooled() {  # the input has ended and every row is on disk
  local added
  added=$(metric nsradar_warehouse_rows_added_total)
  (($(metric nsradar_input_up) == 0 && added > 0 && $(metric nsradar_warehouse_rows_spooled_total) == added))
}
counts() {  # sensor table: rows, distinct row ids
  ch "SELECT count(), uniqExact(batch_seq, batch_row) FROM nsradar.$2 WHERE sensor = '$1' FORMAT TSV"
}

# --- shard: a shard killed while a sensor writes ------------------------------
LOG=$DIR/query.log
: >"$LOG"
append_lines() {  # from, to: one event each, over 40 registered domains
  for ((i = $1; i < $2; i++)); do
    echo "27-Nov-2026 09:58:54.064 queries: info: client @0x7f1bbf01a098 10.9.0.$((i % 200 + 1))#4242 (q$i.d$((i % 40)).example): query: q$i.d$((i % 40)).example IN A +E(0)K (10.9.0.1)"
  done >>"$LOG"
}
append_lines 0 2000
write_config s1 "input = $LOG" "input_format = bind" "follow = yes"
start_sensor s1
wait_until 20 "s1's first acknowledged batch" sent_some
kill_shard1
append_lines 2000 5000
# The writer's own count (the input's counters reach /metrics only while
# events come); this log raises no alert, so rows are events.
events_read() { (($(metric nsradar_warehouse_rows_added_total) == 5000)); }
wait_until 20 "s1 to read 5000 events" events_read
# Every batch since the kill waits in the spool.
sleep 0.5
(($(metric nsradar_warehouse_spool_batches) > 0)) || fail "nothing spooled while shard 1 was down"
(($(metric nsradar_warehouse_up) == 0)) || fail "up while shard 1 is down"
grep -q "degraded" "$DIR/s1.err" || fail "no degraded-mode error in s1's log"
(($(metric nsradar_alerts_total) == 0)) || fail "s1 raised alerts"
restart_shard1
wait_until 30 "s1's spool to drain" spool_empty
(($(metric nsradar_warehouse_dropped_batches_total) == 0)) || fail "s1 dropped batches"
[[ $(counts s1 dns_events) == "5000	5000" ]] || fail "s1: dns_events has $(counts s1 dns_events), expected 5000 once each"
grep -q "answers again" "$DIR/s1.err" || fail "no recovery line in s1's log"
# A sensor with a warehouse answers /v2/hunt from it.
hunt=$(curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT/v2/hunt/d7.example/first-seen") ||
  fail "s1's /v2/hunt/d7.example/first-seen answered an error"
grep -Eq '"qname":"q[0-9]*7\.d7\.example"' <<<"$hunt" || fail "s1's first query of d7.example: $hunt"
stop_sensor TERM

# --- crash: kill -9 of a sensor replaying its spool ---------------------------
kill_shard1
# observations_expect.py writes s1's and s2's EVE logs; s2 reads its own.
"$PY" "$HERE/observations_expect.py" generate "${RANDOM}" "$DIR"
SIGHTINGS=$("$PY" "$HERE/observations_expect.py" total "$DIR" s2)
write_config s2 "input = $TESTDATA/detect/tunnels.pcap" "input = $DIR/s2.eve.json"
start_sensor s2
wait_until 30 "s2 to read its inputs" inputs_done
sleep 0.5 # the open observations batch closes by age (200 ms) once the inputs end
wait_until 30 "s2 to spool all it read" all_spooled
EVENTS=$(metric nsradar_input_events_total)
ALERTS=$(metric nsradar_alerts_total)
ADDED=$(metric nsradar_warehouse_rows_added_total)
((ALERTS > 0)) || fail "s2 raised no alert"
cp -a "$DIR/s2/spool" "$DIR/s2-spool-before-sending"
restart_shard1
wait_until 30 "s2's first acknowledged batch" sent_some
stop_sensor KILL
left=$(find "$DIR/s2/spool" -maxdepth 1 -name '*.batch' | wc -l)
echo "s2 killed with $left of $(find "$DIR/s2-spool-before-sending" -maxdepth 1 -name '*.batch' | wc -l) batches unsent"

write_config s2  # no input: the replay alone
start_sensor s2
wait_until 30 "s2's replay" spool_empty
[[ $(counts s2 dns_events) == "$EVENTS	$EVENTS" ]] || fail "s2: dns_events $(counts s2 dns_events), expected $EVENTS once each"
[[ $(counts s2 alerts) == "$ALERTS	$ALERTS" ]] || fail "s2: alerts $(counts s2 alerts), expected $ALERTS once each"
# Observation rows (one per record and batch) once each, holding every
# sighting of the EVE log: none lost, none twice.
OBS=$(ch "SELECT count() FROM nsradar.observations WHERE sensor = 's2'")
((OBS > 0)) || fail "s2 wrote no observations"
observations_once() {
  [[ $(counts s2 observations) == "$OBS	$OBS" ]] || fail "s2: observations $(counts s2 observations), expected $OBS once each"
  [[ $(ch "SELECT sum(count) FROM nsradar.observations WHERE sensor = 's2'") == "$SIGHTINGS" ]] ||
    fail "s2: $(ch "SELECT sum(count) FROM nsradar.observations WHERE sensor = 's2'") sightings, the log has $SIGHTINGS"
}
observations_once
# The tunnel's evidence-tier events go to evidence as well: the rest.
EVIDENCE=$((ADDED - EVENTS - ALERTS - OBS))
((EVIDENCE > 0 && EVIDENCE < EVENTS)) || fail "s2's evidence rows: $EVIDENCE of $EVENTS events"
[[ $(counts s2 evidence) == "$EVIDENCE	$EVIDENCE" ]] ||
  fail "s2: evidence $(counts s2 evidence), expected $EVIDENCE once each"
stop_sensor KILL

rm -rf "$DIR/s2/spool"
cp -a "$DIR/s2-spool-before-sending" "$DIR/s2/spool"
start_sensor s2
wait_until 30 "s2's second replay" spool_empty
[[ $(counts s2 dns_events) == "$EVENTS	$EVENTS" ]] || fail "s2 after the full replay: $(counts s2 dns_events)"
[[ $(counts s2 alerts) == "$ALERTS	$ALERTS" ]] || fail "s2 alerts after the full replay: $(counts s2 alerts)"
observations_once
(($(metric nsradar_warehouse_rows_already_stored_total) == ADDED)) ||
  fail "the replay sent rows again: $(metric nsradar_warehouse_rows_already_stored_total) already stored"
(($(metric nsradar_warehouse_rows_sent_total) == 0)) || fail "the replay inserted rows"
stop_sensor TERM
# Both sensors' rows, through the Distributed table of either shard.
[[ $(ch "SELECT count() FROM nsradar.dns_events WHERE sensor IN ('s1', 's2')") == $((5000 + EVENTS)) ]] ||
  fail "total events"

# --- down: a warehouse that refuses connections or the password --------------
for url in "http://127.0.0.1:$((BASE + 100))" "http://default:wrong-Pa55@127.0.0.1:$BASE"; do
  write_config s3 "input = $TESTDATA/detect/tunnels.pcap" "alerts_out = $DIR/s3.alerts"
  sed -i "s|^warehouse = .*|warehouse = $url|" "$DIR/s3.conf"
  rm -rf "$DIR/s3"
  start_sensor s3
  wait_until 30 "s3 to read its input" all_spooled
  grep -q "error warehouse: the warehouse is unavailable; degraded" "$DIR/s3.err" || fail "s3 ($url): no error"
  grep -q "127.0.0.1" "$DIR/s3.err" || fail "s3: the endpoint is not named"
  ! grep -q "wrong-Pa55" "$DIR/s3.err" || fail "s3: the password is in the log"
  [[ -s $DIR/s3.alerts ]] || fail "s3 did not detect"
  stop_sensor TERM
done
echo "PASS: 5000 + $EVENTS events, $ALERTS alerts and $OBS observation rows ($SIGHTINGS sightings), each once"
