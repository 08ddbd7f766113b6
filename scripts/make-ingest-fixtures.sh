#!/usr/bin/env bash
# Regenerates testdata/ingest: the same DNS traffic as real software records
# it. A real Unbound on 127.0.10.11 answers from local data; dig sends it a
# mix of queries (UDP and TCP, several types, NXDOMAIN, mixed case, a large
# TXT answer) while
#   - tcpdump captures the traffic on lo         -> unbound.pcap
#   - Unbound streams dnstap to fstrm_capture     -> unbound.dnstap
#   - Unbound logs queries and replies            -> unbound.log
# and the same queries go through BIND, dnsmasq and PowerDNS Recursor
# forwarding to that Unbound, each logging its queries:
#   bind-query.log, dnsmasq.log, powerdns.log
#   and, from unbound.pcap, the captures of make_captures below.
# Run as root on Debian 12 (installs what it needs); traffic stays on 127/8.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=testdata/ingest
export DEBIAN_FRONTEND=noninteractive
for p in unbound tcpdump tshark zstd xz-utils fstrm-bin bind9-dnsutils bind9 dnsmasq pdns-recursor; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
LAB=$(mktemp -d)
ADDR=127.0.10.11
cleanup() {
  for pid in ${UNBOUND:-} ${CAPTURE:-} ${TCPDUMP:-} ${NAMED:-} ${DNSMASQ:-} ${PDNS:-}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n ${ADDED_ADDR:-} ]] && ip addr del 127.0.10.12/32 dev lo 2>/dev/null
  rm -rf "$LAB"
}
trap cleanup EXIT

# The Unbound both parts use: local data only, queries and replies logged,
# dnstap to fstrm_capture.
write_unbound_conf() {
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
  local-data: "multi.good.test. 300 IN A 192.0.2.31"
  local-data: "multi.good.test. 300 IN A 192.0.2.32"
  local-data: "multi.good.test. 300 IN A 192.0.2.33"
dnstap:
  dnstap-enable: yes
  dnstap-socket-path: "$LAB/dnstap.sock"
  dnstap-send-identity: yes
  dnstap-identity: "fixture-unbound"
  dnstap-log-client-query-messages: yes
  dnstap-log-client-response-messages: yes
CONF
}

# Captures of other link types, compressed captures and a multi-record
# dnsmasq answer, beside the unbound.pcap already in testdata/ingest
# (`make-ingest-fixtures.sh captures` makes only these):
#   - tcpdump on the "any" device records Linux cooked captures, first SLL,
#     then SLL2, each of other queries to the same Unbound; mergecap joins
#     them with unbound.pcap (Ethernet) into one pcapng whose three
#     interfaces have three link types, as mergecap and `tcpdump -i any`
#     setups make them                          -> multilink.pcapng
#   - gzip, zstd and xz copies                    -> unbound.pcap.gz, multilink.pcapng.zst,
#                                                    multilink.pcapng.xz, unbound.dnstap.xz
#   - dnsmasq (log-queries=extra) forwarding to the Unbound, which answers
#     multi.good.test with three A records: three reply lines for one query
#                                                 -> dnsmasq-multi.log
# tshark prints the counts the tests expect, computed without nsradar.
make_captures() {
  write_unbound_conf
  sed -i -e '/^dnstap:/,$d' -e 's/log-queries: yes/log-queries: no/; s/log-replies: yes/log-replies: no/' "$LAB/unbound.conf"
  unbound -d -c "$LAB/unbound.conf" &
  UNBOUND=$!
  sleep 1
  q() { dig @"$ADDR" +tries=1 +time=2 "$@" >/dev/null || true; }
  tcpdump -i any -y LINUX_SLL -U -w "$LAB/sll.pcap" "host $ADDR and port 53" 2>/dev/null &
  TCPDUMP=$!
  sleep 1
  q multi.good.test A
  q www.good.test A
  q sll.good.test TXT          # NXDOMAIN
  sleep 1
  kill "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null || true; TCPDUMP=
  tcpdump -i any -y LINUX_SLL2 -U -w "$LAB/sll2.pcap" "host $ADDR and port 53" 2>/dev/null &
  TCPDUMP=$!
  sleep 1
  q multi.good.test AAAA       # NODATA
  q txt.good.test TXT
  q www.example.co.uk A
  q www.good.test A +tcp
  sleep 1
  kill "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null || true; TCPDUMP=
  dnsmasq --no-daemon --conf-file=/dev/null --listen-address=127.0.10.13 --bind-interfaces --port=53 \
    --no-resolv --server=$ADDR --cache-size=0 --log-queries=extra --log-facility="$LAB/dnsmasq-multi.log" \
    --pid-file="$LAB/dnsmasq.pid" --user=root &
  DNSMASQ=$!
  sleep 1
  for args in "multi.good.test A" "www.good.test A" "multi.good.test A" "nothere.good.test A" "multi.good.test AAAA"; do
    dig @127.0.10.13 +tries=1 +time=2 $args >/dev/null || true
  done
  sleep 1
  kill "$DNSMASQ" "$UNBOUND"; wait "$DNSMASQ" "$UNBOUND" 2>/dev/null || true; DNSMASQ= UNBOUND=
  mergecap -w "$OUT/multilink.pcapng" "$OUT/unbound.pcap" "$LAB/sll.pcap" "$LAB/sll2.pcap"
  gzip -9 -n -c "$OUT/unbound.pcap" > "$OUT/unbound.pcap.gz"
  zstd -q -f -19 "$OUT/multilink.pcapng" -o "$OUT/multilink.pcapng.zst"
  xz -9 -c "$OUT/multilink.pcapng" > "$OUT/multilink.pcapng.xz"
  xz -9 -c "$OUT/unbound.dnstap" > "$OUT/unbound.dnstap.xz"
  cp "$LAB/dnsmasq-multi.log" "$OUT/"
  echo "multilink.pcapng: queries and responses per interface (id, link type):"
  tshark -r "$OUT/multilink.pcapng" -Y dns -T fields -e frame.interface_id -e frame.encap_type -e dns.flags.response |
    sort | uniq -c
  echo "dnsmasq-multi.log: query lines, and reply lines per serial:"
  grep -c ' query\[' "$OUT/dnsmasq-multi.log"
  grep ' reply ' "$OUT/dnsmasq-multi.log" | awk '{print $6}' | sort | uniq -c
}

