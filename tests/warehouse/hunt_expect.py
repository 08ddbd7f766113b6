#!/usr/bin/env python3
"""The hunt test's data and its answers, computed from the data alone.

  hunt_expect.py generate SEED DIR      writes DIR/s1.log, DIR/s2.log (CoreDNS logs)
  hunt_expect.py check DIR KIND ARGS    checks nsradar's JSON answer on stdin

The logs hold queries of a tunnel (long unique hex labels), of ordinary
domains (a few repeated names), over 12 clients (two of them IPv6) and 25
minutes, with query and response sizes, for two sensors. `check` recomputes
every answer from the logs (never from the warehouse) and compares.
"""
import calendar
import json
import random
import sys
import time
from collections import defaultdict

T0 = 1795773600  # 2026-11-27T10:00:00Z
MINUTES = 25
CLIENTS = [f"10.9.0.{i}" for i in range(1, 11)] + ["2001:db8::5", "2001:db8::a"]
DOMAINS = ["d1.example", "d2.example", "d3.example", "d4.example", "cdn.test"]
TUNNEL = "tunnel.example"


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))


def generate(seed, out):
    rng = random.Random(seed)
    for sensor, n in (("s1", 2600), ("s2", 1900)):
        lines = []
        for _ in range(n):
            ts = T0 + rng.randrange(MINUTES * 60)
            client = rng.choice(CLIENTS if rng.random() < 0.8 else CLIENTS[:3])
            if rng.random() < 0.3:
                qname = "%x.%s.%s" % (rng.getrandbits(120), rng.choice("abc"), TUNNEL)
                qtype = "TXT"
            else:
                d = rng.choice(DOMAINS)
                qname = rng.choice(["", "www.", "mail.", "api.", "x.www."]) + d
                qtype = rng.choice(["A", "AAAA"])
            qsize = rng.randrange(30, 250)
            rsize = rng.randrange(0, 600)
            rcode = rng.choice(["NOERROR", "NOERROR", "NXDOMAIN"])
            remote = f"[{client}]:5353" if ":" in client else f"{client}:5353"
            lines.append((ts, f'{iso(ts)}.{rng.randrange(1000):03d}Z [INFO] {remote} - {rng.randrange(65536)} '
                              f'"{qtype} IN {qname}. udp {qsize} false 1232" {rcode} qr,rd {rsize} 0.000100s'))
        # A log is in time order; lines of one second keep their order.
        lines.sort(key=lambda x: x[0])
        with open(f"{out}/{sensor}.log", "w") as f:
            for _, line in lines:
                f.write(line + "\n")


def events(d):
    """Every event of both logs, in warehouse order: (ts, sensor, line)."""
    out = []
    for sensor in ("s1", "s2"):
        for i, line in enumerate(open(f"{d}/{sensor}.log")):
            w = line.split()
            ts = calendar.timegm(time.strptime(w[0][:19], "%Y-%m-%dT%H:%M:%S"))
            client = w[2].rsplit(":", 1)[0].strip("[]")
            qname = w[7].rstrip(".")
            out.append(dict(ts=ts, sensor=sensor, line=i, client=client, qname=qname,
                            reg=".".join(qname.split(".")[-2:]), bytes=int(w[9]) + int(w[14])))
    out.sort(key=lambda e: (e["ts"], e["sensor"], e["line"]))
    return out


def of(evs, name, lo=0, hi=1 << 40):
    return [e for e in evs if (e["qname"] == name or e["qname"].endswith("." + name)) and lo <= e["ts"] < hi]


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def expect(what, got, want):
    if got != want:
        fail(f"{what}: got {str(got)[:600]}\n  expected {str(want)[:600]}")


