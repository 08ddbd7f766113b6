#!/usr/bin/env bash
# Records testdata/detect/sessions (issue 13): short and quiet sessions of
# real iodine 0.7 and dns2tcp 0.5 through a real recursive resolver, one
# capture per session, so unit tests can replay them without running the
# tools (the idle sessions last 10 minutes, too long for CI).
#
# The network is tests/tunnels/run.sh's, in namespaces this script creates
# and removes:
#   core  (nsrfx-core-PID): BIND at 127.0.10.2, authoritative for the root,
#         test. and good.test.; Unbound at 10.77.0.1, the clients' resolver;
#         one tunnel server per session (iodined or dns2tcpd) at 127.0.0.N,
#         the in-bailiwick name server of its own domain <session>.test;
#         the TCP sinks dns2tcpd connects its resource to.
#   one namespace per session's client at 10.77.0.N on a bridge in core
#   (N is also the last byte of the session's server address).
# tcpdump on the bridge records the clients' side of the resolver (their
# queries to Unbound and its answers); each session's packets are then cut
# out by client address into OUTDIR/<session>.pcap (zstd-compressed when
# over 100 KB), and OUTDIR/manifest.tsv and OUTDIR/README.md are written
# with tshark's counts.
#
# The idle sessions run in parallel with everything else: a run takes
# IDLE_SECONDS (default 600) plus about a minute.
#
# Usage (root; Debian 12 with scripts/install-deps.sh --tests):
#   scripts/make-session-fixtures.sh [OUTDIR]     default testdata/detect/sessions
#   IDLE_SECONDS=30 KEEP_WORK=1 scripts/make-session-fixtures.sh /tmp/try
#   scripts/make-session-fixtures.sh --readme-only [OUTDIR]   README.md again from manifest.tsv
set -euo pipefail
cd "$(dirname "$(realpath "$0")")/.."
ROOT=$PWD
READMEONLY=0
[[ ${1:-} == --readme-only ]] && { READMEONLY=1; shift; }
OUT=$(realpath -m "${1:-testdata/detect/sessions}")
IDLE_SECONDS=${IDLE_SECONDS:-600}
HANDSHAKE_TIMEOUT=90

