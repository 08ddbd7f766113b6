#!/usr/bin/env bash
# The figures of docs/benchmarks.md, "A name server's list under a name
# suffix, at 1M domains": a zone of 1,000,000 domains and 1,000 subdomains on
# one name server, served by `nsradar serve` on loopback; curl's time_total
# of list pages and exports under filters (7 runs: min and median), then a
# store failure mid-export (every SST file of a copy of the store
# overwritten 2 s into a rate-limited download) as curl and Python requests
# see it.
#
# Usage: suffix_list_bench.sh NSRADAR_BINARY [WORK_DIR]
set -uo pipefail
BIN=$(realpath "$1")
WORK=${2:-$(mktemp -d /tmp/nsr-suffix.XXXXXX)}
KEY=at_abcdefghijklmnopqrstuvwxyz012
NS=ns1.bighost.example
cd "$WORK" || exit 1
echo "$KEY" >keys
if [[ ! -d store ]]; then
  { printf '$ORIGIN big.\n@ 3600 IN SOA a.root.test. h.test. 1 3600 600 86400 60\n@ 3600 IN NS a.root.test.\n'
    awk -v ns="$NS" 'BEGIN { for (i = 0; i < 1000000; ++i) { printf "d%07d 3600 IN NS %s.\n", i, ns
                                                           if (i % 1000 == 0) printf "www.d%07d 3600 IN NS %s.\n", i, ns } }'
  } >big.zone
  "$BIN" --store store zone ingest --observed-at 2026-03-01 big.zone
fi

serve() {  # serve STORE PORT: starts the server, waits for it; its pid in $SERVER
  "$BIN" --store "$1" serve --api-keys keys --listen "127.0.0.1:$2" >"serve-$2.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$2/v2/ns/x/counts" && return; sleep 0.1; done
}

serve store 18471
t() {  # t PATH_AND_QUERY
  local xs=()
  for _ in 1 2 3 4 5 6 7; do
    xs+=("$(curl -s -o out -w '%{time_total}' -H "X-API-Key: $KEY" "http://127.0.0.1:18471/v2/ns/$NS/$1")")
  done
  printf '%-50s %s  %s\n' "$1" "$(printf '%s\n' "${xs[@]}" | sort -n |
    awk '{ a[NR] = $1 * 1000 } END { printf "min %.0f ms, median %.0f ms", a[1], a[int((NR + 1) / 2)] }')" "$(head -c 90 out | tr '\n' ' ')"
}
t 'domains?limit=100'
t 'domains?limit=100&kind=subdomain'
for s in big d0500000.big www.d0500000.big nothing.big; do t "domains?limit=100&suffix=$s"; done
t 'domains/export?format=csv&suffix=d0500000.big'
t 'domains/export?format=csv&suffix=big'
kill "$SERVER"; wait "$SERVER" 2>/dev/null

URL="http://127.0.0.1:18473/v2/ns/$NS/domains/export?format=csv"
for client in curl python; do
  rm -rf damaged && cp -r store damaged
  serve damaged 18473
  case $client in
    curl) curl -sS --limit-rate 1M -H "X-API-Key: $KEY" -o export.csv "$URL" & ;;
    python) python3 -c "
import requests, sys, time
r = requests.get(sys.argv[1], headers={'X-API-Key': sys.argv[2]}, stream=True)
n = 0
try:
    for chunk in r.iter_content(65536):
        n += len(chunk)
        time.sleep(0.05)
    print('python: complete,', n, 'bytes')
except Exception as e:
    print('python:', type(e).__name__, 'after', n, 'bytes')
" "$URL" "$KEY" & ;;
  esac
  CLIENT=$!
  sleep 2
  for f in damaged/*.sst; do python3 -c "import os, sys; open(sys.argv[1], 'r+b').write(b'\xa5' * os.path.getsize(sys.argv[1]))" "$f"; done
  wait "$CLIENT"
  echo "$client exit status: $?"
  [[ $client == curl ]] && echo "export.csv: $(wc -c <export.csv) bytes, last line: $(tail -n 1 export.csv)"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null
done
