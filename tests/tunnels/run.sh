#!/usr/bin/env bash
# Recall harness (issue 5): real iodine and dns2tcp tunnels through a real
# recursive resolver, watched live by `nsradar watch` on the resolver's
# dnstap stream, and re-read in batch from a capture.
#
# The network, all in namespaces this script creates and removes:
#   core  (nsr-core-PID): BIND at 127.0.10.2, authoritative for the root,
#         test. and good.test.; Unbound at 10.77.0.1, the resolver the
#         clients use, streaming dnstap to nsradar; the tunnel servers
#         (iodined x2, dns2tcpd x2) at 127.0.0.21-24, each the in-bailiwick
#         name server of its own domain; the TCP sinks the tunnels carry a
#         4,096-byte file to.
#   one namespace per client (10.77.0.11-15) on a bridge in core: four
#   tunnel clients and a benign client resolving ordinary names.
#
# Passes when, within 60 s of each tunnel starting, nsradar raised a
# tunneling alert for exactly the four tunnel domains, each naming the right
# client first, with no alert for the benign domain, and every file arrived
# intact; live, in batch, and in batch with tool fingerprints ignored. Needs root (namespaces, tun devices); exits 77 (skipped) without.
#
# With NSR_PIPELINE=1 the same network runs the whole product instead of
# `nsradar watch`: `nsradar serve --config` (zone data of test. ingested
# first) takes Unbound's dnstap, alerts, checks each alert's name servers,
# writes the RPZ Unbound loads and reloads Unbound; the harness then checks
# that every alert carries a name-server verdict, that the tunnel domains
# now get NXDOMAIN while good.test still resolves, and that the running
# iodine tunnel no longer carries traffic.
#
# Usage: run.sh NSRADAR_BINARY [WORKDIR]
set -euo pipefail

NSRADAR=$(realpath "$1")
KEEP_WORK=${2:+1}
WORK=${2:-$(mktemp -d /tmp/nsr-tunnels.XXXXXX)}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
HERE=$(dirname "$(realpath "$0")")
DEADLINE_S=60

if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root"; exit 77; fi
for tool in named unbound iodine iodined dns2tcpc dns2tcpd dig python3 tcpdump ip; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/install-deps.sh)"; exit 77; }
done
[[ -c /dev/net/tun ]] || { echo "SKIP: no /dev/net/tun"; exit 77; }

CORE=nsr-core-$$
CLIENTS=(d2ttxt d2tkey iodnull iodtxt benign)
declare -A CLIENT_IP=([d2ttxt]=10.77.0.11 [d2tkey]=10.77.0.12 [iodnull]=10.77.0.13 [iodtxt]=10.77.0.14 [benign]=10.77.0.15)
# shellcheck source=../lib/jobs.sh
source "$HERE/../lib/jobs.sh"
# shellcheck source=../lib/lab.sh
source "$HERE/../lib/lab.sh"
cleanup() {
  set +e
  stop_jobs
  for c in "${CLIENTS[@]}"; do ip netns del "nsr-$c-$$" 2>/dev/null; done
  ip netns del "$CORE" 2>/dev/null
}
trap cleanup EXIT

in_core() { ip netns exec "$CORE" "$@"; }
in_client() { local c=$1; shift; ip netns exec "nsr-$c-$$" "$@"; }
bg() {
  if [[ $1 == in_core ]]; then shift; set -- ip netns exec "$CORE" "$@"; fi
  if [[ $1 == in_client ]]; then set -- ip netns exec "nsr-$2-$$" "${@:3}"; fi
  bg_job "$@"
}

# --- network -------------------------------------------------------------
ip netns add "$CORE"
in_core ip link set lo up
in_core ip addr add 127.0.10.2/32 dev lo
in_core ip link add br0 type bridge
in_core ip addr add 10.77.0.1/24 dev br0
in_core ip link set br0 up
i=0
for c in "${CLIENTS[@]}"; do
  ns="nsr-$c-$$"
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  i=$((i + 1))
  in_core ip link add "v$i" type veth peer name eth0 netns "$ns"
  in_core ip link set "v$i" master br0 up
  ip netns exec "$ns" ip addr add "${CLIENT_IP[$c]}/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
done

