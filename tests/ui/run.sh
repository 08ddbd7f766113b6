#!/usr/bin/env bash
# Browser tests of the web UI (issue 16): a real `nsradar serve` over a store
# built here from the bundled data, driven by Debian's chromium through
# playwright-core (ui_test.mjs).
#
# The store: ten real root-zone snapshots (history and timelines), the test.
# zone the bundled tunnel capture was recorded under, a zone "cohost." whose
# domains share the tunnel's name server (so an alert pivots to co-hosted
# domains, with history over two snapshots), and a synthetic zone with
# NSR_UI_BIG (default 1,000,000) domains on one name server. Then `serve
# --config` reads testdata/detect/tunnels.pcap (real iodine and dns2tcp
# tunnels), keeps the alerts, imports the intel and answers HTTP on
# loopback; the test runs against it and the server's log and access log are
# checked for the key afterwards.
#
# Artifacts (screenshots at 1280 and 390 px, timings.json) go to
# NSR_UI_ARTIFACTS (default: ui-artifacts in the working directory).
# Exits 77 (skipped) without chromium, node or the test's npm packages
# (scripts/install-deps.sh --tests installs all three).
#
# Usage: run.sh NSRADAR_BINARY TESTDATA_DIR
set -euo pipefail

NSRADAR=$(realpath "$1")
TESTDATA=$(realpath "$2")
HERE=$(dirname "$(realpath "$0")")
BIG=${NSR_UI_BIG:-1000000}
ARTIFACTS=$(realpath -m "${NSR_UI_ARTIFACTS:-ui-artifacts}")

command -v chromium >/dev/null || { echo "SKIP: chromium not installed (scripts/install-deps.sh --tests)"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node not installed"; exit 77; }
[[ -d $HERE/node_modules/playwright-core ]] || { echo "SKIP: npm ci in tests/ui (scripts/install-deps.sh --tests)"; exit 77; }

WORK=$(mktemp -d /tmp/nsr-ui.XXXXXX)
# shellcheck source=../lib/jobs.sh
source "$HERE/../lib/jobs.sh"
cleanup() {
  set +e
  stop_jobs
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$ARTIFACTS"
STORE=$WORK/store
nsr() { "$NSRADAR" --store "$STORE" "$@"; }

t0=$(date +%s.%N)
mapfile -t ROOTS < <(ls "$TESTDATA"/rootzone/history/*.gz | head -n 10)
nsr zone ingest --times "$TESTDATA/rootzone/snapshots.tsv" "${ROOTS[@]}" >/dev/null
nsr zone ingest "$TESTDATA/detect/test.zone" >/dev/null
zone() {  # zone NAME SERIAL; domains on stdin as "label ns"
  printf '$ORIGIN %s.\n@ 3600 IN SOA a.root.test. h.test. %s 3600 600 86400 60\n@ 3600 IN NS a.root.test.\n' "$1" "$2"
  awk '{ printf "%s 3600 IN NS %s.\n", $1, $2 }'
}
printf 'alpha ns1.iodtxt.test\nbravo ns1.iodtxt.test\ncharlie ns1.iodtxt.test\n' |
  zone cohost 1 >"$WORK/cohost1.zone"
printf 'alpha ns1.iodtxt.test\nbravo ns1.shared.example\ncharlie ns1.iodtxt.test\ndelta ns1.iodtxt.test\n' |
  zone cohost 2 >"$WORK/cohost2.zone"
nsr zone ingest --observed-at 2026-01-01 "$WORK/cohost1.zone" >/dev/null
nsr zone ingest --observed-at 2026-02-01 "$WORK/cohost2.zone" >/dev/null
awk -v n="$BIG" 'BEGIN { for (i = 0; i < n; ++i) printf "d%07d ns1.bighost.example\n", i }' |
  zone big 1 >"$WORK/big.zone"
nsr zone ingest --observed-at 2026-03-01 "$WORK/big.zone" >/dev/null
t1=$(date +%s.%N)
echo "store built in $(echo "$t1 - $t0" | bc) s ($BIG domains on ns1.bighost.example)"

KEY=at_$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 29)
[[ ${#KEY} -eq 32 ]] || KEY=at_uitest0uitest0uitest0uitest0u
echo "$KEY" >"$WORK/keys"
# A resolver's query log the test appends a tunnel to while the alert list
# is open (followed; one ordinary line so its format is recognised).
now=$(date +%s)
printf "[%s] unbound[7325:0] query: 127.0.0.1 www.example.com. A IN\n[%s] unbound[7325:0] reply: 127.0.0.1 www.example.com. A IN NOERROR 0.000000 0 60\n" "$now" "$now" >"$WORK/live.log"
cat >"$WORK/nsradar.conf" <<CONF
store = $STORE
listen = 127.0.0.1:0
api_keys = $WORK/keys
rate_limit = 0
input = $TESTDATA/detect/tunnels.pcap
input = $WORK/live.log
follow = true
alerts_out = $WORK/alerts.jsonl
intel = $TESTDATA/detect/intel.csv
rpz_out = $WORK/nsradar.rpz
rpz_interval_seconds = 0.5
access_log = $WORK/access.log
log_file = $WORK/server.log
CONF
bg_job "$NSRADAR" serve --config "$WORK/nsradar.conf" >"$WORK/stdout.log" 2>"$WORK/stderr.log"
PORT=""
for _ in $(seq 200); do
  PORT=$(grep -o 'API on port [0-9]*' "$WORK/server.log" 2>/dev/null | grep -o '[0-9]*$' || true)
  [[ -n $PORT && $(wc -l <"$WORK/alerts.jsonl" 2>/dev/null || echo 0) -ge 4 ]] && break
  sleep 0.1
done
[[ -n $PORT ]] || { echo "FAIL: the server did not start"; cat "$WORK/stderr.log" "$WORK/server.log"; exit 1; }
echo "serving on 127.0.0.1:$PORT with $(wc -l <"$WORK/alerts.jsonl") alerts"

status=0
NSR_URL="http://127.0.0.1:$PORT" NSR_KEY="$KEY" NSR_RPZ="$WORK/nsradar.rpz" NSR_ARTIFACTS="$ARTIFACTS" NSR_BIG="$BIG" \
  NSR_LIVE_LOG="$WORK/live.log" \
  node "$HERE/ui_test.mjs" || status=$?
stop_jobs
# The key must appear in no log the server writes.
for f in access.log server.log stdout.log stderr.log; do
  if grep -qF "$KEY" "$WORK/$f" 2>/dev/null; then
    echo "FAIL: the API key appears in the server's $f"
    status=1
  fi
done
grep -q '"/ui/session"' "$WORK/access.log" || { echo "FAIL: the access log has no sign-in (is it written?)"; status=1; }
exit $status
