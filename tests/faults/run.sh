#!/usr/bin/env bash
# Fault harness (issue 11): the live pipeline (`nsradar serve --config`)
# fed by a real Unbound over dnstap, while it is killed, starved of disk
# and flooded with signals. Everything runs in a network namespace and a
# private mount namespace this script creates; nothing outlives it.
#
#   core (nsr-flt-PID): BIND at 127.0.10.2, authoritative for test. with a
#        wildcard TXT under every tunnel domain; Unbound at 127.0.10.1
#        streaming dnstap to nsradar; tests/faults/traffic.py pushing
#        tunnel-shaped queries from 127.0.20.x.
#
# Scenarios, each checked:
#   kill   kill -9 at a random moment of a tunnel session, four times; after
#          each kill: the RPZ file is a valid zone (named-checkzone), every
#          alert written to alerts_out before the kill is in the store,
#          the store opens, Unbound reconnects and the next tunnel alerts.
#   disk   store, alerts_out and RPZ on a 128 MB tmpfs, filled up: the
#          error is logged, nsradar stays up and keeps detecting (alerts on
#          stdout), the files stay valid; when space returns the alerts
#          raised meanwhile reach the store, alerts_out and the RPZ.
#   hup    100 SIGHUPs within a second: still serving, still detecting, RPZ
#          valid.
#
# Usage: run.sh NSRADAR_BINARY [WORKDIR]. Needs root; exits 77 without.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root"; exit 77; fi
for tool in named unbound named-checkzone python3 ip unshare curl; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/install-deps.sh)"; exit 77; }
done
# Mounts made here (the tmpfs) vanish with the process, even on kill -9.
if [[ -z ${NSR_FAULTS_UNSHARED:-} ]]; then
  exec unshare -m --propagation private env NSR_FAULTS_UNSHARED=1 "$0" "$@"
fi

NSRADAR=$(realpath "$1")
WORK=${2:-$(mktemp -d /tmp/nsr-faults.XXXXXX)}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
HERE=$(dirname "$(realpath "$0")")
CORE=nsr-flt-$$
KEY=at_abcdefghijklmnopqrstuvwxyz012
# shellcheck source=../lib/jobs.sh
source "$HERE/../lib/jobs.sh"
# shellcheck source=../lib/lab.sh
source "$HERE/../lib/lab.sh"
NSR_PID=""
cleanup() {
  set +e
  [[ -n $NSR_PID ]] && kill -9 "$NSR_PID" 2>/dev/null
  stop_jobs
  umount "$WORK/small" 2>/dev/null
  ip netns del "$CORE" 2>/dev/null
}
trap cleanup EXIT
in_core() { ip netns exec "$CORE" "$@"; }
fail() {
  echo "FAIL: $*"
  for f in "$WORK"/nsradar.err "$WORK"/unbound/unbound.log; do
    [[ -f $f ]] && { echo "--- $f"; tail -n 30 "$f"; }
  done
  exit 1
}

ip netns add "$CORE"
in_core ip link set lo up
for a in 127.0.10.1 127.0.10.2; do in_core ip addr add "$a/32" dev lo; done

# --- BIND: test. with a wildcard under each tunnel domain -------------------
lab_named_conf "$WORK/bind" test
{
  echo "\$TTL 60"
  echo "\$ORIGIN test."
  echo "@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60"
  echo "@ NS ns"
  echo "ns A 127.0.10.2"
  for r in k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11 k12 d1 d2 d3 d4 h1 h2; do
    echo "*.$r TXT \"ok\""
  done
} >"$WORK/bind/test.zone"
bg_job ip netns exec "$CORE" named -g -c "$WORK/bind/named.conf" >"$WORK/bind/named.log" 2>&1