# README.md from manifest.tsv (also alone: --readme-only, after an edit of
# the text below).
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
write_readme() {
  local MANIFEST="$OUT/manifest.tsv"
  {
    cat <<'EOF'
# Short and quiet sessions of real tunnels (issue 13)

Captures of real iodine and dns2tcp sessions that are short (a handshake,
100 bytes) or quiet (connected and idle for ten minutes), with a benign
client beside them, recorded once by `scripts/make-session-fixtures.sh` so
that unit tests can replay them: CI cannot run a ten-minute session live.
Each file holds one session, alone: the queries of one client to its
resolver and the resolver's answers, as a sensor on the clients' side of the
resolver sees them (a capture on the bridge in front of Unbound, Ethernet
framing). Files over 100 KB are zstd-compressed; nsradar reads them as they
are (`nsradar events FILE`, `nsradar detect FILE`).

## How they were made

```sh
sudo bash scripts/install-deps.sh --tests             # iodine, dns2tcp, BIND, Unbound, tcpdump, tshark
sudo bash scripts/make-session-fixtures.sh            # about 11 minutes; rewrites this directory
sudo IDLE_SECONDS=30 KEEP_WORK=1 bash scripts/make-session-fixtures.sh /tmp/try   # a quick try elsewhere
bash scripts/make-session-fixtures.sh --readme-only   # this file again from manifest.tsv, after editing its text
```

The network is that of `tests/tunnels/run.sh`, in namespaces the script
creates and removes: BIND at 127.0.10.2 authoritative for the root, `test.`
and `good.test.`; Unbound at 10.77.0.1, the only resolver the clients can
reach, iterating from the root; for every session its own tunnel server
(iodined or dns2tcpd) at 127.0.0.N, delegated `<session>.test` in-bailiwick
(`<session>.test NS ns1.<session>.test`, glue 127.0.0.N); each client in its
own namespace at 10.77.0.N. One tcpdump on the bridge records everything;
each session's file is cut from it by client address. IPv6 is off in every
namespace, so a tun device carries only what is sent into it (nothing, here).
The capture keeps IP fragments: iodine's large answers (its fragment-size
probe reaches 1,524 bytes) leave Unbound as two fragments.

- iodine: `iodine -f -P PASS [options] -d tc 10.77.0.1 DOMAIN` against
  `iodined -f -c -P PASS -l 127.0.0.N -p 53 -d tsN 10.253.N.1/27 DOMAIN`.
  Without `-r`, as by default, iodine tests whether it can reach the server
  directly (raw UDP) after login; it cannot here (the client's only route is
  to the resolver), so it stays on DNS, as a client behind a firewall that
  only lets its resolver out would (the test costs it about 10 s of silence
  after login). The handshake is complete when iodine prints `Connection
  setup complete, transmitting data.` (after version, login, raw-UDP test,
  codec and lazy-mode switches and the fragment-size probe); its first ping
  follows at once. The tun device gets its address earlier, at login
  (`iod-login` is killed then). "Killed" is SIGTERM, sent as soon as the
  script sees the line or the address (it polls every 50 ms); iodine
  handles it and exits (each description says how fast).
- dns2tcp: `dns2tcpc -z DOMAIN -k KEY [options] 10.77.0.1` against
  `dns2tcpd -F -d 1 -f CONF` with resources `sink:127.0.0.1:90N` (a TCP
  sink that records what arrives) and `ssh:127.0.0.1:22`. With `-l -` the
  client reads stdin: its input is kept open until the script ends the
  session, then closed. Without `-r` it lists the server's resources (the
  man page's first example; there is no listing option).
- Idle sessions run in parallel with the short ones; each is idle for
  IDLE_SECONDS (600) after its handshake.

Counts are tshark's (Wireshark 4.0, one `tshark -T fields` pass per
file), not nsradar's: `queries` are DNS messages with
`dns.flags.response == 0`, `responses` those with `dns.flags.response == 1`
(tshark reassembles IP fragments, so a fragmented answer counts once),
`distinct_names` the distinct `dns.qry.name` of the queries, `duration_s`
from the file's first to last packet. A query without a response is one
whose answer had not come when the client was killed (in lazy mode iodined
holds a ping until it has something to send), or that the resolver never
answered.
The same figures, machine-readable, are in `manifest.tsv` (tab-separated,
one row per file, with what each session did).

Client addresses are 10.77.0.0/24, the resolver 10.77.0.1; timestamps are
those of the recording. The iodine password is `s3cr3tpass`, the dns2tcp
key `s3cr3t`.

The idle files begin with their session's handshake (when it ended is in
the description below). To replay only the polls, as a sensor would that
started watching mid-session, drop what comes before: 15 s after the first
packet is past iodine's handshake, 5 s past dns2tcp's (`editcap -A`, or
skip those events in the test).

## Files

EOF
    printf '| file | tool | options | domain | client | server | started (UTC) | duration (s) | queries | responses | distinct names | query types |\n'
    printf '|---|---|---|---|---|---|---|---|---|---|---|---|\n'
    tail -n +2 "$MANIFEST" | while IFS=$'\t' read -r file tool opts domain client server started duration queries responses distinct types _; do
      printf '| %s | %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$file" "$tool" "$opts" "$domain" "$client" "$server" \
        "$started" "$duration" "$queries" "$responses" "$distinct" "$types"
    done
    printf '\n## What each session did\n\n'
    tail -n +2 "$MANIFEST" | while IFS=$'\t' read -r file _ _ _ _ _ _ _ _ _ _ _ what; do
      printf -- '- `%s`: %s.\n' "$file" "$what"
    done
    printf '\nRecorded %s with iodine %s, dns2tcp %s, BIND %s, Unbound %s, tcpdump %s, tshark %s (Debian 12).\n' \
      "$(sed -n '2p' "$MANIFEST" | cut -f7 | cut -c1-10)" "$(ver iodine)" "$(ver dns2tcp)" "$(ver bind9)" "$(ver unbound)" "$(ver tcpdump)" "$(ver tshark)"
  } >"$OUT/README.md"
}
if ((READMEONLY)); then write_readme; exit 0; fi

