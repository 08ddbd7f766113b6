#!/usr/bin/env bash
# One detection across sensors on a real tunnel (issue 15 item 3).
#
# A real iodine tunnel, slow and quiet (non-lazy mode, CNAME queries, one
# 8-byte datagram through it every 30 s, echoed back), whose queries a
# round-robin balancer spreads over three real Unbound resolvers; each
# resolver streams dnstap to its own sensor (`nsradar serve --config` with
# a warehouse); a 2-shard ClickHouse cluster on loopback; `nsradar correlate
# --rpz` polling the evidence every 2 s. The network, in two namespaces
# this script creates and removes:
#   resolvers' namespace: BIND at 127.0.10.2 (root, test., good.test.);
#   iodined at 127.0.0.21, the in-bailiwick name server of tun.test; three
#   Unbounds at 127.0.1.1-3, each loading the correlator's RPZ; the
#   balancer at 10.77.0.1 (a UDP forwarder: query n to resolver n mod 3, as
#   a load balancer such as dnsdist does; the resolvers see its address;
#   no iptables/nftables here, and their NAT would pin iodine's one socket
#   to one resolver anyway);
#   client's namespace (10.77.0.11, a veth): iodine and its tun device, a
#   benign client asking for good.test names.
# The sensors, the correlator and ClickHouse run outside, on loopback.
#
# Sensors and correlator ignore tool marks (fingerprints = false): a known
# tool's mark decides on one query wherever it lands, so there is no
# threshold a split could keep a sensor under; the proof is about the
# traffic features, which are what catches an unknown tool.
#
# Why so slow (measured, docs/warehouse.md "The proof on a real tunnel"):
# iodine's handshake alone is ~35 points centrally and 10-20 per sensor
# against 30, and each data query adds ~5 to one sensor; dns2tcp polls
# ~15 times a second and every sensor crosses 4-5 s after the centre.
#
# Asserts, over 65 s of tunnel: the correlator alerts tun.test (tunneling
# or exfiltration) within 60 s of the tunnel's start, once, in its alerts
# file and in the alerts table as its own; every sensor wrote evidence for
# tun.test; no sensor raised an alert (alerts files, /metrics, the alerts
# table); nothing for good.test; the tunnel carried data; the correlator's
# RPZ holds tun.test, its reload command ran after the alert, named-checkzone
# accepts the zone, and the three Unbounds, reloaded, answer NXDOMAIN below
# tun.test while good.test still resolves. Prints what each sensor and the
# centre saw.
#
#   correlate_proof.sh NSRADAR WAREHOUSE_SH
# Exit 77 (skipped) without root, /dev/net/tun or a tool it needs.
set -euo pipefail

NSRADAR=$(realpath "$1")
WAREHOUSE_SH=$(realpath "$2")
HERE=$(dirname "$(realpath "$0")")
DEADLINE_S=60
# The tunnel's pace: iodine's options, and a datagram of PING_BYTES
# through it every PING_EVERY seconds.
IODINE_OPTS=${NSR_PROOF_IODINE:--T CNAME -O Base32 -m 200 -L0 -I 10}
PING_EVERY=${NSR_PROOF_PING_EVERY:-30}
PING_BYTES=${NSR_PROOF_PING_BYTES:-8}
RUN_S=${NSR_PROOF_RUN_S:-65}

if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root"; exit 77; fi
for tool in named unbound iodine iodined dig python3 ip curl clickhouse-server named-checkzone; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/install-deps.sh --tests)"; exit 77; }
done
[[ -c /dev/net/tun ]] || { echo "SKIP: no /dev/net/tun"; exit 77; }

# shellcheck source=../lib/jobs.sh
source "$HERE/../lib/jobs.sh"
# shellcheck source=../lib/lab.sh
source "$HERE/../lib/lab.sh"
DIR=$(mktemp -d /tmp/nsr-correlate-proof.XXXXXX)
NS=nsr-cproof-$$
cleanup() {
  set +e
  stop_jobs
  ip netns del "$NS-client" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  "$WAREHOUSE_SH" down --dir "$DIR/cluster" >/dev/null 2>&1
  [[ -n ${NSR_PROOF_KEEP:-} ]] || rm -rf "$DIR"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  lab_show_errs "$DIR"
  exit 1
}
in_ns() { ip netns exec "$NS" "$@"; }

# --- the warehouse --------------------------------------------------------
lab_warehouse_up "$WAREHOUSE_SH" "$DIR/cluster" 2 || fail "the ClickHouse cluster did not start"
URLS=$(cat "$DIR/cluster/urls")
"$NSRADAR" warehouse init --warehouse "$URLS" >/dev/null
echo "$(date +%T) the warehouse is up"
ch() { curl -sS --fail-with-body --data-binary "$1" "http://127.0.0.1:$BASE/"; }