queries() {
  local server=$1
  q() { dig @"$server" +tries=1 +time=2 "$@" >/dev/null || true; }
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
}

if [[ ${1:-} == captures ]]; then
  make_captures
  exit
fi


fstrm_capture -t protobuf:dnstap.Dnstap -u "$LAB/dnstap.sock" -w "$LAB/unbound.dnstap" &
CAPTURE=$!
write_unbound_conf
tcpdump -i lo -U -w "$LAB/unbound.pcap" "host $ADDR and port 53" 2>/dev/null &
TCPDUMP=$!
sleep 1
unbound -d -c "$LAB/unbound.conf" &
UNBOUND=$!
sleep 1
queries $ADDR
sleep 1
kill "$UNBOUND"; wait "$UNBOUND" 2>/dev/null || true; UNBOUND=
sleep 2  # fstrm_capture writes what Unbound flushed on exit
kill "$CAPTURE" "$TCPDUMP"; wait 2>/dev/null || true; CAPTURE= TCPDUMP=
mkdir -p "$OUT"
cp "$LAB/unbound.pcap" "$LAB/unbound.dnstap" "$LAB/unbound.log" "$OUT/"

# The same Unbound, quiet now, behind three other resolvers.
sed -i -e '/^dnstap:/,$d' -e 's/log-queries: yes/log-queries: no/; s/log-replies: yes/log-replies: no/' "$LAB/unbound.conf"
unbound -d -c "$LAB/unbound.conf" &
UNBOUND=$!

# BIND 9 forwarding to Unbound, query log with times. BIND binds only
# addresses that exist on an interface.
ip addr add 127.0.10.12/32 dev lo 2>/dev/null && ADDED_ADDR=1
cat > "$LAB/named.conf" <<CONF
options {
  directory "$LAB";
  pid-file "$LAB/named.pid";
  listen-on port 53 { 127.0.10.12; };
  listen-on-v6 { none; };
  recursion yes;
  allow-recursion { 127.0.0.0/8; };
  forwarders { $ADDR; };
  forward only;
  dnssec-validation no;
  querylog yes;
};
controls { };
logging {
  channel q { file "$LAB/bind-query.log"; print-time yes; print-category yes; print-severity yes; };
  category queries { q; };
};
CONF
named -f -c "$LAB/named.conf" -u root > "$LAB/named.out" 2>&1 &
NAMED=$!
# dnsmasq forwarding to Unbound, log-queries=extra.
dnsmasq --no-daemon --conf-file=/dev/null --listen-address=127.0.10.13 --bind-interfaces --port=53 \
  --no-resolv --server=$ADDR --cache-size=0 --log-queries=extra --log-facility="$LAB/dnsmasq.log" \
  --pid-file="$LAB/dnsmasq.pid" --user=root &
DNSMASQ=$!
# PowerDNS Recursor forwarding to Unbound, structured query logging.
pdns_recursor --local-address=127.0.10.14 --local-port=53 --socket-dir="$LAB" --config-dir="$LAB" \
  --forward-zones="good.test=$ADDR,example.co.uk=$ADDR" --dont-query= --quiet=no --structured-logging=yes \
  --disable-syslog --daemon=no --setuid=root --setgid=root --max-cache-ttl=0 --max-negative-ttl=0 \
  > "$LAB/powerdns.log" 2>&1 &
PDNS=$!
sleep 2
queries 127.0.10.12
queries 127.0.10.13
queries 127.0.10.14
sleep 1
kill "$NAMED" "$DNSMASQ" "$PDNS"; wait "$NAMED" "$DNSMASQ" "$PDNS" 2>/dev/null || true; NAMED= DNSMASQ= PDNS=
kill "$UNBOUND"; wait "$UNBOUND" 2>/dev/null || true; UNBOUND=
cp "$LAB/bind-query.log" "$LAB/dnsmasq.log" "$LAB/powerdns.log" "$OUT/"
make_captures
ls -l "$OUT"