if [[ $(id -u) -ne 0 ]]; then echo "make-session-fixtures: needs root (namespaces, tun devices)" >&2; exit 1; fi
for tool in named unbound iodine iodined dns2tcpc dns2tcpd dig python3 tcpdump tshark zstd ip; do
  command -v "$tool" >/dev/null || { echo "make-session-fixtures: $tool not installed (scripts/install-deps.sh --tests)" >&2; exit 1; }
done
[[ -c /dev/net/tun ]] || { echo "make-session-fixtures: no /dev/net/tun" >&2; exit 1; }

WORK=$(mktemp -d /tmp/nsr-session-fixtures.XXXXXX)
CORE=nsrfx-core-$$

# Sessions: name (also the domain's label and the file's name) -> client
# address's last byte, which is also the server's (127.0.0.N).
SESSIONS=(iod-null iod-login iod-txt iod-txt-b32 iod-cname iod-lazy0 iod-idle d2t-txt100 d2t-key100 d2t-list d2t-idle benign)
declare -A OCTET=([iod-null]=11 [iod-login]=12 [iod-txt]=13 [iod-txt-b32]=14 [iod-cname]=15 [iod-lazy0]=16
  [iod-idle]=17 [d2t-txt100]=21 [d2t-key100]=22 [d2t-list]=23 [d2t-idle]=24 [benign]=30)
# The client's options (besides the password/key, domain and resolver).
declare -A OPTS=([iod-null]="" [iod-login]="" [iod-txt]="-T TXT" [iod-txt-b32]="-T TXT -O Base32"
  [iod-cname]="-T CNAME" [iod-lazy0]="-L0" [iod-idle]=""
  [d2t-txt100]="-r sink -l -" [d2t-key100]="-r sink -T KEY -l -" [d2t-list]="" [d2t-idle]="-r sink -l -"
  [benign]="dig +short +time=2 +tries=1")
declare -A DESC START
ip_of() { echo "10.77.0.${OCTET[$1]}"; }