# --- the network and the authoritative side --------------------------------
ip netns add "$NS"
ip netns add "$NS-client"
in_ns ip link set lo up
ip netns exec "$NS-client" ip link set lo up
in_ns ip link add veth0 type veth peer name eth0 netns "$NS-client"
in_ns ip addr add 10.77.0.1/24 dev veth0
in_ns ip link set veth0 up
ip netns exec "$NS-client" ip addr add 10.77.0.11/24 dev eth0
ip netns exec "$NS-client" ip link set eth0 up
in_ns ip addr add "$LAB_AUTH/32" dev lo # named listens only on addresses an interface has
lab_named_conf "$DIR/bind" . test good.test
{
  lab_test_zone_head
  echo "tun NS ns1.tun"
  echo "ns1.tun A 127.0.0.21"
} >"$DIR/bind/test.zone"
lab_good_zone >"$DIR/bind/good.test.zone"
bg_job ip netns exec "$NS" named -g -c "$DIR/bind/named.conf" >"$DIR/named.log" 2>&1
# iodined at 127.0.0.21, its tunnel address 10.253.1.1.
bg_job ip netns exec "$NS" iodined -f -c -P s3cr3tpass -l 127.0.0.21 -p 53 -d tsrv 10.253.1.1/27 tun.test \
  >"$DIR/iodined.log" 2>&1
# A UDP echo on the server's tunnel address: what the client sends through
# the tunnel comes back through it.
for _ in $(seq 100); do in_ns ip addr show tsrv 2>/dev/null | grep -q 10.253.1.1 && break; sleep 0.1; done
bg_job ip netns exec "$NS" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.253.1.1", 9000))
while True:
    b, peer = s.recvfrom(65535); s.sendto(b, peer)
'

# --- the correlator and the sensors ----------------------------------------
KEY=at_abcdefghijklmnopqrstuvwxyz012
echo "$KEY" >"$DIR/keys"
RPZ=$DIR/central.rpz
: >"$DIR/central.alerts"
# Each Unbound reloads the RPZ at SIGHUP. The reload command counts its
# runs, and reloads only once the harness enforces: the tunnel must run the
# whole minute for "no sensor alerts" to mean anything.
RELOAD="echo >>$DIR/reloads; test -f $DIR/enforce || exit 0; for p in $DIR/r*/unbound.pid; do kill -HUP \$(cat \$p); done"
bg_job "$NSRADAR" --store "$DIR/central-store" correlate --warehouse "$URLS" --name central \
  --state "$DIR/central.state" --interval 2 --alerts-out "$DIR/central.alerts" --no-fingerprints \
  --rpz "$RPZ" --rpz-reload-command "$RELOAD" >"$DIR/central.out" 2>"$DIR/central.err"
for _ in $(seq 100); do [[ -s $RPZ ]] && break; sleep 0.1; done
[[ -s $RPZ ]] || fail "the correlator wrote no RPZ at start"
SENSORS=()
PORTS=()
for r in 1 2 3; do
  mkdir -p "$DIR/r$r"
  cat >"$DIR/r$r.conf" <<CONF
store = $DIR/r$r/store
listen = 127.0.0.1:0
api_keys = $DIR/keys
sensor = resolver-$r
input = dnstap-socket:$DIR/r$r/dnstap.sock
fingerprints = false
alerts_out = $DIR/r$r.alerts
warehouse = $URLS
warehouse_spool = $DIR/r$r/spool
warehouse_batch_ms = 500
CONF
  bg_job "$NSRADAR" serve --config "$DIR/r$r.conf" >/dev/null 2>"$DIR/r$r.err"
  SENSORS+=("${PIDS[-1]}")
done
for r in 1 2 3; do
  PORTS+=("$(api_port "$DIR/r$r.err" "${SENSORS[$((r - 1))]}")") || fail "sensor $r did not start"
  for _ in $(seq 50); do [[ -S $DIR/r$r/dnstap.sock ]] && break; sleep 0.1; done
done

# --- three resolvers and the balancer ---------------------------------------
lab_root_hints "$DIR/root.hints"
for r in 1 2 3; do
  {
    lab_unbound_server "$DIR/r$r" "127.0.1.$r" 127.0.0.0/8
    cat <<CONF
  root-hints: "$DIR/root.hints"
  module-config: "respip iterator"
  qname-minimisation: no
  pidfile: "$DIR/r$r/unbound.pid"
CONF
    lab_unbound_dnstap "$DIR/r$r/dnstap.sock"
    cat <<CONF
rpz:
  name: rpz.nsradar
  zonefile: "$RPZ"
CONF
  } >"$DIR/r$r/unbound.conf"
  bg_job ip netns exec "$NS" unbound -d -c "$DIR/r$r/unbound.conf" >"$DIR/unbound$r.log" 2>&1
