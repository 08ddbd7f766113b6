#!/usr/bin/env bash
# The Debian package as an operator meets it (ctest `package`, root):
# builds the .deb with CPack from this build, checks it with lintian,
# installs it, checks what the maintainer scripts made (system user,
# /var/lib/nsradar, the conffile, a generated API key, nothing started or
# enabled), checks the unit with systemd-analyze, then runs the unit's
# ExecStart= as user nsradar the way systemd would (PID 1 here need not be
# systemd): readiness over $NOTIFY_SOCKET, /healthz, the dnstap socket's
# permissions (a user in group nsradar streams dnstap into it, one outside
# cannot connect), ExecReload= picking up a new API key, a clean stop.
# Then upgrades to a newer build of the package and over itself, keeping
# the edited config, the API keys and the store; puts a store of the
# previous format in place, which the service refuses naming `nsradar store
# migrate`, migrates it and serves it; and purges, leaving nothing behind.
#
#   run.sh BUILD_DIR TESTDATA_DIR
set -euo pipefail
BUILD=$(realpath "$1")
TESTDATA=$(realpath "$2")

skip() {
  echo "SKIP: $*"
  exit 77
}
[[ $(id -u) -eq 0 ]] || skip "root needed (dpkg -i, a system user)"
for tool in cpack dpkg-deb lintian setpriv curl python3 fstrm_replay systemd-analyze; do
  command -v "$tool" >/dev/null || skip "$tool not installed (scripts/install-deps.sh --tests)"
done
if dpkg-query -W -f='${Status}' nsradar 2>/dev/null | grep -q "ok installed"; then
  skip "a package nsradar is installed on this machine; the test does not replace it"
fi