# shellcheck source=tests/lib/jobs.sh disable=SC2317
source "$ROOT/tests/lib/jobs.sh"
# shellcheck source=tests/lib/lab.sh
source "$ROOT/tests/lib/lab.sh"
cleanup() {
  set +e
  stop_jobs
  for s in "${SESSIONS[@]}"; do ip netns del "nsrfx-$s-$$" 2>/dev/null; done
  ip netns del "$CORE" 2>/dev/null
  [[ -n ${KEEP_WORK:-} ]] && echo "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

in_core() { ip netns exec "$CORE" "$@"; }
now() { date +%s.%N; }
log() { echo "[$(date -u +%H:%M:%S)] $*"; }

# --- network -------------------------------------------------------------
# IPv6 off in every namespace, so a tun device carries nothing the kernel
# would send by itself (router solicitations, MLD): an idle tunnel only polls.
no_ipv6() { ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; }
ip netns add "$CORE"
no_ipv6 "$CORE"
in_core ip link set lo up
in_core ip addr add 127.0.10.2/32 dev lo
in_core ip link add br0 type bridge
in_core ip addr add 10.77.0.1/24 dev br0
in_core ip link set br0 up
for s in "${SESSIONS[@]}"; do
  ns="nsrfx-$s-$$" n=${OCTET[$s]}
  ip netns add "$ns"
  no_ipv6 "$ns"
  ip netns exec "$ns" ip link set lo up
  in_core ip link add "v$n" type veth peer name eth0 netns "$ns"
  in_core ip link set "v$n" master br0 up
  ip netns exec "$ns" ip addr add "$(ip_of "$s")/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
done

# --- authoritative servers (BIND) ------------------------------------------
lab_named_conf "$WORK/bind" . test good.test
{
  lab_test_zone_head
  for s in "${SESSIONS[@]}"; do
    [[ $s == benign ]] && continue
    echo "$s NS ns1.$s"
    echo "ns1.$s A 127.0.0.${OCTET[$s]}"
  done
} >"$WORK/bind/test.zone"
{
  lab_good_zone
  echo "www AAAA 2001:db8::2"
  echo "intranet A 127.0.20.5"
  echo '_dmarc TXT "v=DMARC1; p=none"'
} >"$WORK/bind/good.test.zone"
bg_job ip netns exec "$CORE" named -g -c "$WORK/bind/named.conf" >"$WORK/bind/named.log" 2>&1

# --- tunnel servers and sinks ----------------------------------------------
# A sink accepts one connection, marks that it did, and writes what it
# carries to a file.
sink() {
  local port=$1 out=$2
  bg_job ip netns exec "$CORE" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept()
open(sys.argv[2] + ".accepted", "w").close()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b); f.flush()
' "$port" "$out"
}
for s in "${SESSIONS[@]}"; do
  n=${OCTET[$s]}
  case $s in
    iod-*)
      bg_job ip netns exec "$CORE" iodined -f -c -P s3cr3tpass -l "127.0.0.$n" -p 53 -d "ts$n" "10.253.$n.1/27" "$s.test" \
        >"$WORK/$s-server.log" 2>&1 ;;
    d2t-*)
      cat >"$WORK/$s.conf" <<CONF
listen = 127.0.0.$n
port = 53
domain = $s.test
key = s3cr3t
resources = sink:127.0.0.1:90$n, ssh:127.0.0.1:22
CONF
      sink "90$n" "$WORK/$s.received"
      bg_job ip netns exec "$CORE" dns2tcpd -F -d 1 -f "$WORK/$s.conf" >"$WORK/$s-server.log" 2>&1 ;;
  esac
done
for s in "${SESSIONS[@]}"; do
  n=${OCTET[$s]}
  case $s in
    iod-*) for _ in $(seq 100); do in_core ip -4 addr show "ts$n" 2>/dev/null | grep -q "10.253.$n.1" && break; sleep 0.1; done ;;
    d2t-*) for _ in $(seq 100); do in_core ss -Hltn "sport = :90$n" | grep -q . && break; sleep 0.1; done ;;
  esac
done

# --- the resolver, and the capture of its client side ----------------------
mkdir -p "$WORK/unbound"
lab_root_hints "$WORK/unbound/root.hints"
{
  lab_unbound_server "$WORK/unbound" 10.77.0.1 10.77.0.0/24
  cat <<CONF
  root-hints: "$WORK/unbound/root.hints"
  module-config: "iterator"
  qname-minimisation: no
  pidfile: "$WORK/unbound/unbound.pid"
CONF
} >"$WORK/unbound/unbound.conf"
# Port 53 and IP fragments: iodine's large answers (its fragment-size probe
# goes to 1,524 bytes) leave Unbound as two fragments, and the second one
# has no UDP header for a port filter to match.
bg_job ip netns exec "$CORE" tcpdump -i br0 -U -Z root -w "$WORK/clients.pcap" 'port 53 or (ip[6:2] & 0x1fff) != 0' \
  >"$WORK/tcpdump.log" 2>&1
TCPDUMP=${PIDS[-1]}
bg_job ip netns exec "$CORE" unbound -d -c "$WORK/unbound/unbound.conf" >"$WORK/unbound/unbound.log" 2>&1
# Ready when it answers; asked from core (over lo, so not in the capture).
for _ in $(seq 50); do
  in_core dig +short +time=1 +tries=1 @10.77.0.1 www.good.test A 2>/dev/null | grep -q 127.0.20.2 && break
  sleep 0.2
