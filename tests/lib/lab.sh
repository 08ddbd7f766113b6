# shellcheck shell=bash
# The lab's DNS hierarchy, shared by the integration harnesses and the
# session-fixture generator: an authoritative BIND on 127.0.10.2 serving the
# root and test. (and good.test., a benign zone), and the common part of an
# Unbound resolver's configuration. Source this file; it defines functions
# only. See ../shared/docs/dns-lab.md for the configurations it follows.

LAB_AUTH=127.0.10.2
LAB_SOA="@ 3600 IN SOA a.root.test. hostmaster.test. 1 3600 600 86400 60"

# lab_named_conf DIR ZONE...: an authoritative, non-recursive named.conf in
# DIR listening on $LAB_AUTH, serving each ZONE from DIR/ZONE.zone (the root
# from DIR/root.zone); with the root among them, writes root.zone too, which
# delegates test. to a.root.test. ($LAB_AUTH).
lab_named_conf() {
  local dir=$1 zone
  shift
  mkdir -p "$dir"
  {
    cat <<CONF
options {
  directory "$dir";
  pid-file none;
  listen-on { $LAB_AUTH; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
};
CONF
    for zone in "$@"; do
      if [[ $zone == . ]]; then
        echo 'zone "." { type primary; file "root.zone"; };'
      else
        echo "zone \"$zone\" { type primary; file \"$zone.zone\"; };"
      fi
    done
  } >"$dir/named.conf"
  for zone in "$@"; do
    [[ $zone == . ]] || continue
    cat >"$dir/root.zone" <<ZONE
\$TTL 3600
$LAB_SOA
@ NS a.root.test.
test. NS a.root.test.
a.root.test. A $LAB_AUTH
ZONE
  done
}

# lab_test_zone_head: the first lines of test.: its SOA and name server, and
# the delegation of good.test.; the caller appends its own delegations.
lab_test_zone_head() {
  echo "\$TTL 3600"
  echo "\$ORIGIN test."
  echo "$LAB_SOA"
  echo "@ NS a.root"
  echo "a.root A $LAB_AUTH"
  echo "good NS a.root"
}

# lab_good_zone: good.test., what ordinary clients ask for (www is
# 127.0.20.2, which the harnesses' readiness checks look for).
lab_good_zone() {
  cat <<ZONE
\$TTL 300
$LAB_SOA
@ NS a.root.test.
@ A 127.0.20.1
@ MX 10 mail
@ TXT "v=spf1 mx -all"
www A 127.0.20.2
mail A 127.0.20.3
api A 127.0.20.4
cdn CNAME www
ZONE
}

# lab_root_hints FILE: root hints naming the lab's root server.
lab_root_hints() {
  printf '.            3600000 NS a.root.test.\na.root.test. 3600000 A  %s\n' "$LAB_AUTH" >"$1"
}

# lab_unbound_server DIR INTERFACE ACCESS: the "server:" clause of an Unbound
# that answers on INTERFACE:53 to the ACCESS netblock, runs in the
# foreground as the current user with its files in DIR, and may query the
# lab's loopback servers; the caller appends the rest (root hints or stub
# zones, dnstap, RPZ).
lab_unbound_server() {
  cat <<CONF
server:
  interface: $2
  port: 53
  access-control: $3 allow
  do-not-query-localhost: no
  do-ip6: no
  local-zone: "test." nodefault
  username: ""
  chroot: ""
  directory: "$1"
  use-syslog: no
  verbosity: 1
CONF
}

# lab_unbound_dnstap SOCKET: the "dnstap:" clause of an Unbound that streams
# its clients' queries and responses to SOCKET (a sensor's dnstap input).
lab_unbound_dnstap() {
  cat <<CONF
dnstap:
  dnstap-enable: yes
  dnstap-socket-path: "$1"
  dnstap-send-identity: yes
  dnstap-log-client-query-messages: yes
  dnstap-log-client-response-messages: yes
CONF
}

# api_port LOG PID: the port `nsradar serve` (process PID) says in LOG that
# its API listens on, once it does; fails (status 1) when the process exits
# first or after 10 s.
api_port() {
  local port
  for _ in $(seq 100); do
    port=$(sed -n 's/.*API on port \([0-9]*\).*/\1/p' "$1" | head -n1)
    [[ -n $port ]] && { echo "$port"; return 0; }
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# lab_warehouse_up WAREHOUSE_SH DIR SHARDS: starts a local ClickHouse
# cluster (scripts/warehouse.sh) in DIR and sets BASE to its first port. The
# ports lie below the kernel's ephemeral range (32768 and up), where the
# sockets of clients could hold them; a port in use means another try
# elsewhere. Fails (status 1) after three tries, showing the last error.
lab_warehouse_up() {
  for _ in 1 2 3; do
    BASE=$((20000 + 2 * (RANDOM % 6000)))
    "$1" up --shards "$3" --dir "$2" --base-port "$BASE" >"$2.up.log" 2>&1 && return 0
    rm -rf "$2"
  done
  cat "$2.up.log" >&2
  return 1
}

# lab_show_errs DIR: the last lines of each DIR/*.err on stderr, for a
# harness that is about to fail.
lab_show_errs() {
  local f
  for f in "$1"/*.err; do [[ -f $f ]] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  return 0
}