WORK=$(mktemp -d /tmp/nsradar-package.XXXXXX)
chmod 755 "$WORK"
# The checkout may sit under a directory the package's users cannot enter
# (a CI workspace, a mktemp -d): what they read is copied where they can.
install -m 644 "$TESTDATA/detect/test.zone" "$TESTDATA/ingest/bind-resolver.dnstap" "$WORK/"
RESOLVER=nsradar-pkgtest-resolver  # stands for unbound/bind: a user in group nsradar
had_user=0
getent passwd nsradar >/dev/null && had_user=1
PID=""
NOTIFY_PID=""
cleanup() {
  set +e
  [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  [[ -n $NOTIFY_PID ]] && kill "$NOTIFY_PID" 2>/dev/null
  pkg --purge nsradar >/dev/null 2>&1 || true
  userdel "$RESOLVER" 2>/dev/null || true
  if ((!had_user)); then userdel nsradar 2>/dev/null || true; fi
  rm -rf "$WORK" /run/nsradar
}
trap cleanup EXIT
SECONDS=0
step() { echo "== [${SECONDS}s] $*"; }
# dpkg, waiting up to two minutes while another installation holds its
# lock (dpkg itself fails at once).
pkg() {
  local out
  for _ in $(seq 120); do
    if out=$(DEBIAN_FRONTEND=noninteractive dpkg "$@" 2>&1); then return 0; fi
    grep -q 'lock' <<<"$out" || break
    sleep 1
  done
  echo "$out"
  return 1
}
fail() {
  echo "FAIL: $*" >&2
  [[ -f $WORK/serve.log ]] && tail -n 20 "$WORK/serve.log" >&2
  exit 1
}
as_user() {  # user, command...: as systemd's User= runs it (supplementary groups from /etc/group)
  local user=$1
  shift
  (cd / && umask 027 && exec setpriv --reuid "$user" --regid "$(id -g "$user")" --init-groups -- "$@")
}

step "cpack: the package of this build; the same repacked as a newer version for the upgrade"
VERSION=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")
[[ -n $VERSION ]] || fail "no CPACK_PACKAGE_VERSION in $BUILD/CPackConfig.cmake"
cpack --config "$BUILD/CPackConfig.cmake" -B "$WORK/v1" >"$WORK/cpack.log" 2>&1 || {
  cat "$WORK/cpack.log"
  fail "cpack"
}
DEB1=$(echo "$WORK"/v1/nsradar_*.deb)
[[ -f $DEB1 ]] || fail "no .deb in $WORK/v1"
DEB2=$WORK/nsradar_$VERSION+pkgtest1.deb
dpkg-deb -R "$DEB1" "$WORK/v2"
sed -i "s/^Version: .*/Version: $VERSION+pkgtest1/" "$WORK/v2/DEBIAN/control"
dpkg-deb -Zgzip -b "$WORK/v2" "$DEB2" >/dev/null || fail "dpkg-deb -b (upgrade)"

step "control: dependencies from dpkg-shlibdeps, the conffile, maintainer scripts"
depends=$(dpkg-deb -f "$DEB1" Depends)
echo "Depends: $depends"
for lib in librocksdb libpcap libssl libc6 adduser publicsuffix; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib"
done
[[ $(dpkg-deb --ctrl-tarfile "$DEB1" | tar -xO ./conffiles) == /etc/nsradar/nsradar.conf ]] ||
  fail "conffiles should list /etc/nsradar/nsradar.conf"

step "lintian"
# Tags the package itself overrides carry their reason in
# /usr/share/lintian/overrides/nsradar (packaging/debian/lintian-overrides).
if ! lintian --fail-on error,warning --tag-display-limit 0 "$DEB1" >"$WORK/lintian.log" 2>&1; then
  cat "$WORK/lintian.log"
  fail "lintian"
fi
cat "$WORK/lintian.log"

step "dpkg -i: user, directories, config, API key; nothing started or enabled"
pkg -i "$DEB1" >"$WORK/dpkg.log" 2>&1 || {
  cat "$WORK/dpkg.log"
  fail "dpkg -i $DEB1"
}
uid=$(id -u nsradar) || fail "no user nsradar"
((uid < 1000)) || fail "nsradar is not a system user (uid $uid)"
[[ $(stat -c '%U:%G %a' /var/lib/nsradar) == "nsradar:nsradar 750" ]] || fail "/var/lib/nsradar: $(stat -c '%U:%G %a' /var/lib/nsradar)"
[[ -f /etc/nsradar/nsradar.conf ]] || fail "no /etc/nsradar/nsradar.conf"
[[ $(stat -c '%U:%G %a' /etc/nsradar/api-keys) == "root:nsradar 640" ]] || fail "/etc/nsradar/api-keys permissions"
grep -Eq '^at_[a-z0-9]{29}$' /etc/nsradar/api-keys || fail "no generated API key"
[[ -z $(find /etc/systemd/system -name 'nsradar*' 2>/dev/null) ]] || fail "the service was enabled by the install"
pgrep -u nsradar >/dev/null && fail "a process of user nsradar runs after install"
[[ $(/usr/bin/nsradar --version) == "nsradar $VERSION (commit "*")" ]] || fail "--version: $(/usr/bin/nsradar --version)"
man -w nsradar >/dev/null && man -w nsradar-serve >/dev/null || fail "man nsradar / nsradar-serve not found"
[[ -f /usr/share/bash-completion/completions/nsradar && -f /usr/share/zsh/vendor-completions/_nsradar ]] ||
  fail "completions not installed"

step "systemd-analyze verify and security (offline; PID 1: $(ps -p 1 -o comm=))"
UNIT=/lib/systemd/system/nsradar.service
systemd-analyze verify "$UNIT" 2>&1 | tee "$WORK/verify.log"
grep -q nsradar "$WORK/verify.log" && fail "systemd-analyze verify complains about the unit"
systemd-analyze security --offline=true "$UNIT" >"$WORK/security.log" 2>&1 || true
exposure=$(grep -o 'Overall exposure level for nsradar.service: [0-9.]*' "$WORK/security.log" | awk '{print $NF}')
[[ -n $exposure ]] || {
  cat "$WORK/security.log"
  fail "systemd-analyze security gave no exposure level"
}
echo "systemd-analyze security: exposure $exposure (0 best, 10 worst)"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure above 2.0"

# What systemd does before ExecStart= (RuntimeDirectory=), and the
# command lines of the installed unit, $MAINPID as systemd expands it.
EXEC_START=$(sed -n 's/^ExecStart=//p' "$UNIT")
EXEC_RELOAD=$(sed -n 's/^ExecReload=//p' "$UNIT")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s/^listen = .*/listen = 127.0.0.1:$PORT/" /etc/nsradar/nsradar.conf  # an operator's edit
KEY=$(grep -m1 '^at_' /etc/nsradar/api-keys)
API=http://127.0.0.1:$PORT

start_service() {
  install -d -o nsradar -g nsradar -m 0750 /run/nsradar
  rm -f "$WORK/notify.msg"
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2], "wb").write(s.recv(4096))' "$WORK/notify.sock" "$WORK/notify.msg" &
  NOTIFY_PID=$!
  for _ in $(seq 50); do [[ -S $WORK/notify.sock ]] && break; sleep 0.1; done
  chown nsradar "$WORK/notify.sock"
  # One subshell that execs setpriv, which execs nsradar: $! is nsradar
  # itself, so the signals below reach it as systemd's would.
  # shellcheck disable=SC2086 # ExecStart= is split into words as systemd does
  (cd / && umask 027 && NOTIFY_SOCKET=$WORK/notify.sock exec setpriv --reuid nsradar --regid nsradar --init-groups \
    -- $EXEC_START) >"$WORK/serve.log" 2>&1 &
  PID=$!
  for _ in $(seq 200); do
    [[ -s $WORK/notify.msg ]] && break
    kill -0 "$PID" 2>/dev/null || fail "nsradar serve exited before it was ready"
    sleep 0.1
  done
  [[ $(cat "$WORK/notify.msg" 2>/dev/null) == READY=1 ]] || fail "no READY=1 on \$NOTIFY_SOCKET"
  NOTIFY_PID=""
  rm -f "$WORK/notify.sock"
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$API/healthz") == 200 ]] || fail "/healthz"
}
stop_service() {
  kill -TERM "$PID"
  local rc=0
  wait "$PID" || rc=$?
  PID=""
  ((rc == 0)) || fail "nsradar serve exited $rc on SIGTERM"
  pgrep -u nsradar >/dev/null && fail "a process of user nsradar outlived the service's stop"
  return 0
}
metric() {  # the value of one sample line of /metrics
  curl -s "$API/metrics" | awk -v m="$1" 'index($0, m " ") == 1 { print $2 }'
}
zones() { curl -s -H "X-API-Key: $KEY" "$API/v2/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["zones"])'; }

step "a zone into the store as user nsradar, then ExecStart= as user nsradar with the packaged config"
as_user nsradar /usr/bin/nsradar --store /var/lib/nsradar zone ingest "$WORK/test.zone" >/dev/null ||
  fail "zone ingest as nsradar"
start_service
echo "ready: READY=1 received, /healthz 200 on port $PORT"
ZONES=$(zones)
((ZONES > 0)) || fail "/v2/stats: no zones"

step "the dnstap socket: group nsradar may stream into it, others may not connect"
SOCK=/run/nsradar/dnstap.sock
for _ in $(seq 50); do [[ -S $SOCK ]] && break; sleep 0.1; done
[[ $(stat -c '%U:%G %a' $SOCK) == "nsradar:nsradar 660" ]] || fail "$SOCK: $(stat -c '%U:%G %a' $SOCK)"
useradd --system --no-create-home --shell /usr/sbin/nologin "$RESOLVER"
usermod -aG nsradar "$RESOLVER"
if as_user nobody python3 -c "import socket; socket.socket(socket.AF_UNIX).connect('$SOCK')" 2>/dev/null; then
  fail "user nobody could connect to $SOCK"
fi
# A real BIND's dnstap (the exfiltration test capture), replayed until it
# is enough traffic for an alert, which must reach alerts_out.
replay=()
for _ in $(seq 24); do replay+=(-r "$WORK/bind-resolver.dnstap"); done
as_user "$RESOLVER" fstrm_replay -t protobuf:dnstap.Dnstap "${replay[@]}" -u $SOCK ||
  fail "fstrm_replay as a member of group nsradar"
ALERTS=/var/log/nsradar/alerts.jsonl
for _ in $(seq 100); do
  [[ -s $ALERTS ]] && break
  sleep 0.1
done
grep -q '"exfil.test"' $ALERTS 2>/dev/null || fail "no alert for exfil.test in $ALERTS from the dnstap stream"
echo "$RESOLVER streamed dnstap through $SOCK: exfil.test alerted; user nobody refused"

step "ExecReload=: a key added to api-keys works after the reload"
NEW_KEY=$(python3 -c 'import secrets, string; print("at_" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(29)))')
echo "$NEW_KEY" >>/etc/nsradar/api-keys
status() { curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $1" "$API/v2/stats"; }
[[ $(status "$NEW_KEY") != 200 ]] || fail "a key not yet loaded was accepted"
sh -c "${EXEC_RELOAD//\$MAINPID/$PID}"
for _ in $(seq 50); do [[ $(status "$NEW_KEY") == 200 ]] && break; sleep 0.1; done
[[ $(status "$NEW_KEY") == 200 ]] || fail "the new key is refused after ExecReload="
kill -0 "$PID" || fail "nsradar serve exited on SIGHUP"
stop_service
echo "reloaded in place, stopped with status 0"

step "upgrade to $VERSION+pkgtest1, then over itself: config, keys and store kept"
keys_before=$(sha256sum /etc/nsradar/api-keys)
for deb in "$DEB2" "$DEB2"; do
  pkg -i "$deb" >"$WORK/dpkg.log" 2>&1 || {
    cat "$WORK/dpkg.log"
    fail "dpkg -i $deb"
  }
done
[[ $(dpkg-query -W -f='${Version}' nsradar) == "$VERSION+pkgtest1" ]] || fail "not upgraded"
grep -q "^listen = 127.0.0.1:$PORT$" /etc/nsradar/nsradar.conf || fail "the edited config was replaced"
[[ $(sha256sum /etc/nsradar/api-keys) == "$keys_before" ]] || fail "the API keys changed"
start_service
[[ $(zones) == "$ZONES" ]] || fail "the store lost its zones in the upgrade"
stop_service
echo "upgraded; config, keys and the store's $ZONES zones kept"

step "a store of the previous format: the service refuses to start and names the migration; migrated, it serves"
# testdata/store-format1 was written by the format-1 release (its make.sh):
# the root-zone history and two days of a zone whose ns1.host.test holds
# 740 domains over both days.
tar -xzf "$TESTDATA/store-format1/store-format1.tar.gz" -C "$WORK"
find /var/lib/nsradar -mindepth 1 -delete
cp -a "$WORK/store/." /var/lib/nsradar/
chown -R nsradar:nsradar /var/lib/nsradar
install -d -o nsradar -g nsradar -m 0750 /run/nsradar
rc=0
# shellcheck disable=SC2086 # ExecStart= is split into words as systemd does
(cd / && exec timeout 30 setpriv --reuid nsradar --regid nsradar --init-groups -- $EXEC_START) \
  >"$WORK/serve.log" 2>&1 || rc=$?
((rc != 0 && rc != 124)) || fail "the service did not refuse the format-1 store (exit $rc)"
# shellcheck disable=SC2016 # the backquotes are part of the message
grep -qF 'is format 1; this nsradar reads format 2: run `nsradar store migrate --store /var/lib/nsradar`' \
  "$WORK/serve.log" || fail "the refusal does not name nsradar store migrate: $(cat "$WORK/serve.log")"
as_user nsradar /usr/bin/nsradar --store /var/lib/nsradar store migrate >"$WORK/migrate.log" 2>&1 ||
  fail "store migrate as nsradar: $(cat "$WORK/migrate.log")"
expected=$(cat "$TESTDATA/store-format1/big-1.zone" "$TESTDATA/store-format1/big-2.zone" |
  awk '$4 == "NS" && $5 == "ns1.host.test." { print $1 }' | sort -u | wc -l)
start_service
[[ $(zones) == 2 ]] || fail "the migrated store has $(zones) zones, not the root and test"
total=$(curl -s -H "X-API-Key: $KEY" "$API/v2/ns/ns1.host.test/domains?limit=1" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
[[ $total == "$expected" ]] || fail "ns1.host.test has $total domains after the migration, the zone files $expected"
stop_service
echo "format 1 refused with the command to run; migrated, the service answers ($total domains on ns1.host.test)"

step "remove keeps config and store; purge removes them"
pkg -r nsradar >/dev/null || fail "dpkg -r"
[[ ! -e /usr/bin/nsradar && ! -e $UNIT ]] || fail "remove left the program or the unit"
[[ -f /etc/nsradar/nsradar.conf && -d /var/lib/nsradar ]] || fail "remove deleted the config or the store"
pkg --purge nsradar >/dev/null || fail "dpkg --purge"
for f in /etc/nsradar /var/lib/nsradar /var/log/nsradar /usr/share/doc/nsradar /usr/share/man/man1/nsradar.1.gz; do
  [[ ! -e $f ]] || fail "purge left $f"
done
dpkg-query -W -f='${Status}' nsradar 2>/dev/null | grep -q "ok installed" && fail "still installed"
echo "package test passed in ${SECONDS}s"