done
in_core dig +short +time=1 +tries=1 @10.77.0.1 www.good.test A | grep -q 127.0.20.2 || {
  echo "make-session-fixtures: the resolver does not answer" >&2
  cat "$WORK/unbound/unbound.log" "$WORK/bind/named.log" >&2
  exit 1
}

# --- the benign client, for the whole run -----------------------------------
# A user browsing and mailing at a human pace, with typos (NXDOMAIN).
START[benign]=$(now)
bg_job ip netns exec "nsrfx-benign-$$" bash -c '
  i=0
  while [[ ! -e $1 ]]; do
    i=$((i + 1))
    for q in "www.good.test A" "www.good.test AAAA" "cdn.good.test A" "api.good.test A" \
             "mail.good.test A" "good.test MX" "host$((i % 9)).good.test A" "intranet.good.test A"; do
      dig +short +time=2 +tries=1 @10.77.0.1 $q >/dev/null 2>&1
    done
    (( i % 5 == 0 )) && dig +short +time=2 +tries=1 @10.77.0.1 good.test TXT >/dev/null 2>&1
    (( i % 7 == 0 )) && dig +short +time=2 +tries=1 @10.77.0.1 _dmarc.good.test TXT >/dev/null 2>&1
    (( i % 11 == 0 )) && dig +short +time=2 +tries=1 @10.77.0.1 wwww.good.tset A >/dev/null 2>&1
    sleep $((1 + RANDOM % 4))
  done' benign "$WORK/benign.stop"
BENIGN=${PIDS[-1]}
DESC[benign]="dig resolving ordinary names of good.test (A, AAAA, MX, TXT, a CNAME, NXDOMAIN typos) at a human pace, for the whole run"

# --- sessions ----------------------------------------------------------------
# Waits until `cond` (a command) holds, for at most `secs`; true if it did.
wait_for() {
  local secs=$1; shift
  local end=$(($(date +%s) + secs))
  while (($(date +%s) < end)); do "$@" && return 0; sleep 0.05; done
  "$@"
}
tun_has_address() { ip -n "nsrfx-$1-$$" -4 addr show dev tc 2>/dev/null | grep -q "inet 10.253.${OCTET[$1]}."; }
setup_complete() { grep -q "Connection setup complete" "$WORK/$1-client.log" 2>/dev/null; }
not_alive() { ! kill -0 "$1" 2>/dev/null; }
# Stops a session's process group: SIGTERM, then SIGKILL after 5 s; says
# in STOPPED how it went.
stop_group() {
  local t0 t1
  t0=$(now)
  kill -TERM -- "-$1" 2>/dev/null || true
  if wait_for 5 not_alive "$1"; then
    t1=$(now)
    STOPPED="it exited $(since "$t0" "$t1") s after SIGTERM"
  else
    kill -KILL -- "-$1" 2>/dev/null || true
    STOPPED="it ignored SIGTERM for 5 s and was killed (SIGKILL)"
  fi
}
# Seconds from $1 to $2 (default: now), one decimal. Only after a session
# was stopped: on a loaded machine starting a process can take seconds.
since() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.1f\n", b - a }'; }
mtime() { stat -c %.6Y "$1"; }