done
bg_job ip netns exec "$NS" python3 -c '
# Round-robin UDP balancer: query n goes to resolver n mod 3; the answer
# goes back to whoever asked. Counts per resolver go to the file at exit.
import select, signal, socket, sys
counts = [0, 0, 0]
def done(*_):
    open(sys.argv[1], "w").write(" ".join(map(str, counts)) + "\n"); sys.exit(0)
signal.signal(signal.SIGTERM, done)
ups = [("127.0.1.1", 53), ("127.0.1.2", 53), ("127.0.1.3", 53)]
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); front.bind(("10.77.0.1", 53))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); back.bind(("127.0.1.10", 0))
waiting, n = {}, 0
while True:
    ready, _, _ = select.select([front, back], [], [])
    if front in ready:
        q, client = front.recvfrom(65535)
        if len(q) >= 12:
            up = ups[n % 3]; counts[n % 3] += 1; n += 1
            waiting[(up, q[:2])] = client
            back.sendto(q, up)
    if back in ready:
        a, up = back.recvfrom(65535)
        client = waiting.pop((up, a[:2]), None)
        if client: front.sendto(a, client)
' "$DIR/balancer.counts"
BALANCER=${PIDS[-1]}
resolves() { in_ns dig +short +time=1 +tries=1 @"$1" www.good.test A 2>/dev/null | grep -q 127.0.20.2; }
for ip in 127.0.1.1 127.0.1.2 127.0.1.3 10.77.0.1; do
  for _ in $(seq 50); do resolves "$ip" && break; sleep 0.2; done
  resolves "$ip" || fail "$ip does not resolve www.good.test"
done

echo "$(date +%T) the resolvers answer"
# --- traffic: a benign client, and the slow tunnel ----------------------------
bg_job ip netns exec "$NS-client" bash -c '
  for i in $(seq 400); do
    for n in www mail api cdn "" "host$((i % 7))"; do dig +short +time=2 +tries=1 @10.77.0.1 "${n:+$n.}good.test" A >/dev/null 2>&1; done
    sleep 0.5
  done'
START=$(date +%s.%N)
# iodine in the client's namespace (its tun device there, the server's in
# the resolvers' namespace, so the tunnel cannot short-circuit); once up, a
# datagram of PING_BYTES through it every PING_EVERY seconds, each echoed.
bg_job ip netns exec "$NS-client" bash -c "
  iodine -f -r -P s3cr3tpass $IODINE_OPTS -d tcli 10.77.0.1 tun.test >'$DIR/iodine.log' 2>&1 &
  for _ in \$(seq 300); do ip addr show tcli 2>/dev/null | grep -q 'inet 10.253.1.' && break; sleep 0.2; done
  python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(float(sys.argv[1]))
