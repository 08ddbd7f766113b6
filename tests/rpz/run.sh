#!/usr/bin/env bash
# RPZ enforcement harness (issue 6): the zone `nsradar rpz export` writes is
# loaded by BIND 9, Unbound and PowerDNS Recursor, started here as the
# network's resolvers, and blocks what nsradar found.
#
# In a namespace this script creates and removes:
#   BIND authoritative at 127.0.10.2 for the root, test., good.test. and
#   d2ttxt.test. (a tunnel domain nsradar alerted on, served by its own
#   ns1.d2ttxt.test), and a second BIND at 127.0.10.3, ns1.evil.test (a name
#   server in threat intelligence), for unrelated.test.;
#   BIND recursive at 127.0.10.11, Unbound at .12, PowerDNS Recursor at .13,
#   each loading the RPZ zone rpz.nsradar from one file.
#
# Before: every name resolves through every resolver. Then nsradar keeps
# the alerts of the recorded real tunnels (testdata/detect/tunnels.pcap),
# imports ns1.evil.test as a name-server indicator and exports the RPZ,
# reloading the three resolvers through --reload-command. After: the tunnel
# domain and its subdomains get NXDOMAIN (QNAME trigger), unrelated.test
# gets NXDOMAIN through its name server (NSDNAME trigger), good.test still
# resolves. Needs root; exits 77 (skipped) without it or the servers.
#
# Usage: run.sh NSRADAR_BINARY TESTDATA_DIR [WORKDIR]
set -euo pipefail

NSRADAR=$(realpath "$1")
TESTDATA=$(realpath "$2")
KEEP_WORK=${3:+1}
WORK=${3:-$(mktemp -d /tmp/nsr-rpz.XXXXXX)}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
HERE=$(dirname "$(realpath "$0")")

if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root"; exit 77; fi
for tool in named unbound pdns_recursor rec_control dig ip; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/install-deps.sh)"; exit 77; }
done

