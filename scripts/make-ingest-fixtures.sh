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
RSIDE_PIDS=()
cleanup() {
  for pid in ${UNBOUND:-} ${CAPTURE:-} ${TCPDUMP:-} ${NAMED:-} ${DNSMASQ:-} ${PDNS:-} "${RSIDE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  [[ -n ${ADDED_ADDR:-} ]] && ip addr del 127.0.10.12/32 dev lo 2>/dev/null
  for ns in ${RSIDE_NETNS:-}; do ip netns del "$ns" 2>/dev/null || true; done
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

# Resolver-side dnstap from real resolvers that iterate, so referrals really
# happen (`make-ingest-fixtures.sh resolver-side` makes only these). Two
# network namespaces joined by a veth pair:
#   servers:   authoritative BIND 9 instances: the root on 10.53.0.1, test. on
#              .2, good.test on .3 (in-domain glue, A and AAAA), exfil.test
#              and evil.test on .4 (their server ns1.evil.test has sibling
#              glue in test.; exfil.test answers any name with a TXT, TTL 0,
#              as a tunnel server does)
#   resolvers: BIND 9 recursive on 10.53.0.10, then PowerDNS Recursor 4.8 on
#              10.53.0.11, each iterating from root hints with its defaults
#              (PowerDNS: dnssec=process-no-validate, the fake root being
#              unsigned; query-local-address set, BIND's query-source not),
#              and dig on 10.53.0.100 as their client.
# Each resolver gets the same queries (rside_queries): a few names under
# good.test, one of them answered from the cache, then 64 tunnel-like names
# under exfil.test (60 hex characters of data each, as dnscat-style tools
# send them).
#   - BIND: `dnstap { client; resolver; }`, written by named
#                                               -> bind-resolver.dnstap
#   - PowerDNS: dnstapFrameStreamServer, which in 4.8 sends only its outgoing
#     queries and their responses, to fstrm_capture -> pdns-resolver.dnstap
#   - tcpdump on the resolvers' end of the veth: their upstream traffic only
#                                               -> bind-upstream.pcap, pdns-upstream.pcap
# and resolver-side.counts: the numbers the tests check, counted without
# nsradar. dnstap-read (BIND's reader) counts the messages by type; tshark
# counts the upstream queries, responses and referrals, lists the
# delegations (zone, name server) and glue (host, address) the referrals
# carry, and, with a capture of the client's traffic on lo, counts the
# upstream queries for a name the client asked, or an ancestor of it (QNAME
# minimisation), within 5 s before (nsradar's echoes, docs/ingest.md).
RSIDE_SERVERS=10.53.0
rside_zones() {
  local d=$1
  cat > "$d/root.zone" <<'Z'
$TTL 86400
.            IN SOA a.root.test. admin.test. 1 3600 600 86400 300
.            IN NS  a.root.test.
test.        IN NS  a.nic.test.
a.root.test. IN A   10.53.0.1
a.nic.test.  IN A   10.53.0.2
Z
  cat > "$d/test.zone" <<'Z'
$TTL 86400
test.          IN SOA a.nic.test. admin.test. 1 3600 600 86400 300
test.          IN NS  a.nic.test.
a.nic.test.    IN A   10.53.0.2
a.root.test.   IN A   10.53.0.1
good.test.     IN NS  ns1.good.test.
good.test.     IN NS  ns2.good.test.
ns1.good.test. IN A   10.53.0.3
ns1.good.test. IN AAAA 2001:db8:53::3
ns2.good.test. IN A   10.53.0.3
exfil.test.    IN NS  ns1.evil.test.
evil.test.     IN NS  ns1.evil.test.
ns1.evil.test. IN A   10.53.0.4
Z
  cat > "$d/good.zone" <<'Z'
$TTL 300
@    IN SOA ns1.good.test. admin.good.test. 1 3600 600 86400 300
@    IN NS  ns1.good.test.
@    IN NS  ns2.good.test.
ns1  IN A   10.53.0.3
ns1  IN AAAA 2001:db8:53::3
ns2  IN A   10.53.0.3
www  IN A   192.0.2.10
@    IN MX  10 mail.good.test.
Z
  cat > "$d/exfil.zone" <<'Z'
$TTL 0
@    IN SOA ns1.evil.test. admin.evil.test. 1 3600 600 86400 0
@    IN NS  ns1.evil.test.
*    IN TXT "ack"
Z
  cat > "$d/evil.zone" <<'Z'
$TTL 300
@    IN SOA ns1.evil.test. admin.evil.test. 1 3600 600 86400 300
@    IN NS  ns1.evil.test.
ns1  IN A   10.53.0.4
Z
  printf '.            3600000 NS a.root.test.\na.root.test. 3600000 A  10.53.0.1\n' > "$d/root.hint"
}

# named.conf of an authoritative server: a directory, an address, then
# zone and file pairs.
rside_auth_conf() {
  local d=$1 addr=$2
  shift 2
  mkdir -p "$d"
  {
    echo "options { directory \"$d\"; pid-file \"$d/named.pid\"; session-keyfile \"$d/session.key\";"
    echo "  managed-keys-directory \"$d\"; listen-on { $addr; }; listen-on-v6 { none; };"
    echo "  recursion no; dnssec-validation no; notify no; };"
    echo "controls { };"
    while (($#)); do
      echo "zone \"$1\" { type primary; file \"$2\"; };"
      shift 2
    done
  } > "$d/named.conf"
}

rside_queries() {
  local server=$1 ns=$2
  q() { ip netns exec "$ns" dig -b 10.53.0.100 @"$server" +tries=1 +time=3 "$@" >/dev/null || true; }
  q www.good.test A       # cold cache: root priming, referrals from the root and test.
  q www.good.test AAAA    # NODATA
  q good.test MX
  q nothere.good.test A   # NXDOMAIN
  q www.good.test A       # from the cache: no upstream query
  q ns1.good.test AAAA
  local i h
  for i in $(seq 1 64); do
    h=$(printf 'nsradar fixture chunk %d' "$i" | sha256sum | cut -c1-60)
    q "$h.$i.exfil.test" TXT
  done
}

# The counts of one resolver's recording, as "key value" lines.
rside_counts() {
  local name=$1 tap=$2 up=$3
  dnstap-read "$tap" | awk -v n="$name" '{c[$3]++} END {for (t in c) print n ".dnstap." t, c[t]}' | sort
  tshark -r "$up" -Y dns -T fields -e dns.flags.response 2>/dev/null |
    awk -v n="$name" '{c[$1]++} END {print n ".upstream.queries", c["0"] + 0; print n ".upstream.responses", c["1"] + 0}'
  # Referrals: NOERROR, not authoritative, no answer, NS records in the
  # authority section. Records come in section order in tshark's lists.
  tshark -r "$up" -Y 'dns.flags.response==1' -T fields -E occurrence=a -E aggregator=, \
    -e dns.flags.rcode -e dns.flags.authoritative -e dns.count.answers -e dns.count.auth_rr \
    -e dns.resp.name -e dns.resp.type -e dns.ns -e dns.a -e dns.aaaa 2>/dev/null |
    awk -F'\t' -v n="$name" '
      $1 == 0 && $2 == 0 && $3 == 0 && $7 != "" {
        ++referrals
        split($5, owner, ","); split($6, type, ","); split($7, nsd, ","); split($8, a, ","); split($9, aaaa, ",")
        k = 0; ka = 0; k6 = 0
        for (i = 1; i in type; ++i) {
          if (i <= $4 && type[i] == 2) deleg[owner[i] " " nsd[++k]] = 1
          if (i > $4 && type[i] == 1) glue[owner[i] " " a[++ka]] = 1
          if (i > $4 && type[i] == 28) glue[owner[i] " " aaaa[++k6]] = 1
        }
      }
      END {
        print n ".upstream.referrals", referrals + 0
        for (d in deleg) print n ".delegation", d
        for (g in glue) print n ".glue", g
      }' | sort
}

# Echoes (docs/ingest.md), counted from dnstap-read's lines (millisecond
# times, names) and its YAML (each response's status and answer count), for
# the sides `vantage` reads: resolver-side queries, but the root, for which
# from 5 s before to 2 s after the same file has a client-side query (read
# with both sides) for the name or a name below it, or, when the query's
# response was NOERROR without answers, a resolver-side query for a name
# below it.
rside_echoes() {
  local key=$1 tap=$2 vantage=$3
  paste -d' ' <(dnstap-read "$tap") <(dnstap-read -y "$tap" | awk '
      /^---/ { if (n) print status, answers; n = 0 }
      /^  (query|response)_message_data:/ { block = $1 }
      /^    status:/ && block == "response_message_data:" { status = $2 }
      /^    ANSWER:/ && block == "response_message_data:" { answers = $2 }
      /^type: MESSAGE/ { n = 1; status = "-"; answers = "-"; block = "" }
      END { if (n) print status, answers }') |
    awk -v key="$key" -v vantage="$vantage" '
      BEGIN { CONVFMT = "%.3f" }  # times kept as text keep their milliseconds
      function file(times, name, t) { times[name] = times[name] " " t }
      function near(list, t,   n, i, x) {
        n = split(list, x, " ")
        for (i = 1; i <= n; ++i) if (x[i] >= t - 5 && x[i] <= t + 2) return 1
        return 0
      }
      {
        split($2, hms, ":"); t = hms[1] * 3600 + hms[2] * 60 + hms[3]
        name = tolower($9); sub(/\/in\/.*/, "", name)
        port = $4
      }
      $3 == "CQ" && vantage == "both" {
        for (n = name; n != "." && n != ""; n = (i = index(n, ".")) ? substr(n, i + 1) : "") file(client, n, t)
      }
      $3 == "RQ" {  # a response pairs with the latest query from its port
        last[port] = ++queries; qt[queries] = t; qn[queries] = name
        for (n = name; (i = index(n, ".")) && n != "."; ) { n = substr(n, i + 1); file(below, n, t) }
      }
      $3 == "RR" { empty[last[port]] = ($(NF - 1) == "NOERROR" && $NF == 0) }
      END {
        for (q = 1; q <= queries; ++q) {
          n = qn[q]
          if (n != "." && (near(client[n], qt[q]) || (empty[q] && near(below[n], qt[q])))) ++echoes
        }
        print key, echoes + 0
      }'
}

make_resolver_side() {
  local srv=nsradar-fixture-servers-$$ res=nsradar-fixture-resolvers-$$ d=$LAB/rside
  mkdir -p "$d"
  ip netns add "$srv"
  RSIDE_NETNS="$srv"
  ip netns add "$res"
  RSIDE_NETNS="$srv $res"
  ip netns exec "$srv" ip link set lo up
  ip netns exec "$res" ip link set lo up
  ip link add rside-srv netns "$srv" type veth peer name rside-res netns "$res"
  ip netns exec "$srv" ip link set rside-srv up
  ip netns exec "$res" ip link set rside-res up
  ip netns exec "$srv" ip addr add $RSIDE_SERVERS.1/24 dev rside-srv
  for a in 2 3 4; do ip netns exec "$srv" ip addr add $RSIDE_SERVERS.$a/32 dev rside-srv; done
  ip netns exec "$res" ip addr add $RSIDE_SERVERS.10/24 dev rside-res
  ip netns exec "$res" ip addr add $RSIDE_SERVERS.11/32 dev rside-res
  ip netns exec "$res" ip addr add $RSIDE_SERVERS.100/32 dev lo
  rside_zones "$d"
  rside_auth_conf "$d/root" $RSIDE_SERVERS.1 . "$d/root.zone"
  rside_auth_conf "$d/tld" $RSIDE_SERVERS.2 test "$d/test.zone"
  rside_auth_conf "$d/good" $RSIDE_SERVERS.3 good.test "$d/good.zone"
  rside_auth_conf "$d/evil" $RSIDE_SERVERS.4 exfil.test "$d/exfil.zone" evil.test "$d/evil.zone"
  for s in root tld good evil; do
    ip netns exec "$srv" named -4 -n 1 -f -u root -c "$d/$s/named.conf" > "$d/$s/named.out" 2>&1 &
    RSIDE_PIDS+=($!)
  done
  sleep 2

  # Records one resolver: $1 name, $2 the command starting it (in the
  # resolvers' namespace), $3 its address.
  record() {
    local name=$1 start=$2 addr=$3 tcpdump resolver
    ip netns exec "$res" tcpdump -Z root -i rside-res -U -w "$d/$name-upstream.pcap" port 53 2>/dev/null &
    tcpdump=$!
    RSIDE_PIDS+=("$tcpdump")
    sleep 1
    ip netns exec "$res" $start > "$d/$name.out" 2>&1 &
    resolver=$!
    RSIDE_PIDS+=("$resolver")
    sleep 2
    rside_queries "$addr" "$res"
    sleep 3  # dnstap writers flush about once a second
    kill "$resolver"; wait "$resolver" 2>/dev/null || true
    sleep 1
    kill "$tcpdump"; wait "$tcpdump" 2>/dev/null || true
  }

  mkdir -p "$d/bind"
  cat > "$d/bind/named.conf" <<CONF
options {
  directory "$d/bind";
  pid-file "$d/bind/named.pid";
  session-keyfile "$d/bind/session.key";
  managed-keys-directory "$d/bind";
  listen-on { $RSIDE_SERVERS.10; };
  listen-on-v6 { none; };
  recursion yes;
  allow-recursion { any; };
  dnssec-validation no;
  dnstap { client; resolver; };
  dnstap-output file "$d/bind-resolver.dnstap";
  dnstap-identity "fixture-bind";
};
controls { };
zone "." { type hint; file "$d/root.hint"; };
CONF
  record bind "named -4 -n 1 -f -u root -c $d/bind/named.conf" $RSIDE_SERVERS.10

  echo "dnstapFrameStreamServer({\"$d/pdns-dnstap.sock\"}, {logQueries=true, logResponses=true})" > "$d/pdns.lua"
  ip netns exec "$res" fstrm_capture -t protobuf:dnstap.Dnstap -u "$d/pdns-dnstap.sock" -w "$d/pdns-resolver.dnstap" \
    > "$d/fstrm.out" 2>&1 &
  local capture=$!
  RSIDE_PIDS+=("$capture")
  sleep 1
  mkdir -p "$d/pdns"
  record pdns "pdns_recursor --local-address=$RSIDE_SERVERS.11 --local-port=53 --query-local-address=$RSIDE_SERVERS.11
    --allow-from=$RSIDE_SERVERS.0/24 --hint-file=$d/root.hint --dont-query= --dnssec=process-no-validate
    --lua-config-file=$d/pdns.lua --server-id=fixture-pdns --socket-dir=$d/pdns --config-dir=$d/pdns
    --daemon=no --disable-syslog --setuid=root --setgid=root" $RSIDE_SERVERS.11
  sleep 1
  kill "$capture"; wait "$capture" 2>/dev/null || true
  for f in bind-resolver pdns-resolver; do
    [[ $(dnstap-read "$d/$f.dnstap" | wc -l) -gt 0 ]] || { echo "$f.dnstap holds no message; see $d" >&2; exit 1; }
  done

  mkdir -p "$OUT"
  cp "$d/bind-resolver.dnstap" "$d/bind-upstream.pcap" "$d/pdns-resolver.dnstap" "$d/pdns-upstream.pcap" "$OUT/"
  {
    echo "# Counted by scripts/make-ingest-fixtures.sh resolver-side with dnstap-read and tshark, without nsradar."
    rside_counts bind "$d/bind-resolver.dnstap" "$d/bind-upstream.pcap"
    rside_echoes bind.echoes.both "$d/bind-resolver.dnstap" both
    rside_echoes bind.echoes.resolver "$d/bind-resolver.dnstap" resolver
    rside_counts pdns "$d/pdns-resolver.dnstap" "$d/pdns-upstream.pcap"
    rside_echoes pdns.echoes "$d/pdns-resolver.dnstap" both  # PowerDNS 4.8 logs no client side
  } > "$OUT/resolver-side.counts"
  cat "$OUT/resolver-side.counts"
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
if [[ ${1:-} == resolver-side ]]; then
  make_resolver_side
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
make_resolver_side
ls -l "$OUT"