def check(d, kind, args):
    evs = events(d)
    if kind == "events":  # ARGS: name from to; stdin: every page's document, a line each
        name, lo, hi = args[0], int(args[1]), int(args[2])
        want = of(evs, name, lo, hi)
        pages = [json.loads(line) for line in sys.stdin if line.strip()]
        for p in pages[:-1]:
            expect(f"{name}: a full page", len(p["events"]) > 0 and p["next_cursor"] is not None, True)
        expect(f"{name}: the last page's cursor", pages[-1]["next_cursor"], None)
        got = [e for p in pages for e in p["events"]]
        ids = {(e["sensor"], e["batch_seq"], e["batch_row"]) for e in got}
        expect(f"{name}: distinct events", len(ids), len(got))
        expect(f"{name}: events", len(got), len(want))
        keys = [(e["ts"], e["usec"], e["sensor"], e["batch_seq"], e["batch_row"]) for e in got]
        expect(f"{name}: order", keys, sorted(keys))
        expect(f"{name}: the events themselves",
               [(e["ts"], e["sensor"], e["client"], e["qname"], e["query_size"] + e["response_size"]) for e in got],
               [(e["ts"], e["sensor"], e["client"], e["qname"], e["bytes"]) for e in want])
        return
    doc = json.load(sys.stdin)
    if kind == "clients":
        name = args[0]
        per = defaultdict(lambda: dict(first=1 << 40, last=0, queries=0, bytes=0, sensors=set()))
        for e in of(evs, name):
            c = per[e["client"]]
            c["first"] = min(c["first"], e["ts"])
            c["last"] = max(c["last"], e["ts"])
            c["queries"] += 1
            c["bytes"] += e["bytes"]
            c["sensors"].add(e["sensor"])
        want = sorted(((-c["queries"], k, c["first"], c["last"], c["bytes"], sorted(c["sensors"]))
                       for k, c in per.items()), key=lambda x: x[:1])
        got = [(-c["queries"], c["client"], c["first_seen_usec"] // 10**6, c["last_seen_usec"] // 10**6, c["bytes"],
                c["sensors"]) for c in doc["clients"]]
        expect(f"{name}: clients", sorted(got), sorted(want))
        expect(f"{name}: most queries first", [g[0] for g in got], sorted(g[0] for g in got))
        expect(f"{name}: registered domain", doc["registered_domain"], ".".join(name.split(".")[-2:]))
    elif kind == "timeline":
        name, lo, hi = args[0], int(args[1]), int(args[2])
        per = defaultdict(lambda: [0, set(), 0])
        for e in of(evs, name, lo, hi):
            m = per[e["ts"] // 60 * 60]
            m[0] += 1
            m[1].add(e["qname"])
            m[2] += e["bytes"]
        want = [(k, v[0], len(v[1]), v[2]) for k, v in sorted(per.items())]
        got = [(m["minute"], m["queries"], m["subdomains"], m["bytes"]) for m in doc["minutes"]]
        expect(f"{name}: timeline", got, want)
    elif kind == "first-seen":
        name = args[0]
        e = of(evs, name)[0]
        f = doc["first"]
        expect(f"{name}: first seen", (f["ts"], f["sensor"], f["client"], f["qname"]),
               (e["ts"], e["sensor"], e["client"], e["qname"]))
    elif kind == "top":
        lo, hi = int(args[0]), int(args[1])
        per = defaultdict(lambda: [set(), 0, set()])
        for e in evs:
            if lo <= e["ts"] < hi:
                p = per[e["reg"]]
                p[0].add(e["qname"])
                p[1] += 1
                p[2].add(e["client"])
        rows = [(dom, sum(len(q) - len(dom) - 1 for q in p[0] if q != dom), len(p[0]), p[1], len(p[2]))
                for dom, p in per.items()]
        want = sorted(rows, key=lambda r: (-r[1], r[0]))
        got = [(r["registered_domain"], r["subdomain_bytes"], r["subdomains"], r["queries"], r["clients"])
               for r in doc["domains"]]
        expect("top", got, want)
        expect("top: the tunnel leads", got[0][0], TUNNEL)
    else:
        fail("unknown check " + kind)


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4:])