declare -A PID
# A session's stop condition, or its client gone.
or_dead() { local s=$1; shift; "$@" "$s" || not_alive "${PID[$s]}"; }
# iodine, started; the client's tun device is "tc" in its namespace.
start_iodine() {
  local s=$1
  START[$s]=$(now)
  # shellcheck disable=SC2086  # the options are words
  bg_job ip netns exec "nsrfx-$s-$$" iodine -f -P s3cr3tpass ${OPTS[$s]} -d tc 10.77.0.1 "$s.test" >"$WORK/$s-client.log" 2>&1
  PID[$s]=${PIDS[-1]}
}
# Kills an iodine client with SIGTERM at `when` (login: its tun device has
# its address; setup: it printed "Connection setup complete").
iodine_short() {
  local s=$1 when=$2 t
  log "$s: iodine ${OPTS[$s]:-(defaults)}, killed at $when"
  start_iodine "$s"
  local cond=setup_complete
  [[ $when == login ]] && cond=tun_has_address
  wait_for $HANDSHAKE_TIMEOUT or_dead "$s" $cond || true
  local seen ok=0
  seen=$(now)
  $cond "$s" && ok=1
  stop_group "${PID[$s]}"
  t=$(since "${START[$s]}" "$seen")
  if ((ok)) && [[ $when == login ]]; then
    DESC[$s]="connected; sent SIGTERM as soon as its tun device had its address (login accepted, seen ${t} s after start), before the rest of the handshake"
  elif ((ok)); then
    DESC[$s]="handshake completed (\"Connection setup complete\" seen ${t} s after start); sent SIGTERM at once, no data sent"
  elif [[ $when == login ]]; then
    DESC[$s]="FAILED: no tun address (client exited, or ${HANDSHAKE_TIMEOUT} s passed)"
  else
    DESC[$s]="FAILED: handshake did not complete (client exited, or ${HANDSHAKE_TIMEOUT} s passed)"
  fi
  DESC[$s]+="; ${STOPPED}"
  sleep 2
}
# dns2tcpc reading stdin: `bytes` of random data, then stdin stays open
# until $WORK/<s>.stop exists (dns2tcpc exits at the end of its input,
# possibly before the last chunk is through).
start_dns2tcp() {
  local s=$1 bytes=$2
  head -c "$bytes" /dev/urandom >"$WORK/$s.payload"
  START[$s]=$(now)
  bg_job ip netns exec "nsrfx-$s-$$" bash -c \
    '(cat "$1"; while [[ ! -e $2 ]]; do sleep 0.2; done) | dns2tcpc -z "$3" -k s3cr3t '"${OPTS[$s]}"' 10.77.0.1' \
    dns2tcp "$WORK/$s.payload" "$WORK/$s.stop" "$s.test" >"$WORK/$s-client.log" 2>&1
  PID[$s]=${PIDS[-1]}
}
# Closes dns2tcpc's input and lets it end by itself (10 s), else stops it;
# says which in HOW.
end_dns2tcp() {
  local s=$1
  touch "$WORK/$s.stop"
  if wait_for 10 not_alive "${PID[$s]}"; then
    HOW="dns2tcpc exited by itself"
  else
    HOW="dns2tcpc did not exit within 10 s and was stopped (SIGTERM)"
    stop_group "${PID[$s]}"
  fi
}
received_100() { [[ $(stat -c %s "$WORK/$1.received" 2>/dev/null || echo 0) -ge 100 ]]; }
accepted() { [[ -e $WORK/$1.received.accepted ]]; }
dns2tcp_100() {
  local s=$1 t
  log "$s: dns2tcpc ${OPTS[$s]}, 100 bytes"
  start_dns2tcp "$s" 100
  wait_for $HANDSHAKE_TIMEOUT or_dead "$s" received_100 || true
  if received_100 "$s"; then
    end_dns2tcp "$s"
    t=$(since "${START[$s]}" "$(mtime "$WORK/$s.received")")
    cmp -s "$WORK/$s.payload" "$WORK/$s.received" && t="$t s after start, intact" || t="$t s after start, CORRUPT"
    DESC[$s]="authenticated, connected resource sink, sent 100 random bytes (all at the sink ${t}); then its stdin closed: ${HOW}"
  else
    end_dns2tcp "$s"
    DESC[$s]="FAILED: the 100 bytes did not arrive ($(stat -c %s "$WORK/$s.received" 2>/dev/null || echo 0) did); ${HOW}"
  fi
  sleep 2
}