NS=nsr-rpz-$$
# shellcheck source=../lib/jobs.sh
source "$HERE/../lib/jobs.sh"
# shellcheck source=../lib/lab.sh
source "$HERE/../lib/lab.sh"
cleanup() {
  set +e
  stop_jobs
  ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
in_ns ip link set lo up
for a in 2 3 11 12 13; do in_ns ip addr add "127.0.10.$a/32" dev lo; done

# --- authoritative ------------------------------------------------------------
mkdir -p "$WORK/auth"
SOA="@ 3600 IN SOA a.root.test. hostmaster.test. 1 3600 600 86400 60"
cat >"$WORK/auth/named.conf" <<CONF
options {
  directory "$WORK/auth";
  pid-file none;
  session-keyfile none;
  listen-on { 127.0.10.2; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
};
controls { };
zone "." { type primary; file "root.zone"; };
zone "test" { type primary; file "test.zone"; };
zone "good.test" { type primary; file "good.zone"; };
zone "d2ttxt.test" { type primary; file "d2ttxt.zone"; };
CONF
# unrelated.test on a server of its own: were it on the server of test.,
# that server would answer for it directly, and no resolver would ever see
# the delegation to ns1.evil.test that the NSDNAME trigger is about.
sed -e 's/127.0.10.2;/127.0.10.3;/' -e '/^zone/d' "$WORK/auth/named.conf" >"$WORK/auth/evil.conf"
echo 'zone "unrelated.test" { type primary; file "unrelated.zone"; };' >>"$WORK/auth/evil.conf"
printf '$TTL 3600\n%s\n@ NS a.root.test.\ntest. NS a.root.test.\na.root.test. A 127.0.10.2\n' "$SOA" >"$WORK/auth/root.zone"
cat >"$WORK/auth/test.zone" <<ZONE
\$TTL 3600
\$ORIGIN test.
$SOA
@ NS a.root
a.root A 127.0.10.2
good NS a.root
d2ttxt NS ns1.d2ttxt
ns1.d2ttxt A 127.0.10.2
unrelated NS ns1.evil
ns1.evil A 127.0.10.3
ZONE
# Each leaf zone's own NS set matches its delegation: resolvers believe the
# child, and the NSDNAME trigger must see ns1.evil.test there too.
for z in good:127.0.20.1:a.root.test d2ttxt:127.0.20.2:ns1.d2ttxt.test unrelated:127.0.20.3:ns1.evil.test; do
  IFS=: read -r name addr ns <<<"$z"
  printf '$TTL 60\n%s\n@ NS %s.\n@ A %s\nwww A %s\n' "$SOA" "$ns" "$addr" "$addr" >"$WORK/auth/$name.zone"
done
echo "ns1 A 127.0.10.2" >>"$WORK/auth/d2ttxt.zone"  # its in-zone server
bg_job ip netns exec "$NS" named -g -c "$WORK/auth/named.conf" >"$WORK/auth/named.log" 2>&1
bg_job ip netns exec "$NS" named -g -c "$WORK/auth/evil.conf" >"$WORK/auth/evil.log" 2>&1

# --- the RPZ, empty to begin with ----------------------------------------------
RPZ="$WORK/rpz.nsradar.zone"
STORE="$WORK/store"
"$NSRADAR" --store "$STORE" detect --store "$STORE" /dev/null >/dev/null 2>&1 || true  # creates the store
"$NSRADAR" --store "$STORE" rpz export --out "$RPZ"
lab_root_hints "$WORK/root.hints"

# --- the three resolvers --------------------------------------------------------
mkdir -p "$WORK/bind" "$WORK/unbound" "$WORK/pdns"
cat >"$WORK/bind/named.conf" <<CONF
options {
  directory "$WORK/bind";
  pid-file none;
  session-keyfile none;
  listen-on { 127.0.10.11; };
  listen-on-v6 { none; };
  recursion yes;
  allow-recursion { 127.0.0.0/8; };
  dnssec-validation no;
  response-policy { zone "rpz.nsradar" policy given log yes min-update-interval 0; } qname-wait-recurse yes nsdname-wait-recurse yes nsip-wait-recurse yes;
};
controls { };
zone "." { type hint; file "$WORK/root.hints"; };
zone "rpz.nsradar" { type primary; file "$RPZ"; };
CONF
bg_job ip netns exec "$NS" named -g -c "$WORK/bind/named.conf" >"$WORK/bind/named.log" 2>&1
BIND_PID=${PIDS[-1]}

{
  lab_unbound_server "$WORK/unbound" 127.0.10.12 127.0.0.0/8
  cat <<CONF
  root-hints: "$WORK/root.hints"
  module-config: "respip iterator"
  qname-minimisation: no
  pidfile: ""
rpz:
  name: "rpz.nsradar"
  zonefile: "$RPZ"
  rpz-log: yes
CONF
} >"$WORK/unbound/unbound.conf"
bg_job ip netns exec "$NS" unbound -d -c "$WORK/unbound/unbound.conf" >"$WORK/unbound/unbound.log" 2>&1
UNBOUND_PID=${PIDS[-1]}

echo "rpzFile(\"$RPZ\", {policyName=\"rpz.nsradar\"})" >"$WORK/pdns/rpz.lua"
bg_job ip netns exec "$NS" pdns_recursor --config-dir="$WORK/pdns" --socket-dir="$WORK/pdns" \
  --local-address=127.0.10.13 --local-port=53 --allow-from=127.0.0.0/8 --hint-file="$WORK/root.hints" \
  --dont-query= --dnssec=off --lua-config-file="$WORK/pdns/rpz.lua" --daemon=no --write-pid=no \
  --disable-syslog --loglevel=4 >"$WORK/pdns/pdns.log" 2>&1

RESOLVERS=(bind:127.0.10.11 unbound:127.0.10.12 powerdns:127.0.10.13)
answer() {  # resolver address, name -> the A record or the rcode
  local out
  out=$(in_ns dig +time=2 +tries=2 @"$1" "$2" A 2>&1) || { echo "no-answer"; return; }
  local rcode
  rcode=$(sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$out")
  if [[ $rcode == NOERROR ]]; then
    awk '/^;; ANSWER SECTION/{f=1;next} f&&NF>=5&&$4=="A"{print $5;exit}' <<<"$out"
  else
    echo "$rcode"
  fi
}
for r in "${RESOLVERS[@]}"; do
  for _ in $(seq 50); do [[ $(answer "${r#*:}" good.test) == 127.0.20.1 ]] && break; sleep 0.2; done
done

failures=0
expect() {  # phase, resolver, name, expected
  local got
  got=$(answer "${2#*:}" "$3")
  if [[ $got == "$4" ]]; then
    printf '  %-7s %-9s %-20s %s\n' "$1" "${2%%:*}" "$3" "$got"
  else
    printf '  %-7s %-9s %-20s %s   FAIL: expected %s\n' "$1" "${2%%:*}" "$3" "$got" "$4"
    failures=$((failures + 1))
  fi
}
echo "--- before"
for r in "${RESOLVERS[@]}"; do
  expect before "$r" d2ttxt.test 127.0.20.2
  expect before "$r" www.d2ttxt.test 127.0.20.2
  expect before "$r" unrelated.test 127.0.20.3
  expect before "$r" good.test 127.0.20.1
done

# --- nsradar: alerts, intelligence, the RPZ, the reloads --------------------------
"$NSRADAR" --store "$STORE" detect --store "$STORE" "$TESTDATA/detect/tunnels.pcap" >/dev/null
echo ns1.evil.test >"$WORK/evil-ns.txt"
"$NSRADAR" --store "$STORE" intel import --type ns --category c2 --source harness "$WORK/evil-ns.txt"
# PowerDNS answers from its packet cache without looking at the policy
# again: the reload wipes it.
RELOAD="kill -HUP $BIND_PID $UNBOUND_PID && ip netns exec $NS rec_control --socket-dir=$WORK/pdns reload-lua-config >/dev/null && ip netns exec $NS rec_control --socket-dir=$WORK/pdns wipe-cache '\$' >/dev/null"
"$NSRADAR" --store "$STORE" rpz export --out "$RPZ" --reload-command "$RELOAD"
grep -E 'CNAME' "$RPZ" | head -20
sleep 2  # the resolvers reload in the background

echo "--- after"
for r in "${RESOLVERS[@]}"; do
  for _ in $(seq 25); do [[ $(answer "${r#*:}" d2ttxt.test) == NXDOMAIN ]] && break; sleep 0.2; done
  expect after "$r" d2ttxt.test NXDOMAIN
  expect after "$r" www.d2ttxt.test NXDOMAIN
  expect after "$r" unrelated.test NXDOMAIN
  expect after "$r" good.test 127.0.20.1
done

if ((failures)); then
  echo "$failures failures; logs in $WORK"
  [[ -n ${NSR_HOLD:-} ]] && { echo "holding $NS for ${NSR_HOLD}s"; sleep "$NSR_HOLD"; }
  exit 1
fi
echo PASS
[[ -n $KEEP_WORK ]] || rm -rf "$WORK"
