#!/usr/bin/env bash
# The Grafana dashboard and the Prometheus rules against the tools that
# read them and against what nsradar really exposes (ctest
# `observability`): promtool checks the rules and runs their unit tests
# (prometheus-rules.test.yml); the dashboard is checked for what Grafana's
# import needs (panels, unique ids, grid positions, targets, its datasource
# input and variables) and each of its queries is parsed by promtool; then
# `nsradar serve --config` runs the pipeline over a capture of real tunnels
# on loopback, and every nsradar_* metric the dashboard or the rules name
# must be a family its /metrics declares.
#
#   observability.sh NSRADAR_BINARY SOURCE_DIR
set -euo pipefail
NSRADAR=$(realpath "$1")
SRC=$(realpath "$2")
DASHBOARD=$SRC/packaging/grafana-dashboard.json
RULES=$SRC/packaging/prometheus-rules.yml
command -v promtool >/dev/null || {
  echo "SKIP: promtool not installed (scripts/install-deps.sh --tests: Debian's prometheus)"
  exit 77
}
WORK=$(mktemp -d)
PID=""
cleanup() {
  [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

promtool check rules "$RULES" || fail "promtool check rules"
promtool test rules "$SRC/tests/package/prometheus-rules.test.yml" || fail "promtool test rules"

# The dashboard's structure, and its queries as recording rules for
# promtool to parse (Grafana's variables replaced by what they expand to).
python3 - "$DASHBOARD" "$WORK/dashboard-rules.yml" "$WORK/dashboard-metrics" <<'PY' || fail "dashboard structure"
import json, re, sys
d = json.load(open(sys.argv[1]))
errors = []
def need(cond, what):
    if not cond:
        errors.append(what)
for key in ("title", "uid", "schemaVersion", "panels", "templating", "__inputs"):
    need(key in d, f"no '{key}'")
inputs = {i["name"] for i in d.get("__inputs", []) if i.get("pluginId") == "prometheus"}
variables = {v["name"] for v in d["templating"]["list"]}
ids, exprs = set(), []
for p in d["panels"]:
    name = f"panel {p.get('id')} '{p.get('title')}'"
    need(isinstance(p.get("id"), int) and p["id"] not in ids, f"{name}: id missing or repeated")
    ids.add(p.get("id"))
    g = p.get("gridPos", {})
    need(all(isinstance(g.get(k), int) for k in "xywh") and g["x"] + g["w"] <= 24, f"{name}: bad gridPos {g}")
    if p.get("type") == "row":
        continue
    need(p.get("type") in ("timeseries", "stat", "bargauge"), f"{name}: unknown type {p.get('type')}")
    need(p.get("targets"), f"{name}: no targets")
    refs = set()
    for t in p.get("targets", []):
        ds = t.get("datasource", {}).get("uid", "")
        need(ds.startswith("${") and ds[2:-1] in inputs, f"{name}: datasource {ds} is not an __input")
        need(t.get("refId") and t["refId"] not in refs, f"{name}: refId missing or repeated")
        refs.add(t.get("refId"))
        expr = t.get("expr", "")
        for var in re.findall(r"\$(\w+)", expr):
            need(var in variables or var.startswith("__"), f"{name}: ${var} is not a dashboard variable")
        exprs.append(expr)
if errors:
    print("\n".join(errors))
    sys.exit(1)
with open(sys.argv[2], "w") as out:
    out.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        e = e.replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$instance", ".*")
        out.write(f"      - record: dashboard:query{i}\n        expr: {json.dumps(e)}\n")
with open(sys.argv[3], "w") as out:
    out.write("\n".join(sorted(set(re.findall(r"\bnsradar_[a-z0-9_]+", " ".join(exprs))))) + "\n")
print(f"dashboard: {len(ids)} panels, {len(exprs)} queries")
PY
promtool check rules "$WORK/dashboard-rules.yml" >/dev/null || fail "a dashboard query does not parse"
grep -o '\bnsradar_[a-z0-9_]*' "$RULES" | sort -u >"$WORK/rules-metrics"

# What /metrics declares, from the live pipeline over real tunnel traffic
# (alerts, RPZ writes, the store's gauges) after one API request.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
KEY=at_observability0test00000000000
echo "$KEY" >"$WORK/keys"
"$NSRADAR" --store "$WORK/store" zone ingest "$SRC/testdata/detect/test.zone" >/dev/null
cat >"$WORK/nsradar.conf" <<CONF
store = $WORK/store
listen = 127.0.0.1:$PORT
api_keys = $WORK/keys
input = $SRC/testdata/detect/tunnels.pcap
rpz_out = $WORK/rpz.zone
CONF
"$NSRADAR" serve --config "$WORK/nsradar.conf" >"$WORK/alerts.jsonl" 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log"; fail "serve exited"; }
  sleep 0.1
done
curl -sf -o /dev/null -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT/v2/stats" || fail "/v2/stats"
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || fail "/metrics"
# Families, and the series names a histogram family adds.
awk '$1 == "#" && $2 == "TYPE" { print $3; if ($4 == "histogram") print $3 "_bucket\n" $3 "_sum\n" $3 "_count" }' \
  "$WORK/metrics" | sort -u >"$WORK/exposed"
missing=$(comm -23 <(sort -u "$WORK/dashboard-metrics" "$WORK/rules-metrics") "$WORK/exposed")
[[ -z $missing ]] || fail "the dashboard or the rules use metrics /metrics does not declare: $missing"
uncharted=$(comm -13 <(sed 's/_\(bucket\|sum\|count\)$//' "$WORK/dashboard-metrics" | sort -u) \
  <(awk '$1 == "#" && $2 == "TYPE" { print $3 }' "$WORK/metrics" | sort -u))
echo "every metric of the dashboard ($(wc -l <"$WORK/dashboard-metrics")) and the rules ($(wc -l <"$WORK/rules-metrics")) is exposed"
[[ -z $uncharted ]] || echo "exposed but not on the dashboard: $uncharted"