# --- authoritative servers (BIND) ------------------------------------------
lab_named_conf "$WORK/bind" . test good.test
{
  lab_test_zone_head
  n=21
  for d in d2ttxt d2tkey iodnull iodtxt; do
    echo "$d NS ns1.$d"
    echo "ns1.$d A 127.0.0.$n"
    n=$((n + 1))
  done
} >"$WORK/bind/test.zone"
lab_good_zone >"$WORK/bind/good.test.zone"
bg in_core named -g -c "$WORK/bind/named.conf" >"$WORK/bind/named.log" 2>&1

# --- tunnel servers --------------------------------------------------------
# dns2tcp at .21 and .22, iodine at .23 and .24, as delegated above.
for d in d2ttxt:21 d2tkey:22; do
  name=${d%%:*} last=${d##*:}
  cat >"$WORK/$name.conf" <<CONF
listen = 127.0.0.$last
port = 53
domain = $name.test
key = s3cr3t
resources = sink:127.0.0.1:90$last
CONF
done
for name in d2ttxt d2tkey; do
  bg in_core dns2tcpd -F -d 1 -f "$WORK/$name.conf" >"$WORK/$name-server.log" 2>&1
done
# A client that starts before its server answers gives up at once: wait
# until each dns2tcpd answers on its address (any status will do).
for d in d2ttxt:21 d2tkey:22; do
  name=${d%%:*} last=${d##*:}
  for _ in $(seq 50); do
    in_core dig +time=1 +tries=1 @127.0.0.$last "probe.$name.test" TXT 2>/dev/null | grep -q "status:" && break
    sleep 0.2
  done
done
bg in_core iodined -f -c -P s3cr3tpass -l 127.0.0.23 -p 53 -d tnull 10.253.1.1/27 iodnull.test >"$WORK/iodnull-server.log" 2>&1
bg in_core iodined -f -c -P s3cr3tpass -l 127.0.0.24 -p 53 -d ttxt 10.253.2.1/27 iodtxt.test >"$WORK/iodtxt-server.log" 2>&1

# TCP sinks: each writes what one connection carries to a file.
sink() {
  local addr=$1 port=$2 out=$3
  bg in_core python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
c, _ = s.accept()
with open(sys.argv[3], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b); f.flush()
' "$addr" "$port" "$out"
}
sink 127.0.0.1 9021 "$WORK/d2ttxt.received"
sink 127.0.0.1 9022 "$WORK/d2tkey.received"
# The tunnels connect to the sinks as soon as they authenticate: wait until
# both listen (an interpreter can take a second to start on a busy machine).
for port in 9021 9022; do
  for _ in $(seq 100); do in_core ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
done

# --- nsradar, then the resolver that streams to it -------------------------
SOCK="$WORK/dnstap.sock"
mkdir -p "$WORK/unbound"
PIPELINE=${NSR_PIPELINE:-0}
RPZ_CONF=""
if ((PIPELINE)); then
  # The operator's index: the test. zone, with every delegation and glue.
  "$NSRADAR" --store "$WORK/store" zone ingest --observed-at "$(date +%s)" "$WORK/bind/test.zone" >/dev/null
  "$NSRADAR" --store "$WORK/store" rpz export --out "$WORK/unbound/rpz.zone" 2>/dev/null
  echo "at_abcdefghijklmnopqrstuvwxyz012" >"$WORK/keys"
  cat >"$WORK/nsradar.conf" <<CONF
store = $WORK/store
listen = 127.0.0.1:0
api_keys = $WORK/keys
input = dnstap-socket:$SOCK
alerts_out = $WORK/alerts.jsonl
rpz_out = $WORK/unbound/rpz.zone
rpz_reload_command = test ! -f $WORK/unbound/unbound.pid || kill -HUP \$(cat $WORK/unbound/unbound.pid)
rpz_interval_seconds = 0.5
CONF
  bg "$NSRADAR" serve --config "$WORK/nsradar.conf" >"$WORK/watch.out" 2>"$WORK/watch.err"
  RPZ_CONF="rpz:
  name: rpz.nsradar
  zonefile: $WORK/unbound/rpz.zone"
else
  bg "$NSRADAR" --json watch "dnstap-socket:$SOCK" --out "$WORK/alerts.jsonl" >"$WORK/watch.out" 2>"$WORK/watch.err"
fi
for _ in $(seq 50); do [[ -S $SOCK ]] && break; sleep 0.1; done
[[ -S $SOCK ]] || { echo "FAIL: nsradar did not listen"; cat "$WORK/watch.err"; exit 1; }

lab_root_hints "$WORK/unbound/root.hints"
{
  lab_unbound_server "$WORK/unbound" 10.77.0.1 10.77.0.0/24
  cat <<CONF
  root-hints: "$WORK/unbound/root.hints"
  module-config: "$( ((PIPELINE)) && echo "respip iterator" || echo iterator)"
  qname-minimisation: no
  pidfile: "$WORK/unbound/unbound.pid"
CONF
  lab_unbound_dnstap "$SOCK"
  echo "$RPZ_CONF"
} >"$WORK/unbound/unbound.conf"
# Fragments too: iodine's answers (up to ~1,500 bytes) leave Unbound in two
# IP fragments, and only the first carries the port.
bg in_core tcpdump -i br0 -U -w "$WORK/clients.pcap" "udp port 53 or (ip[6:2] & 0x1fff != 0)" >/dev/null 2>&1
bg in_core unbound -d -c "$WORK/unbound/unbound.conf" >"$WORK/unbound/unbound.log" 2>&1
for _ in $(seq 50); do
  in_client benign dig +short +time=1 +tries=1 @10.77.0.1 www.good.test A 2>/dev/null | grep -q 127.0.20.2 && break
  sleep 0.2
done
in_client benign dig +short @10.77.0.1 www.good.test A | grep -q 127.0.20.2 || {
  echo "FAIL: the resolver does not answer"; cat "$WORK/unbound/unbound.log" "$WORK/bind/named.log"; exit 1
}

# --- traffic ---------------------------------------------------------------
head -c 4096 /dev/urandom >"$WORK/payload"
declare -A START
now() { date +%s.%N; }

# Benign: a user browsing and mailing, with some typos (NXDOMAIN), for the
# whole run.
bg in_client benign bash -c '
  for i in $(seq 300); do
    for n in www mail api cdn "" "host$((i % 7))" www; do
      dig +short +time=2 +tries=1 @10.77.0.1 "${n:+$n.}good.test" A >/dev/null 2>&1
    done
    dig +short +time=2 +tries=1 @10.77.0.1 good.test MX >/dev/null 2>&1
    sleep 0.2
  done'

START[d2ttxt]=$(now)
# dns2tcpc exits at the end of its input before the last chunk is through:
# its input stays open after the file until the harness stops it.
bg in_client d2ttxt bash -c "(cat '$WORK/payload'; sleep 60) | dns2tcpc -z d2ttxt.test -k s3cr3t -r sink -l - 10.77.0.1 >'$WORK/d2ttxt-client.log' 2>&1"
START[d2tkey]=$(now)
bg in_client d2tkey bash -c "(cat '$WORK/payload'; sleep 60) | dns2tcpc -z d2tkey.test -k s3cr3t -r sink -T KEY -l - 10.77.0.1 >'$WORK/d2tkey-client.log' 2>&1"

# iodine: the client's tun device stays in the client's namespace, the
# server's in core, so the tunnel cannot short-circuit; the file goes over
# TCP through it to a sink on the server's tunnel address.
iodine_client() {
  local name=$1 net=$2 extra=$3
  START[$name]=$(now)
  bg in_client "$name" bash -c "
    iodine -f -r -P s3cr3tpass $extra -d tc$name 10.77.0.1 $name.test >'$WORK/$name-client.log' 2>&1 &
    for _ in \$(seq 200); do ip addr show tc$name 2>/dev/null | grep -q 'inet 10.253.$net.' && break; sleep 0.2; done
    python3 -c '
import socket, sys, time
for _ in range(100):
    try:
        s = socket.create_connection((sys.argv[1], 9000), timeout=30); break
    except OSError:
        time.sleep(0.3)
s.sendall(open(sys.argv[2], \"rb\").read()); s.shutdown(socket.SHUT_WR); s.recv(1); s.close()
' 10.253.$net.1 '$WORK/payload' >>'$WORK/$name-client.log' 2>&1
    wait"
}
# The sinks listen on the servers' tunnel addresses once iodined made them.
for _ in $(seq 50); do in_core ip addr show tnull 2>/dev/null | grep -q 10.253.1.1 && in_core ip addr show ttxt 2>/dev/null | grep -q 10.253.2.1 && break; sleep 0.1; done
sink 10.253.1.1 9000 "$WORK/iodnull.received"
sink 10.253.2.1 9000 "$WORK/iodtxt.received"
for _ in $(seq 100); do [[ $(in_core ss -Hltn "sport = :9000" | wc -l) -ge 2 ]] && break; sleep 0.1; done
iodine_client iodnull 1 ""
iodine_client iodtxt 2 "-T TXT -O Base32"

# --- wait for the alerts and the files --------------------------------------
end=$(($(date +%s) + DEADLINE_S + 5))
while (($(date +%s) < end)); do
  done_all=1
  for d in d2ttxt d2tkey iodnull iodtxt; do
    grep -q "\"registered_domain\":\"$d.test\"" "$WORK/alerts.jsonl" 2>/dev/null || done_all=0
    # With the pipeline enforcing, a tunnel may be cut before its file is through.
    ((PIPELINE)) || [[ $(stat -c %s "$WORK/$d.received" 2>/dev/null || echo 0) -ge 4096 ]] || done_all=0
  done
  ((done_all)) && break
  sleep 1
done
# Keep going for at least 20 s, so the tunnels' keep-alive polls and the
# benign client's traffic are part of what nsradar judges.
while (($(date +%s) < ${START[iodtxt]%.*} + 20)); do sleep 1; done

for d in "${!START[@]}"; do echo "$d ${START[$d]} ${CLIENT_IP[$d]}"; done >"$WORK/starts.txt"

if ((PIPELINE)); then
  # Enforcement: the RPZ holds the four domains and Unbound applies it.
  : >"$WORK/enforcement.txt"
  for _ in $(seq 50); do
    n=0
    for d in d2ttxt d2tkey iodnull iodtxt; do grep -q "^$d.test CNAME" "$WORK/unbound/rpz.zone" && n=$((n + 1)); done
    ((n == 4)) && break
    sleep 0.2
  done
  rcode() { in_client benign dig +time=2 +tries=1 @10.77.0.1 "$1" "$2" 2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
  for _ in $(seq 25); do [[ $(rcode probe.d2ttxt.test TXT) == NXDOMAIN ]] && break; sleep 0.2; done
  for d in d2ttxt d2tkey iodnull iodtxt; do
    echo "blocked $d.test $(rcode "aaaaaaaa.$d.test" TXT)" >>"$WORK/enforcement.txt"
  done
  echo "benign www.good.test $(rcode www.good.test A)" >>"$WORK/enforcement.txt"
  # The running iodine tunnel: a connection through it now times out, or
  # iodine gave up and took its interface away (a live tunnel would connect
  # or be refused by the server side at once).
  tunnel=$(in_client iodnull python3 -c '
import errno, socket
try:
    socket.create_connection(("10.253.1.1", 9000), timeout=8); print("alive")
except socket.timeout:
    print("dead")
except OSError as e:
    print("dead" if e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) else "alive")
')
  echo "iodine-after-rpz 10.253.1.1:9000 $tunnel" >>"$WORK/enforcement.txt"
fi
stop_jobs
wait 2>/dev/null || true

echo "--- nsradar watch"; cat "$WORK/watch.err"
echo "--- batch: nsradar detect over the capture of the clients' side"
"$NSRADAR" --json detect "$WORK/clients.pcap" >"$WORK/batch.jsonl" 2>"$WORK/batch.err" || true
cat "$WORK/batch.err"
echo "--- batch again, known tools' fingerprints ignored"
"$NSRADAR" --json detect --no-fingerprints "$WORK/clients.pcap" >"$WORK/batch-nofp.jsonl" 2>"$WORK/batch-nofp.err" || true
cat "$WORK/batch-nofp.err"
if ! python3 "$HERE/check.py" "$WORK" "$DEADLINE_S" "$PIPELINE"; then
  for f in "$WORK"/*-client.log "$WORK"/*-server.log; do echo "--- $f"; tail -n 15 "$f"; done
  exit 1
fi
# Passed: a work directory of our own goes (a failure keeps it to look at).
[[ -n $KEEP_WORK ]] || rm -rf "$WORK"