# --- nsradar's configuration --------------------------------------------------
echo "$KEY" >"$WORK/keys"
SOCK="$WORK/dnstap.sock"
write_config() {  # data directory (store, alerts, RPZ)
  local data=$1
  mkdir -p "$data"
  cat >"$WORK/nsradar.conf" <<CONF
store = $data/store
listen = 127.0.0.1:0
api_keys = $WORK/keys
input = dnstap-socket:$SOCK
alerts_out = $data/alerts.jsonl
rpz_out = $data/rpz.zone
rpz_interval_seconds = 0.1
log_format = json
CONF
}
PORT=0
start_nsradar() {
  : >"$WORK/nsradar.err"
  # Not through in_core: $! must be the process itself (ip netns exec execs it).
  ip netns exec "$CORE" "$NSRADAR" serve --config "$WORK/nsradar.conf" >>"$WORK/nsradar.out" 2>"$WORK/nsradar.err" &
  NSR_PID=$!
  PORT=$(api_port "$WORK/nsradar.err" "$NSR_PID") || fail "nsradar did not start (exited, or no API port in 10 s)"
  [[ $(api /healthz) == ok ]] || fail "no /healthz"
}
api() { in_core curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT$1"; }
stored_alert() {  # domain: is an alert for it in the store?
  grep -q "\"registered_domain\":\"$1\"" <<<"$(api "/v2/alerts?domain=$1")"
}
rpz_valid() { named-checkzone -q rpz.nsradar "$1" >/dev/null; }
tunnel() {  # domain, client number, queries
  in_core python3 "$HERE/traffic.py" 127.0.10.1 "127.0.20.$2" "$1" "${3:-150}" >/dev/null
}
wait_for() {  # seconds, command...
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do (($(date +%s) < deadline)) || return 1; sleep 0.3; done
}
in_file() { grep -q "\"registered_domain\":\"$1\"" "$2" 2>/dev/null; }
# Runs tunnel sessions of `domain` until its alert is in `file` (a tunnel
# before the resolver's dnstap connection is up goes unseen).
tunnel_until_alert() {  # domain, client number, alerts file, seconds
  local deadline=$(($(date +%s) + $4))
  until in_file "$1" "$3"; do
    (($(date +%s) < deadline)) || return 1
    tunnel "$1" "$2" 150
    sleep 0.3
  done
}
in_stdout() { grep -q " $1 " "$WORK/nsradar.out"; }

# --- Unbound, streaming dnstap ------------------------------------------------
mkdir -p "$WORK/unbound"
{
  lab_unbound_server "$WORK/unbound" 127.0.10.1 127.0.0.0/8
  cat <<CONF
  msg-cache-size: 1m
stub-zone:
  name: "test."
  stub-addr: 127.0.10.2
dnstap:
  dnstap-enable: yes
  dnstap-socket-path: "$SOCK"
  dnstap-log-client-query-messages: yes
  dnstap-log-client-response-messages: yes
CONF
} >"$WORK/unbound/unbound.conf"

# === kill -9 mid-stream =========================================================
write_config "$WORK/data"
start_nsradar
bg_job ip netns exec "$CORE" unbound -d -c "$WORK/unbound/unbound.conf" >"$WORK/unbound/unbound.log" 2>&1
for _ in $(seq 50); do
  in_core python3 "$HERE/traffic.py" 127.0.10.1 127.0.20.99 k1.test 1 2>/dev/null | grep -q 1 && break
  sleep 0.2
done
client=1
for round in 1 2 3 4; do
  a=k$((round * 3 - 2)) b=k$((round * 3 - 1)) c=k$((round * 3))
  [[ $round == 1 ]] || start_nsradar
  # A first tunnel alerts; this also proves Unbound (re)connected.
  tunnel_until_alert "$a.test" "$client" "$WORK/data/alerts.jsonl" 60 || fail "round $round: no alert for $a.test after (re)start"
  client=$((client + 1))
  tunnel "$b.test" "$client" 400 &
  traffic=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -9 "$NSR_PID"
  wait "$NSR_PID" 2>/dev/null || true
  NSR_PID=""
  wait "$traffic" || true
  client=$((client + 1))
  rpz_valid "$WORK/data/rpz.zone" || fail "round $round: the RPZ is not a valid zone after kill -9"
  mapfile -t acked < <(sed -n 's/.*"registered_domain":"\([^"]*\)".*/\1/p' "$WORK/data/alerts.jsonl" | sort -u)
  start_nsradar
  for d in "${acked[@]}"; do stored_alert "$d" || fail "round $round: $d was written out before the kill but is not in the store"; done
  # The next tunnel, on the restarted process.
  tunnel_until_alert "$c.test" "$client" "$WORK/data/alerts.jsonl" 60 || fail "round $round: no alert for $c.test after the restart"
  client=$((client + 1))
  echo "kill round $round: ${#acked[@]} alerts acknowledged before the kill, all kept; RPZ valid; next tunnel alerted"
  [[ $round == 4 ]] || { kill -9 "$NSR_PID"; wait "$NSR_PID" 2>/dev/null || true; NSR_PID=""; }
done

# === SIGHUP storm ================================================================
for _ in $(seq 100); do kill -HUP "$NSR_PID"; sleep 0.01; done
kill -0 "$NSR_PID" 2>/dev/null || fail "nsradar died under 100 SIGHUPs"
[[ $(api /healthz) == ok ]] || fail "no /healthz after the SIGHUP storm"
tunnel_until_alert h1.test "$client" "$WORK/data/alerts.jsonl" 60 || fail "no alert after the SIGHUP storm"
client=$((client + 1))
wait_for 10 grep -q '^h1.test CNAME' "$WORK/data/rpz.zone" || fail "the RPZ did not follow after the SIGHUP storm"
rpz_valid "$WORK/data/rpz.zone" || fail "RPZ invalid after the SIGHUP storm"
echo "hup: 100 SIGHUPs in a second; still serving, detecting, RPZ valid"
kill "$NSR_PID"
wait "$NSR_PID" 2>/dev/null || true
NSR_PID=""

# === disk full =====================================================================
mkdir -p "$WORK/small"
mount -t tmpfs -o size=128m nsr-small "$WORK/small"
write_config "$WORK/small"
start_nsradar
tunnel_until_alert d1.test "$client" "$WORK/small/alerts.jsonl" 60 || fail "disk: no first alert"
client=$((client + 1))
dd if=/dev/zero of="$WORK/small/filler" bs=64k 2>/dev/null || true  # until the disk is full
tunnel d2.test "$client" 150
client=$((client + 1))
wait_for 30 in_stdout d2.test || fail "disk full: detection stopped (no d2.test alert on stdout)"
kill -0 "$NSR_PID" 2>/dev/null || fail "disk full: nsradar died"
[[ $(api /healthz) == ok ]] || fail "disk full: no /healthz"
wait_for 15 grep -q 'No space left on device' "$WORK/nsradar.err" || fail "disk full: no error logged"
rpz_valid "$WORK/small/rpz.zone" || fail "disk full: RPZ invalid"
rm -f "$WORK/small/filler"
tunnel d3.test "$client" 150
client=$((client + 1))
for d in d2.test d3.test; do
  wait_for 30 in_file "$d" "$WORK/small/alerts.jsonl" || fail "space back: $d not in alerts_out"
  wait_for 30 stored_alert "$d" || fail "space back: $d not in the store"
  wait_for 30 grep -q "^$d CNAME" "$WORK/small/rpz.zone" || fail "space back: $d not in the RPZ"
done
python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/small/alerts.jsonl" \
  || fail "alerts_out holds a broken line"
rpz_valid "$WORK/small/rpz.zone" || fail "space back: RPZ invalid"
echo "disk: full then freed; error logged, detection went on, nothing lost, files valid"
kill "$NSR_PID"
wait "$NSR_PID" 2>/dev/null || true
NSR_PID=""
echo "PASS"
