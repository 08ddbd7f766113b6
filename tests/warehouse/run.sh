#!/usr/bin/env bash
# The warehouse lifecycle on a real 2-shard ClickHouse cluster on loopback
# (scripts/warehouse.sh): init twice (idempotent), rows inserted through the
# Distributed table land on both shards and are counted per shard and in
# total, a shard that lost its version table is upgraded without losing
# rows, old day partitions expire, errors name the URL and never the
# password, and drop removes the tables. Stops what it starts.
#
#   run.sh NSRADAR WAREHOUSE_SH
# Exit 77 (skipped) when clickhouse-server is not installed.
set -euo pipefail

NSRADAR=$1
WAREHOUSE_SH=$2
command -v clickhouse-server >/dev/null || [[ -x /usr/sbin/clickhouse-server ]] || {
  echo "clickhouse-server not installed (scripts/install-deps.sh --tests); skipped"
  exit 77
}

DIR=$(mktemp -d /tmp/nsradar-warehouse.XXXXXX)
cleanup() {
  "$WAREHOUSE_SH" down --dir "$DIR/cluster" || true
  rm -rf "$DIR"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# shellcheck source=../lib/lab.sh
source "$(dirname "$(realpath "$0")")/../lib/lab.sh"
lab_warehouse_up "$WAREHOUSE_SH" "$DIR/cluster" 2 || fail "no cluster"
URLS=$(cat "$DIR/cluster/urls")
S0=http://127.0.0.1:$BASE
S1=http://127.0.0.1:$((BASE + 2))
[[ $URLS == "$S0,$S1" ]] || fail "urls file says '$URLS'"
"$WAREHOUSE_SH" status --dir "$DIR/cluster" >/dev/null || fail "status after up"

ch() {  # url sql
  curl -sS --fail-with-body --data-binary "$2" "$1/?insert_distributed_sync=1"
}
json() {  # python expression over `d`, the JSON document on stdin
  python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

"$NSRADAR" warehouse init --warehouse "$URLS" >"$DIR/init1"
grep -q "$S0: schema version 0 -> 3" "$DIR/init1" || fail "first init: $(cat "$DIR/init1")"
"$NSRADAR" --json warehouse init --warehouse "$URLS" >"$DIR/init2"
[[ $(json '[s["from_version"] for s in d["shards"]]' <"$DIR/init2") == "[3, 3]" ]] || fail "second init: $(cat "$DIR/init2")"

# 40 events of 20 domains through the Distributed table; the sharding by
# registered domain spreads them over both shards.
values=""
for i in $(seq 0 39); do
  values+="(toDateTime('2026-01-0$((1 + i % 3)) 10:00:00'), $i, 'sensor-$((i % 2))', 'x$i.d$((i % 20)).example', 'd$((i % 20)).example', 1),"
done
ch "$S0" "INSERT INTO nsradar.dns_events (ts, usec, sensor, qname, registered_domain, qtype) VALUES ${values%,}" ||
  fail "insert"
ch "$S1" "INSERT INTO nsradar.alerts (ts, sensor, registered_domain, kind, score) VALUES (now(), 'sensor-0', 'd3.example', 'tunnel', 0.9)" ||
  fail "insert alert"

"$NSRADAR" --json warehouse status --warehouse "$URLS" >"$DIR/status1" || fail "status: $(cat "$DIR/status1")"
local0=$(json 'd["shards"][0]["rows"]["dns_events"]' <"$DIR/status1")
local1=$(json 'd["shards"][1]["rows"]["dns_events"]' <"$DIR/status1")
total=$(json 'd["cluster_rows"]["dns_events"]' <"$DIR/status1")
((local0 > 0 && local1 > 0)) || fail "events not on both shards: $local0 + $local1"
((local0 + local1 == 40 && total == 40)) || fail "counts $local0 + $local1, total $total, expected 40"
# The per-shard counts are the shards' own, not the status command's guess.
[[ $(ch "$S1" "SELECT count() FROM nsradar.dns_events_local") == "$local1" ]] || fail "shard 1 count"
[[ $(json 'd["cluster_rows"]["alerts"]' <"$DIR/status1") == 1 ]] || fail "alerts total"
[[ $(json '[s["schema_version"] for s in d["shards"]]' <"$DIR/status1") == "[3, 3]" ]] || fail "versions"
grep -q "cluster (distributed)" <<<"$("$NSRADAR" warehouse status --warehouse "$URLS")" || fail "status table"

# A shard whose version record is gone is upgraded again; its rows stay.
ch "$S1" "DROP TABLE nsradar.schema_version"
"$NSRADAR" warehouse init --warehouse "$URLS" >"$DIR/init3"
grep -q "$S1: schema version 0 -> 3" "$DIR/init3" || fail "re-init: $(cat "$DIR/init3")"
grep -q "$S0: schema version 3 -> 3" "$DIR/init3" || fail "re-init: $(cat "$DIR/init3")"
[[ $(ch "$S0" "SELECT count() FROM nsradar.dns_events") == 40 ]] || fail "rows lost by re-init"

# A shard at version 1 (as the first release made it: no batch id) is
# upgraded to 3: the columns are added, its rows stay and read 0 there.
for t in dns_events alerts observations evidence; do
  for table in $t ${t}_local; do
    ch "$S1" "ALTER TABLE nsradar.$table DROP COLUMN batch_seq"
    ch "$S1" "ALTER TABLE nsradar.$table DROP COLUMN batch_row"
  done
done
for table in evidence evidence_local; do
  for column in vantage qname_raw rcode has_response answer_bytes ns_targets; do
    ch "$S1" "ALTER TABLE nsradar.$table DROP COLUMN $column"
  done
done
ch "$S1" "DROP TABLE nsradar.schema_version"
ch "$S1" "CREATE TABLE nsradar.schema_version (version UInt32, applied DateTime) ENGINE = TinyLog"
ch "$S1" "INSERT INTO nsradar.schema_version VALUES (1, now())"
"$NSRADAR" warehouse init --warehouse "$URLS" >"$DIR/init4"
grep -q "$S1: schema version 1 -> 3" "$DIR/init4" || fail "upgrade: $(cat "$DIR/init4")"
[[ $(ch "$S1" "SELECT count() FROM system.columns WHERE database = 'nsradar' AND name LIKE 'batch_%'") == 16 ]] ||
  fail "upgrade: the batch columns are not all there"
[[ $(ch "$S1" "SELECT count() FROM system.columns WHERE database = 'nsradar' AND table LIKE 'evidence%' AND name IN ('vantage', 'qname_raw', 'rcode', 'has_response', 'answer_bytes', 'ns_targets')") == 12 ]] ||
  fail "upgrade: the evidence columns of version 3 are not all there"
[[ $(ch "$S1" "SELECT count(), max(batch_seq) FROM nsradar.dns_events_local") == "$local1	0" ]] ||
  fail "upgrade lost rows of shard 1"

# A shard newer than this nsradar is refused before anything changes.
ch "$S0" "INSERT INTO nsradar.schema_version VALUES (99, now())"
if "$NSRADAR" warehouse init --warehouse "$URLS" 2>"$DIR/err"; then fail "init over version 99"; fi
grep -q "$S0: the warehouse has schema version 99, newer" "$DIR/err" || fail "version 99: $(cat "$DIR/err")"
ch "$S0" "DROP TABLE nsradar.schema_version"
"$NSRADAR" warehouse init --warehouse "$URLS" >/dev/null

# Retention: the three January days are far older than 30 days.
"$NSRADAR" warehouse expire --warehouse "$URLS" --days 30 >"$DIR/expire"
grep -Eq "^[3-6] day partition" "$DIR/expire" || fail "expire: $(cat "$DIR/expire")"
[[ $(ch "$S0" "SELECT count() FROM nsradar.dns_events") == 0 ]] || fail "expired rows remain"
[[ $(ch "$S0" "SELECT count() FROM nsradar.alerts") == 1 ]] || fail "expire touched alerts"

# Errors name the URL, never the password.
if "$NSRADAR" warehouse status --warehouse "http://u:hunter2@127.0.0.1:1" >"$DIR/out" 2>"$DIR/err"; then
  fail "status of a refused port succeeded"
fi
grep -q "http://u@127.0.0.1:1: Connection refused" "$DIR/err" || fail "refused: $(cat "$DIR/err")"
! grep -q hunter2 "$DIR/out" "$DIR/err" || fail "password shown"
if "$NSRADAR" warehouse init --warehouse "$S0,ftp://u:hunter2@x" 2>"$DIR/err"; then fail "ftp URL accepted"; fi
grep -q "URL 2 'ftp://\*\*\*@x'" "$DIR/err" || fail "bad URL: $(cat "$DIR/err")"
if "$NSRADAR" warehouse init --warehouse "$S0" --password hunter2 2>"$DIR/err"; then fail "wrong password accepted"; fi
grep -q "$S0: HTTP [0-9]*: Code: 193" "$DIR/err" || fail "wrong password: $(cat "$DIR/err")"
! grep -q hunter2 "$DIR/err" || fail "password shown"
if "$NSRADAR" warehouse init --warehouse "$S0" --database 'x;DROP' 2>"$DIR/err"; then fail "bad database"; fi
grep -q -- "--database 'x;DROP'" "$DIR/err" || fail "bad database: $(cat "$DIR/err")"

"$NSRADAR" warehouse drop --warehouse "$URLS"
[[ $(ch "$S1" "SELECT count() FROM system.tables WHERE database = 'nsradar'") == 0 ]] || fail "tables left by drop"
if "$NSRADAR" warehouse status --warehouse "$URLS" >"$DIR/out"; then fail "status without schema succeeded"; fi
grep -q none "$DIR/out" || fail "status after drop: $(cat "$DIR/out")"

pids=$(cat "$DIR"/cluster/shard*/pid)
"$WAREHOUSE_SH" down --dir "$DIR/cluster"
for p in $pids; do
  ! kill -0 "$p" 2>/dev/null || fail "shard PID $p still running after down"
done
echo "PASS"