# Idle sessions first, so their ten minutes cover the short ones.
start_iodine iod-idle
log "iod-idle: iodine (defaults), idle for $IDLE_SECONDS s after its handshake"
start_dns2tcp d2t-idle 0
log "d2t-idle: dns2tcpc ${OPTS[d2t-idle]}, idle for $IDLE_SECONDS s after connecting"
IDLE_UNTIL=()
wait_for $HANDSHAKE_TIMEOUT or_dead iod-idle setup_complete || true
if setup_complete iod-idle; then
  SEEN=$(now)
  IDLE_UNTIL[0]=$((${SEEN%.*} + IDLE_SECONDS))
  T_IOD=$(since "${START[iod-idle]}" "$SEEN")
else
  IDLE_UNTIL[0]=$(date +%s) T_IOD=""
fi
wait_for $HANDSHAKE_TIMEOUT or_dead d2t-idle accepted || true
if accepted d2t-idle; then
  ACCEPTED=$(mtime "$WORK/d2t-idle.received.accepted")
  IDLE_UNTIL[1]=$((${ACCEPTED%.*} + IDLE_SECONDS))
  T_D2T=$(since "${START[d2t-idle]}" "$ACCEPTED")
else
  IDLE_UNTIL[1]=$(date +%s) T_D2T=""
fi

iodine_short iod-null setup
iodine_short iod-login login
iodine_short iod-txt setup
iodine_short iod-txt-b32 setup
iodine_short iod-cname setup
iodine_short iod-lazy0 setup
dns2tcp_100 d2t-txt100
dns2tcp_100 d2t-key100

s=d2t-list
log "$s: dns2tcpc without a resource (lists the server's resources)"
START[$s]=$(now)
bg_job ip netns exec "nsrfx-$s-$$" dns2tcpc -z "$s.test" -k s3cr3t 10.77.0.1 >"$WORK/$s-client.log" 2>&1
PID[$s]=${PIDS[-1]}
if wait_for 30 not_alive "${PID[$s]}"; then
  listed=$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' "$WORK/$s-client.log" | grep . | paste -sd ' ' - || true)
  DESC[$s]="authenticated and asked for the resource list; dns2tcpc printed \"${listed:-nothing}\" and exited by itself"
else
  stop_group "${PID[$s]}"
  DESC[$s]="FAILED: dns2tcpc did not exit within 30 s; stopped"
fi

log "short sessions done; waiting for the idle sessions"
while (($(date +%s) < IDLE_UNTIL[0])); do sleep 1; done
TX=$(ip -n "nsrfx-iod-idle-$$" -s link show dev tc 2>/dev/null | awk '/TX:/ { getline; print $2 }' || true)
stop_group "${PID[iod-idle]}"
if [[ -n $T_IOD ]]; then
  DESC[iod-idle]="handshake completed ${T_IOD} s after start; then idle for ${IDLE_SECONDS} s (its tun device sent ${TX:-?} packets: only iodine's own pings went over DNS"
  grep -q "Setting interval to 1" "$WORK/iod-idle-client.log" &&
    DESC[iod-idle]+="; iodine printed \"Receiving too few answers. Setting interval to 1 (-I1)\", the answers to its lazy-mode queries coming back through the resolver too rarely"
  DESC[iod-idle]+="); then SIGTERM: ${STOPPED}"
else
  DESC[iod-idle]="FAILED: handshake did not complete (client exited, or ${HANDSHAKE_TIMEOUT} s passed)"
fi
while (($(date +%s) < IDLE_UNTIL[1])); do sleep 1; done
end_dns2tcp d2t-idle
if [[ -n $T_D2T ]]; then
  DESC[d2t-idle]="authenticated and connected resource sink (the sink accepted ${T_D2T} s after start; it received $(stat -c %s "$WORK/d2t-idle.received" 2>/dev/null || echo 0) bytes in all); no data for ${IDLE_SECONDS} s, only polls; then its stdin closed: ${HOW}"
else
  DESC[d2t-idle]="FAILED: the resource was not connected; ${HOW}"
fi

