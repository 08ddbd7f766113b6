"""Verdict of the tunnel recall harness (run.sh): reads the live alerts,
the batch alerts, the tunnel start times and the received files in WORKDIR,
prints a table and exits non-zero on any miss."""
import datetime
import json
import os
import sys

work, deadline = sys.argv[1], float(sys.argv[2])
pipeline = len(sys.argv) > 3 and sys.argv[3] == "1"
starts = {}
with open(os.path.join(work, "starts.txt")) as f:
    for line in f:
        name, t, ip = line.split()
        starts[name] = (float(t), ip)


def load(path):
    alerts = []
    if os.path.exists(path):
        with open(path) as f:
            alerts = [json.loads(l) for l in f if l.strip()]
    return alerts


failures = []
payload = open(os.path.join(work, "payload"), "rb").read()
for mode, path in (("live", "alerts.jsonl"), ("batch", "batch.jsonl"), ("no-fingerprints", "batch-nofp.jsonl")):
    alerts = load(os.path.join(work, path))
    by_domain = {a["registered_domain"]: a for a in alerts}
    print(f"{mode}: {len(alerts)} alerts")
    print(f"  {'tunnel':10} {'category':12} {'top client':12} {'after start':>11} {'file':>6}  fingerprint")
    for name, (t0, ip) in sorted(starts.items()):
        if name == "benign":
            continue
        domain = name + ".test"
        a = by_domain.get(domain)
        received = os.path.join(work, name + ".received")
        intact = os.path.exists(received) and open(received, "rb").read() == payload
        # The pipeline may cut a tunnel before its file is through: that is
        # the enforcement working, shown as "cut".
        if mode == "live" and not intact and not pipeline:
            failures.append(f"{name}: the 4,096-byte file did not arrive intact through the tunnel")
        if a is None:
            failures.append(f"{mode}: no alert for {domain}")
            print(f"  {name:10} MISSED")
            continue
        delay = a["alert_time_us"] / 1e6 - t0
        top = a["clients"][0]["address"] if a["clients"] else "-"
        fp = next((r.get("detail", "") for r in a["reasons"] if r["feature"] == "tool_fingerprint"), "")
        print(f"  {name:10} {a['category']:12} {top:12} {delay:10.1f}s {'ok' if intact else ('cut' if pipeline else 'BAD'):>6}  {fp}")
        # Without the tools' marks the direction of the data decides: each
        # client uploads a 4 KB file and gets little back, so a session
        # judged mid-upload is exfiltration as rightly as tunneling (which
        # one depends on when the alert fires, and so on the run's timing).
        # Either is a data channel; anything else is a miss.
        accepted = ("tunneling", "exfiltration") if mode == "no-fingerprints" else ("tunneling",)
        if a["category"] not in accepted:
            failures.append(f"{mode}: {domain} is '{a['category']}', not {' or '.join(accepted)}")
        if top != ip:
            failures.append(f"{mode}: {domain} names {top} first, not {ip}")
        if delay > deadline:
            failures.append(f"{mode}: {domain} alerted {delay:.1f}s after the tunnel started (limit {deadline:.0f}s)")
        if mode == "live" and pipeline:
            check = a.get("name_server_check", {})
            ns = check.get("name_servers", [])
            print(f"             verdict {check.get('verdict')}: {'; '.join(check.get('reasons', []))}")
            if check.get("verdict") not in ("suspicious", "malicious"):
                failures.append(f"pipeline: {domain} has no suspicious verdict: {check}")
            if not any(n.get("name") == f"ns1.{domain}" and n.get("in_bailiwick") for n in ns):
                failures.append(f"pipeline: the check of {domain} does not show its in-bailiwick name server")
    expected = {n + ".test" for n in starts if n != "benign"}
    for d in by_domain:
        if d not in expected:
            failures.append(f"{mode}: unexpected alert for {d}")

if pipeline:
    print("enforcement:")
    with open(os.path.join(work, "enforcement.txt")) as f:
        for line in f:
            kind, name, *rest = line.split(maxsplit=2)
            result = rest[0].strip() if rest else "no answer"
            print(f"  {kind:18} {name:18} {result}")
            want = {"blocked": "NXDOMAIN", "benign": "NOERROR", "iodine-after-rpz": "dead"}[kind]
            if result != want:
                failures.append(f"enforcement: {kind} {name} gave {result}, expected {want}")

for f in failures:
    print("FAIL:", f)
print("PASS" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
