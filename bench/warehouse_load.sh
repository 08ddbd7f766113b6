#!/usr/bin/env bash
# Two sensors loading a 3-shard ClickHouse cluster, one shard killed -9 in
# the middle (issue 15, "Faults": nothing lost, counts exact per sensor and
# minute; "Figures": sustained events/s, bytes per event on disk).
#
#   warehouse_load.sh [--events N] [--no-kill] [--down SECONDS] [--batch-rows R]
#                     [--minutes M] [--seed S] [NSRADAR]
#
# 1. bench/warehouse_load_gen.py writes N events (default 10,000,000) as two
#    BIND query logs, one per sensor, spread over M minutes (default 180).
# 2. awk counts each log's lines per minute: the expected counts, taken
#    from the input alone.
# 3. scripts/warehouse.sh starts 3 shards on 127.0.0.1; `warehouse init`.
# 4. Two `nsradar serve --config` sensors (s1, s2; local detection on, as
#    always) read their logs and write to the cluster (batches of R rows,
#    default the configuration's 50,000, or 1 s).
# 5. Unless --no-kill: once the sensors have had a third of the events
#    acknowledged, shard 1 is killed -9; DOWN seconds later (default 30) it is
#    restarted from its folder, as warehouse.sh starts it.
# 6. When both sensors have read their input and emptied their spools:
#    count() of dns_events per (sensor, minute) must equal the awk counts;
#    no row id twice in any table; no batch dropped. Then OPTIMIZE … FINAL on each
#    shard and the compressed bytes of dns_events_local from system.parts
#    and system.columns.
#
# Prints the figures: events/s per sensor (its events over the time from its
# start until its spool was empty) and in total, the drain time after the
# shard returned, each sensor's peak spool bytes (sampled every 0.2 s) and
# peak RSS (VmHWM), bytes per event on disk. Exit 1 when a count differs,
# 77 when clickhouse-server is not installed. Stops what it starts. The
# ctest `warehouse_load_shardkill` runs it with 200,000 events.
set -euo pipefail

HERE=$(dirname "$(realpath "$0")")
ROOT=$(dirname "$HERE")
EVENTS=10000000
KILL=yes
DOWN=30
BATCH_ROWS=50000
MINUTES=180
SEED=$RANDOM
NSRADAR=$ROOT/build/tools/nsradar
while (($#)); do
  case $1 in
    --events) EVENTS=$2; shift 2 ;;
    --no-kill) KILL=no; shift ;;
    --down) DOWN=$2; shift 2 ;;
    --batch-rows) BATCH_ROWS=$2; shift 2 ;;
    --minutes) MINUTES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    -*) echo "warehouse_load.sh: unknown option $1" >&2; exit 2 ;;
    *) NSRADAR=$1; shift ;;
  esac
done
for v in EVENTS DOWN BATCH_ROWS MINUTES SEED; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "warehouse_load.sh: --${v,,}: '${!v}' is not a number" >&2; exit 2; }
done
[[ -x $NSRADAR ]] || { echo "warehouse_load.sh: no nsradar at $NSRADAR" >&2; exit 2; }
SERVER=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
[[ -x $SERVER ]] || { echo "clickhouse-server not installed (scripts/install-deps.sh --tests); skipped"; exit 77; }
# shellcheck source-path=SCRIPTDIR/.. source=tests/lib/lab.sh
source "$ROOT/tests/lib/lab.sh"