sleep 2
touch "$WORK/benign.stop"
wait_for 20 not_alive "$BENIGN" || stop_group "$BENIGN"
sleep 1
kill -INT "$TCPDUMP" 2>/dev/null || true
wait_for 10 not_alive "$TCPDUMP" || true
stop_jobs
log "recording done"

# --- one file per session, counted with tshark -------------------------------
mkdir -p "$OUT"
declare -A TOOL=([iod]="iodine $(ver iodine)" [d2t]="dns2tcpc $(ver dns2tcp)" [benign]="dig $(ver bind9-dnsutils)")
qtype_name() { # numbers to names, as "NAME count" pairs joined by ", "
  awk 'BEGIN { n = split("1 A 5 CNAME 10 NULL 15 MX 16 TXT 25 KEY 28 AAAA 33 SRV 65399 PRIVATE", a, " ")
               for (i = 1; i < n; i += 2) name[a[i]] = a[i + 1] }
       { printf "%s%s %d", sep, ($1 in name) ? name[$1] : "TYPE" $1, $2; sep = ", " }'
}
MANIFEST="$OUT/manifest.tsv"
printf 'file\ttool\toptions\tdomain\tclient\tserver\tstarted_utc\tduration_s\tqueries\tresponses\tdistinct_names\tquery_types\tsession\n' >"$MANIFEST"
for s in "${SESSIONS[@]}"; do
  rm -f "$OUT/$s.pcap" "$OUT/$s.pcap.zst"
  f="$OUT/$s.pcap"
  tcpdump -Z root -r "$WORK/clients.pcap" -w "$f" "host $(ip_of "$s")" 2>/dev/null
  # One line per frame: time, dns.flags.response (0 query, 1 response,
  # empty for a fragment tshark reassembles at the next one), name, type.
  rows=$(tshark -r "$f" -T fields -E separator=/t -e frame.time_epoch -e dns.flags.response -e dns.qry.name -e dns.qry.type 2>/dev/null)
  q=$(awk -F'\t' '$2 == "0"' <<<"$rows")
  queries=$(grep -c . <<<"$q" || true)
  responses=$(awk -F'\t' '$2 == "1"' <<<"$rows" | grep -c . || true)
  distinct=$(cut -f3 <<<"$q" | sort -u | grep -c . || true)
  types=$(cut -f4 <<<"$q" | sort -n | uniq -c | awk '{ print $2, $1 }' | qtype_name)
  duration=$(awk -F'\t' 'NR == 1 { a = $1 } { b = $1 } END { printf "%.1f", b - a }' <<<"$rows")
  started=$(date -u -d "@$(head -1 <<<"$rows" | cut -f1)" +%Y-%m-%dT%H:%M:%SZ)
  case $s in
    iod-*) tool=${TOOL[iod]} opts="-f -P s3cr3tpass ${OPTS[$s]} -d tc 10.77.0.1 $s.test" ;;
    d2t-*) tool=${TOOL[d2t]} opts="-z $s.test -k s3cr3t ${OPTS[$s]} 10.77.0.1" ;;
    benign) tool=${TOOL[benign]} opts="${OPTS[$s]} @10.77.0.1 NAME TYPE" ;;
  esac
  opts=$(tr -s ' ' <<<"$opts")
  server="127.0.0.${OCTET[$s]}"; [[ $s == benign ]] && server="-"
  domain="$s.test"; [[ $s == benign ]] && domain="good.test"
  if (($(stat -c %s "$f") > 100 * 1024)); then zstd -q -19 --rm "$f"; f="$f.zst"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$f")" "$tool" "$opts" "$domain" "$(ip_of "$s")" \
    "$server" "$started" "$duration" "$queries" "$responses" "$distinct" "$types" "${DESC[$s]}" >>"$MANIFEST"
done

write_readme

log "wrote $OUT:"
column -t -s $'\t' "$MANIFEST" | cut -c1-200
grep -h FAILED "$MANIFEST" && exit 1
exit 0