while True:
    s.sendto(b\"x\" * int(sys.argv[2]), (\"10.253.1.1\", 9000))
    try:
        s.recv(65535); print(\"echoed\", flush=True)
    except socket.timeout:
        pass
    time.sleep(float(sys.argv[1]))
' $PING_EVERY $PING_BYTES >'$DIR/ping.log' 2>&1 &
  wait"

central_alerted() { grep -q '"registered_domain":"tun.test"' "$DIR/central.alerts"; }
LATENCY=""
while (($(echo "$(date +%s.%N) - $START < $RUN_S" | bc))); do
  if [[ -z $LATENCY ]] && central_alerted; then LATENCY=$(echo "$(date +%s.%N) - $START" | bc); fi
  sleep 0.5
done
[[ -n $LATENCY ]] || { central_alerted && LATENCY=$(echo "$(date +%s.%N) - $START" | bc); }
kill -TERM -- "-$BALANCER" 2>/dev/null || true

# --- what each saw ------------------------------------------------------------
metric() { # port name: the sum of its series
  curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$1/metrics" |
    awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%d\n", s }'
}
sensors_sent() {
  local r
  for r in 0 1 2; do (($(metric "${PORTS[$r]}" nsradar_warehouse_spool_batches) == 0)) || return 1; done
}
for _ in $(seq 50); do sensors_sent && break; sleep 0.2; done
sleep 3 # the last rows into the warehouse, the last poll
# Kept with NSR_PROOF_KEEP=1 (with the rest of the work folder), to replay
# the scores over time.
ch "SELECT * FROM nsradar.evidence FORMAT RowBinary" >"$DIR/evidence.rowbinary"
ch "SELECT name FROM system.columns WHERE database = 'nsradar' AND table = 'evidence'" >"$DIR/evidence.columns"
echo "balancer: queries per resolver $(cat "$DIR/balancer.counts" 2>/dev/null)"
echo "datagrams echoed through the tunnel: $(grep -c echoed "$DIR/ping.log" 2>/dev/null || true)"
for r in 1 2 3; do
  echo "resolver-$r: $(ch "SELECT count(), uniqExact(qname) FROM nsradar.evidence WHERE sensor = 'resolver-$r' AND registered_domain = 'tun.test' FORMAT TSV" | tr '\t' ' ') evidence rows, unique names for tun.test; alerts: $(grep -c . "$DIR/r$r.alerts" 2>/dev/null || true)"
done
echo "central: $(grep -c . "$DIR/central.alerts") alerts, latency ${LATENCY:-none} s"
cat "$DIR/central.alerts"
for r in 1 2 3; do [[ -s $DIR/r$r.alerts ]] && { echo "--- resolver-$r alerts"; cat "$DIR/r$r.alerts"; }; done

# --- the assertions -------------------------------------------------------------
[[ -n $LATENCY ]] || fail "no central alert for tun.test within ${RUN_S}s"
grep -q echoed "$DIR/ping.log" || fail "nothing came back through the tunnel: $(tail -n 5 "$DIR/iodine.log")"
(($(echo "$LATENCY <= $DEADLINE_S" | bc))) || fail "the central alert came after ${LATENCY}s (more than ${DEADLINE_S}s)"
python3 - "$DIR/central.alerts" <<'PY' || fail "the central alerts are not one tunneling/exfiltration alert for tun.test"
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tun = [a for a in alerts if a["registered_domain"] == "tun.test"]
assert len(tun) == 1 and tun[0]["category"] in ("tunneling", "exfiltration"), tun
assert not [a for a in alerts if a["registered_domain"] == "good.test"], alerts
PY
for r in 1 2 3; do
  [[ $(ch "SELECT count() FROM nsradar.evidence WHERE sensor = 'resolver-$r' AND registered_domain = 'tun.test'") -gt 0 ]] ||
    fail "resolver-$r wrote no evidence for tun.test"
  grep -q '"registered_domain":"tun.test"' "$DIR/r$r.alerts" 2>/dev/null && fail "resolver-$r alerted tun.test alone"
  (($(metric "${PORTS[$((r - 1))]}" nsradar_alerts_total) == 0)) || fail "resolver-$r counts alerts: $(cat "$DIR/r$r.alerts")"
done
[[ $(ch "SELECT count() FROM nsradar.alerts WHERE sensor != 'central'") == 0 ]] || fail "a sensor's alert in the alerts table"
for _ in $(seq 25); do
  [[ $(ch "SELECT count() FROM nsradar.alerts WHERE sensor = 'central' AND registered_domain = 'tun.test'") == 1 ]] && break
  sleep 0.2
done
[[ $(ch "SELECT count() FROM nsradar.alerts WHERE sensor = 'central' AND registered_domain = 'tun.test'") == 1 ]] ||
  fail "the central alert is not once in the alerts table"

# The RPZ: tun.test's triggers (the reload command ran for it: the zone
# at start, then the alert's), a valid zone, enforced by the resolvers.
(($(wc -l <"$DIR/reloads") >= 2)) || fail "the correlator did not run its reload command after the alert"
touch "$DIR/enforce"
bash -c "$RELOAD"
grep -q '^tun.test CNAME \.$' "$RPZ" && grep -q '^\*.tun.test CNAME \.$' "$RPZ" || fail "no tun.test trigger in the RPZ: $(cat "$RPZ")"
named-checkzone -q rpz.nsradar "$RPZ" || fail "named-checkzone rejects the RPZ: $(named-checkzone rpz.nsradar "$RPZ")"
rcode() { in_ns dig +time=2 +tries=1 @"$1" "$2" TXT 2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
for ip in 127.0.1.1 127.0.1.2 127.0.1.3; do
  for _ in $(seq 25); do [[ $(rcode "$ip" probe.tun.test) == NXDOMAIN ]] && break; sleep 0.2; done
  [[ $(rcode "$ip" "aaaaaaaaaaaa.tun.test") == NXDOMAIN ]] || fail "$ip does not apply the RPZ to tun.test"
  resolves "$ip" || fail "$ip no longer resolves www.good.test"
done
echo "PASS: tun.test alerted centrally ${LATENCY}s after the tunnel started, by no sensor alone; the RPZ blocks it"
