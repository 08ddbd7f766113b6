#!/usr/bin/env bash
# Regenerates testdata/ingest: the same DNS traffic as real software records
# it. A real Unbound on 127.0.10.11 answers from local data; dig sends it a
# mix of queries (UDP and TCP, several types, NXDOMAIN, mixed case, a large
# TXT answer) while
#   - tcpdump captures the traffic on lo         -> unbound.pcap
#   - Unbound streams dnstap to fstrm_capture     -> unbound.dnstap
#   - Unbound logs queries and replies            -> unbound.log
# Run as root on Debian 12 (installs what it needs); traffic stays on 127/8.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=testdata/ingest
export DEBIAN_FRONTEND=noninteractive
for p in unbound tcpdump fstrm-bin bind9-dnsutils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
LAB=$(mktemp -d)
ADDR=127.0.10.11
cleanup() {
  for pid in ${UNBOUND:-} ${CAPTURE:-} ${TCPDUMP:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$LAB"
}
trap cleanup EXIT

fstrm_capture -t protobuf:dnstap.Dnstap -u "$LAB/dnstap.sock" -w "$LAB/unbound.dnstap" &
CAPTURE=$!
BIG=$(printf 'v=spf1 %.0s' $(seq 30))  # a TXT answer over 512 bytes: truncated on UDP, then TCP
cat > "$LAB/unbound.conf" <<CONF
server:
  interface: $ADDR
  port: 53
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "$LAB"
  pidfile: "$LAB/unbound.pid"
  use-syslog: no
  logfile: "$LAB/unbound.log"
  log-queries: yes
  log-replies: yes
  log-tag-queryreply: yes
  verbosity: 0
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  local-zone: "good.test." static
  local-data: "good.test. 300 IN SOA ns1.good.test. admin.good.test. 1 3600 600 86400 300"
  local-data: "good.test. 300 IN NS ns1.good.test."
  local-data: "ns1.good.test. 300 IN A 127.0.10.53"
  local-data: "www.good.test. 300 IN A 192.0.2.10"
  local-data: "www.good.test. 300 IN AAAA 2001:db8::10"
  local-data: "good.test. 300 IN MX 10 mail.good.test."
  local-data: 'txt.good.test. 300 IN TXT "hello world"'
  local-data: 'big.good.test. 300 IN TXT "$BIG" "$BIG" "$BIG"'
  local-zone: "example.co.uk." static
  local-data: "www.example.co.uk. 300 IN A 192.0.2.20"
dnstap:
  dnstap-enable: yes
  dnstap-socket-path: "$LAB/dnstap.sock"
  dnstap-send-identity: yes
  dnstap-identity: "fixture-unbound"
  dnstap-log-client-query-messages: yes
  dnstap-log-client-response-messages: yes
CONF
tcpdump -i lo -U -w "$LAB/unbound.pcap" "host $ADDR and port 53" 2>/dev/null &
TCPDUMP=$!
sleep 1
unbound -d -c "$LAB/unbound.conf" &
UNBOUND=$!
sleep 1
q() { dig @$ADDR +tries=1 +time=2 "$@" >/dev/null || true; }
q www.good.test A
q www.good.test AAAA
q good.test MX
q txt.good.test TXT
q WwW.GooD.TeSt A            # mixed case is kept raw and folded for matching
q nothere.good.test A        # NXDOMAIN
q big.good.test TXT +ignore  # truncated over UDP ...
q big.good.test TXT +tcp     # ... and whole over TCP
q www.example.co.uk A        # registered domain under a multi-label suffix
q aGVsbG8gd29ybGQ.x1.good.test TXT
q good.test NS
sleep 2
kill "$UNBOUND"; wait "$UNBOUND" 2>/dev/null || true; UNBOUND=
sleep 2  # fstrm_capture writes what Unbound flushed on exit
kill "$CAPTURE" "$TCPDUMP"; wait 2>/dev/null || true; CAPTURE= TCPDUMP=
mkdir -p "$OUT"
cp "$LAB/unbound.pcap" "$LAB/unbound.dnstap" "$LAB/unbound.log" "$OUT/"
ls -l "$OUT"