DIR=$(mktemp -d /tmp/nsradar-load.XXXXXX)
declare -A PID PORT
cleanup() {
  local s
  for s in "${!PID[@]}"; do
    { kill "${PID[$s]}" && wait "${PID[$s]}"; } 2>/dev/null || true
  done
  "$ROOT/scripts/warehouse.sh" down --dir "$DIR/cluster" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  lab_show_errs "$DIR"
  if [[ -n ${NSRADAR_LOAD_KEEP:-} ]]; then
    echo "kept for $NSRADAR_LOAD_KEEP s: $DIR (cluster base port ${BASE:-})" >&2
    sleep "$NSRADAR_LOAD_KEEP"
  fi
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "generating $EVENTS events over $MINUTES minutes (seed $SEED)"
python3 "$HERE/warehouse_load_gen.py" "$EVENTS" "$SEED" "$DIR" "$MINUTES"
# Expected: sensor, minute (as ClickHouse prints toStartOfMinute), count.
for s in s1 s2; do
  awk -v s="$s" 'BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", m, " "); for (i in m) mon[m[i]] = i }
    { split($1, d, "-"); n[sprintf("%s-%02d-%s %s:00", d[3], mon[d[2]], d[1], substr($2, 1, 5))]++ }
    END { for (k in n) printf "%s\t%s\t%d\n", s, k, n[k] }' "$DIR/$s.log"
done | sort >"$DIR/expected.tsv"
declare -A LINES
LINES[s1]=$(wc -l <"$DIR/s1.log")
LINES[s2]=$(wc -l <"$DIR/s2.log")

lab_warehouse_up "$ROOT/scripts/warehouse.sh" "$DIR/cluster" 3 || fail "no cluster"
URLS=$(cat "$DIR/cluster/urls")
ch() { curl -sS --fail-with-body --data-binary "$2" "http://127.0.0.1:$1/"; }
"$NSRADAR" warehouse init --warehouse "$URLS" >/dev/null
echo at_abcdefghijklmnopqrstuvwxyz012 >"$DIR/keys"

# The spool bound is set above the whole input (~250 bytes a row on disk):
# this measures loss by the writer, not by a full spool.
SPOOL_MB=$((EVENTS / 2000 + 64))
for s in s1 s2; do
  printf '%s\n' "store = $DIR/$s/store" "listen = 127.0.0.1:0" "api_keys = $DIR/keys" "sensor = $s" \
    "warehouse = $URLS" "warehouse_spool = $DIR/$s/spool" "warehouse_spool_mb = $SPOOL_MB" \
    "warehouse_batch_rows = $BATCH_ROWS" "input = $DIR/$s.log" "input_format = bind" >"$DIR/$s.conf"
done
T0=$(now)
for s in s1 s2; do
  "$NSRADAR" serve --config "$DIR/$s.conf" >/dev/null 2>"$DIR/$s.err" &
  PID[$s]=$!
done
for s in s1 s2; do
  PORT[$s]=$(api_port "$DIR/$s.err" "${PID[$s]}") || fail "$s did not start"
done

# One scrape of a sensor's /metrics: "sent spooled_batches spool_bytes
# input_up input_events added rows_spooled dropped_batches".
scrape() {
  curl -sf -H "X-API-Key: $(cat "$DIR/keys")" "http://127.0.0.1:${PORT[$1]}/metrics" | awk '
    $1 == "nsradar_warehouse_rows_sent_total{table=\"dns_events\"}" { v[1] = $2 }
    $1 == "nsradar_warehouse_spool_batches" { v[2] = $2 }
    $1 == "nsradar_warehouse_spool_bytes" { v[3] = $2 }
    $1 ~ /^nsradar_input_up/ { v[4] += $2 }
    $1 ~ /^nsradar_input_events_total/ { v[5] += $2 }
    $1 == "nsradar_warehouse_rows_added_total" { v[6] = $2 }
    $1 == "nsradar_warehouse_rows_spooled_total" { v[7] = $2 }
    $1 == "nsradar_warehouse_dropped_batches_total" { v[8] = $2 }
    END { for (i = 1; i <= 8; i++) printf "%d ", v[i] }'
}
SHARD1=$DIR/cluster/shard1
declare -A PEAK=([s1]=0 [s2]=0) FINISHED=([s1]="" [s2]="")
KILLED="" BACK=""
while [[ -z ${FINISHED[s1]} || -z ${FINISHED[s2]} ]]; do
  sleep 0.2
  sent_all=0
  for s in s1 s2; do
    [[ -n ${FINISHED[$s]} ]] && { sent_all=$((sent_all + LINES[$s])); continue; }
    read -r sent batches bytes up read added spooled dropped <<<"$(scrape "$s")" || fail "$s stopped answering"
    ((dropped == 0)) || fail "$s dropped $dropped batches"
    ((bytes > PEAK[$s])) && PEAK[$s]=$bytes
    sent_all=$((sent_all + sent))
    if ((up == 0 && read == LINES[$s] && added == spooled && batches == 0)); then
      FINISHED[$s]=$(now)
      echo "$s: all $read events stored after $(since "$T0" "${FINISHED[$s]}") s"
    fi
  done
  if [[ $KILL == yes && -z $KILLED ]] && ((sent_all * 3 >= EVENTS)); then
    # A kill after a sensor finished would not test its replay.
    [[ -z ${FINISHED[s1]}${FINISHED[s2]} ]] || fail "a sensor had stored all its events before a third of all was stored"
    kill -9 "$(cat "$SHARD1/pid")"
    KILLED=$(now)
    echo "shard 1 killed -9 at $(since "$T0" "$KILLED") s ($sent_all events acknowledged)"
  fi
  if [[ -n $KILLED && -z $BACK ]] && (($(since "$KILLED" "$(now)" | cut -d. -f1) >= DOWN)); then
    setsid "$SERVER" --config-file="$SHARD1/config.xml" </dev/null >>"$SHARD1/log/stdout.log" 2>&1 &
    echo $! >"$SHARD1/pid"
    BACK=$(now)
    echo "shard 1 restarted at $(since "$T0" "$BACK") s"
  fi
done
[[ $KILL == no || -n $BACK ]] || fail "the load ended before shard 1 was restarted: use a larger --events or a shorter --down"
for s in s1 s2; do
  RSS[${s#s}]=$(awk '/^VmHWM/ { print $2 }' "/proc/${PID[$s]}/status")
done
END=$(now)

# The check: per (sensor, minute), exactly.
ch "$BASE" "SELECT sensor, toStartOfMinute(ts) AS m, count() FROM nsradar.dns_events GROUP BY sensor, m
  ORDER BY sensor, m FORMAT TSV" | sort >"$DIR/stored.tsv"
if ! diff "$DIR/expected.tsv" "$DIR/stored.tsv" >"$DIR/diff"; then
  head -n 20 "$DIR/diff" >&2
  fail "dns_events per (sensor, minute) differs from the input in $(grep -c '^<' "$DIR/diff") of $(wc -l <"$DIR/expected.tsv") minutes"
fi
# Alerts, evidence and observations go through the same spool and replay.
for t in dns_events alerts evidence observations; do
  ids=$(ch "$BASE" "SELECT count() - uniqExact(sensor, batch_seq, batch_row) FROM nsradar.$t")
  ((ids == 0)) || fail "$ids rows of $t share a row id: stored twice"
done
echo "OK: dns_events equals the input in each of $(wc -l <"$DIR/expected.tsv") (sensor, minute) counts;" \
  "no row of dns_events, alerts, evidence, observations twice"

# Bytes on disk, merged: the sum over the shards' local parts.
parts=0 rows=0 raw=0
for i in 0 1 2; do
  port=$((BASE + 2 * i))
  ch "$port" "OPTIMIZE TABLE nsradar.dns_events_local FINAL" >/dev/null
  read -r c r u <<<"$(ch "$port" "SELECT sum(data_compressed_bytes), sum(rows), sum(data_uncompressed_bytes)
    FROM system.parts WHERE database = 'nsradar' AND table = 'dns_events_local' AND active FORMAT TSV")"
  parts=$((parts + c)) rows=$((rows + r)) raw=$((raw + u))
  ch "$port" "SELECT name, data_compressed_bytes FROM system.columns
    WHERE database = 'nsradar' AND table = 'dns_events_local' FORMAT TSV" >>"$DIR/columns.tsv"
done
((rows == EVENTS)) || fail "system.parts counts $rows rows, expected $EVENTS"

echo "--- figures: $EVENTS events, 2 sensors, 3 shards, batches of $BATCH_ROWS rows, kill: $KILL"
for s in s1 s2; do
  t=$(since "$T0" "${FINISHED[$s]}")
  echo "$s: $(awk -v n="${LINES[$s]}" -v t="$t" 'BEGIN { printf "%.0f", n / t }') events/s (${LINES[$s]} in $t s)," \
    "peak spool $((PEAK[$s] / 1048576)) MiB, peak RSS $((RSS[${s#s}] / 1024)) MiB"
done
t=$(since "$T0" "$END")
echo "total: $(awk -v n="$EVENTS" -v t="$t" 'BEGIN { printf "%.0f", n / t }') events/s ($EVENTS in $t s)"
[[ -n $BACK ]] && echo "shard 1 down $(since "$KILLED" "$BACK") s; spools empty $(since "$BACK" "$END") s after it was restarted"
awk -v c="$parts" -v u="$raw" -v n="$rows" \
  'BEGIN { printf "on disk: %d bytes compressed (%.1f bytes/event), %.1f bytes/event uncompressed\n", c, c / n, u / n }'
awk -F'\t' '{ b[$1] += $2 } END { for (k in b) printf "%s\t%.2f\n", k, b[k] / n }' n="$rows" "$DIR/columns.tsv" |
  sort -t$'\t' -k2 -rn | head -n 6 | awk -F'\t' '{ printf "  %s %s bytes/event\n", $1, $2 }'
echo "load average: $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
