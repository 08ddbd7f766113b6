#!/usr/bin/env bash
# The main job on bundled data: builds nsradar, builds the reverse name-server
# index from 168 real root-zone files (2018-2020; one is an empty file, which
# nsradar refuses) and a synthetic CZDS-style .com zone, asks it questions,
# reads recorded DNS traffic, then runs the live pipeline (serve --config)
# over a capture of real iodine and dns2tcp tunnels: alerts, name server
# checks, threat intelligence, the RPZ zone and the HTTP API. No root, no
# external service: the store is an embedded RocksDB in ./nsradar-data
# (NSRADAR_STORE), the outputs go to ./nsradar-demo. Running it again
# changes nothing: snapshots are idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target nsradar nsradar-zonegen
NSRADAR="./build/tools/nsradar --store ${NSRADAR_STORE:-./nsradar-data}"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "nsradar zone ingest --times testdata/rootzone/snapshots.tsv testdata/rootzone/history/*.gz  (167 real root zones)"
# One mirrored snapshot is an empty file: nsradar refuses it rather than mark
# every TLD as removed, and says so.
$NSRADAR zone ingest --times testdata/rootzone/snapshots.tsv testdata/rootzone/history/*.gz | tail -n 3 ||
  echo "(one file was refused, see the error above; the other 166 are in)"
say "nsradar zone ingest testdata/rootzone/full/root-20180312T0000Z.zone.gz  (with DNSSEC records)"
$NSRADAR zone ingest testdata/rootzone/full/root-20180312T0000Z.zone.gz

say "nsradar-zonegen --domains 300000 | nsradar zone ingest --observed-at 2026-11-01 -  (synthetic CZDS .com)"
./build/tools/nsradar-zonegen --domains 300000 | $NSRADAR zone ingest --observed-at 2026-11-01 -

say "nsradar stats"
$NSRADAR stats

say "nsradar ns domains sns-pb.isc.org   # ISC's secondary service: which TLDs used it, and until when"
$NSRADAR ns domains sns-pb.isc.org --limit 10

say "nsradar ns list nstld.com           # every name server host under a name, with domain counts"
$NSRADAR ns list nstld.com --limit 5

say "nsradar domain history tel          # a TLD's name servers and their changes over time"
$NSRADAR domain history tel

say "nsradar ns ips a.nic.de && nsradar ip hosts 194.0.0.53"
$NSRADAR ns ips a.nic.de
$NSRADAR ip hosts 194.0.0.53

say "nsradar --json ns domains ns1.nethost0.net --limit 3   # machine output"
$NSRADAR --json ns domains ns1.nethost0.net --limit 3

say "nsradar events testdata/ingest/unbound.pcap   # DNS traffic recorded from a real Unbound, as events"
./build/tools/nsradar events testdata/ingest/unbound.pcap
say "nsradar --json events --limit 2 testdata/ingest/suricata-eve-v3.json testdata/ingest/dnsmasq.log   # any source, one shape"
./build/tools/nsradar --json events --limit 2 testdata/ingest/suricata-eve-v3.json
say "nsradar ingest-traffic testdata/ingest/unbound.pcap && nsradar domain history good.test   # passive DNS into the index"
$NSRADAR ingest-traffic testdata/ingest/unbound.pcap
$NSRADAR domain history good.test

say "nsradar zone ingest testdata/detect/test.zone   # the zone the bundled tunnel capture was recorded under"
$NSRADAR zone ingest testdata/detect/test.zone
say "nsradar detect testdata/detect/tunnels.pcap   # real iodine and dns2tcp tunnels through Unbound"
./build/tools/nsradar detect testdata/detect/tunnels.pcap

# The main job: one process reads the traffic, detects, checks every alert
# against the index and the threat intelligence, writes the RPZ zone the
# resolvers load, and answers the HTTP API over the same store. A Reverse
# NS API client only changes its base URL. Live, `input` would be
# dnstap-socket:PATH or interface:NAME (docs/pipeline.md).
DEMO=$(mktemp -d)
DEMO_KEY=at_demo0demo0demo0demo0demo0demo
echo "$DEMO_KEY" >"$DEMO/keys"
PORT=${NSRADAR_DEMO_PORT:-18053}
OUT=${NSRADAR_DEMO_OUT:-./nsradar-demo}
mkdir -p "$OUT"
rm -f "$OUT/alerts.jsonl"
cat >"$DEMO/nsradar.conf" <<CONF
store = ${NSRADAR_STORE:-./nsradar-data}
listen = 127.0.0.1:$PORT
api_keys = $DEMO/keys
input = testdata/detect/tunnels.pcap
alerts_out = $OUT/alerts.jsonl
intel = testdata/detect/intel.csv
rpz_out = $OUT/nsradar.rpz
rpz_interval_seconds = 0.5
CONF
say "nsradar serve --config nsradar.conf   (in the background; the file:)"
cat "$DEMO/nsradar.conf"
./build/tools/nsradar serve --config "$DEMO/nsradar.conf" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DEMO"' EXIT
for _ in $(seq 100); do
  [[ $(wc -l 2>/dev/null <"$OUT/alerts.jsonl" || echo 0) -ge 4 && -s $OUT/nsradar.rpz ]] && grep -q CNAME "$OUT/nsradar.rpz" && break
  sleep 0.1
done
say "curl 'http://127.0.0.1:$PORT/v2/check/d2ttxt.test?apiKey=KEY'   # the name server check of a tunnel domain"
curl -s "http://127.0.0.1:$PORT/v2/check/d2ttxt.test?apiKey=$DEMO_KEY"; echo
say "curl 'http://127.0.0.1:$PORT/v2/alerts?domain=iodtxt.test&apiKey=KEY'   # an alert as kept, with its check"
curl -s "http://127.0.0.1:$PORT/v2/alerts?domain=iodtxt.test&apiKey=$DEMO_KEY" | head -c 700; echo " ..."
say "cat $OUT/nsradar.rpz   # what BIND, Unbound and PowerDNS enforce"
cat "$OUT/nsradar.rpz"
say "curl 'http://127.0.0.1:$PORT/api/v1?apiKey=KEY&ns=sns-pb.isc.org'   # v1, Reverse NS API shape"
curl -s "http://127.0.0.1:$PORT/api/v1?apiKey=$DEMO_KEY&ns=sns-pb.isc.org" | head -c 400; echo " ..."
say "curl -H 'X-API-Key: KEY' 'http://127.0.0.1:$PORT/v2/ns/sns-pb.isc.org/domains?limit=2'"
curl -s -H "X-API-Key: $DEMO_KEY" "http://127.0.0.1:$PORT/v2/ns/sns-pb.isc.org/domains?limit=2"; echo
say "curl 'http://127.0.0.1:$PORT/v2/export/cof?ns=a.nic.de&apiKey=KEY'   # Passive DNS COF, NDJSON"
curl -s "http://127.0.0.1:$PORT/v2/export/cof?ns=a.nic.de&apiKey=$DEMO_KEY" | head -n 2
kill -TERM $SERVER
wait $SERVER 2>/dev/null || true

cat <<MSG

Where to look:
  - the index, the alerts and the threat intelligence: ${NSRADAR_STORE:-./nsradar-data} (RocksDB);
    ./build/tools/nsradar alerts, ... check DOMAIN, ... intel list
  - the alerts as JSON lines: $OUT/alerts.jsonl (docs/detection.md)
  - the RPZ zone for your resolvers: $OUT/nsradar.rpz (docs/pipeline.md)
  - the API: docs/api.md; its OpenAPI document is served at /v2/openapi.json.
Every command takes --json. Try ./build/tools/nsradar --help.
MSG
exit 0
