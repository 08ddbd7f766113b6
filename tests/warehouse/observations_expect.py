#!/usr/bin/env python3
"""The passive-DNS part of the hunt test: its data and its answers, computed
from the data alone.

  observations_expect.py generate SEED DIR   writes DIR/s1.eve.json, DIR/s2.eve.json (Suricata EVE v3)
                                             and DIR/sN.eve.events (the transactions of each)
  observations_expect.py total DIR SENSOR    prints the sightings the sensor's passive DNS takes
  observations_expect.py check DIR DOMAIN    checks `hunt observations --json` pages (one a line) on stdin

Each sensor's log holds NS answers for six zones (1-3 name servers each,
from three hosters, plus a delegated subdomain), A and AAAA answers for
name servers (taken) and for hosts that are no name server (not taken), and
NXDOMAIN answers (not taken), two hours after hunt_expect.py's data so its
windows see none of it. The rules applied here are passive DNS's
(src/ingest/passive_dns.h): an NS record of a NOERROR answer is (owner,
NS, target); an address answer is taken when its owner was an NS target
earlier in the same sensor's stream. The warehouse should hold, per
(rrname, rrtype, rdata) over both sensors: first and last second, the
number of answers that carried it, and the sensors.
"""
import calendar
import json
import random
import sys
import time
from collections import defaultdict

T = 1795773600 + 7200  # 2026-11-27T12:00:00Z
SECONDS = 600
ZONES = [f"zone{i}.example" for i in range(6)] + ["sub.zone0.example"]
HOSTS = [f"ns{n}.hoster{h}.net" for h in range(3) for n in (1, 2, 3)]


def address(host, v6):
    i = HOSTS.index(host) + 1 if host in HOSTS else 200
    return f"2001:db8::{i:x}" if v6 else f"192.0.2.{i}"


def eve(ts_us, src, sport, dst, dport, dns):
    t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts_us // 1_000_000))
    return json.dumps({"timestamp": f"{t}.{ts_us % 1_000_000:06d}+0000", "proto": "UDP", "event_type": "dns",
                       "src_ip": src, "src_port": sport, "dest_ip": dst, "dest_port": dport, "dns": dns})


def generate(seed, out):
    rng = random.Random(seed)
    # Every hoster serves a zone (zone i's first server is ns1.hoster(i%3)).
    servers = {}
    for i, z in enumerate(ZONES):
        first = HOSTS[3 * (i % 3)]
        servers[z] = [first] + rng.sample([h for h in HOSTS if h != first], rng.randint(0, 2))
    for sensor, n in (("s1", 700), ("s2", 500)):
        lines = []
        for k in range(n):
            ts = T + rng.randrange(SECONDS)
            r = rng.random()
            if r < 0.6:
                qname, qtype = rng.choice(ZONES), "NS"
                answers = [{"rrname": qname, "rrtype": "NS", "ttl": 3600, "rdata": ns} for ns in servers[qname]]
                rcode = "NOERROR"
            elif r < 0.9:
                qtype = rng.choice(["A", "AAAA"])
                qname = rng.choice(HOSTS + ["www.hoster0.net", "mail.hoster1.net"])
                answers = [{"rrname": qname, "rrtype": qtype, "ttl": 300, "rdata": address(qname, qtype == "AAAA")}]
                rcode = "NOERROR"
            else:
                qname, qtype, answers, rcode = rng.choice(ZONES), "NS", [], "NXDOMAIN"
            client = f"10.8.0.{rng.randrange(1, 20)}"
            port = 20000 + k
            q = {"version": 3, "type": "request", "id": k % 65536, "queries": [{"rrname": qname, "rrtype": qtype}]}
            a = {"version": 3, "type": "response", "id": k % 65536, "rcode": rcode,
                 "queries": [{"rrname": qname, "rrtype": qtype}], "answers": answers}
            us = ts * 1_000_000 + 100_000
            lines.append((us, k, eve(us, client, port, "10.8.0.53", 53, q)))
            lines.append((us + 300, k, eve(us + 300, "10.8.0.53", 53, client, port, a)))
        lines.sort()
        with open(f"{out}/{sensor}.eve.json", "w") as f:
            for _, _, line in lines:
                f.write(line + "\n")
        with open(f"{out}/{sensor}.eve.events", "w") as f:
            f.write(f"{n}\n")


def sightings(d):
    """(rrname, rrtype, rdata) -> [first, last, count, sensors], and the total per sensor."""
    records, totals = {}, defaultdict(int)
    for sensor in ("s1", "s2"):
        name_servers = set()
        with open(f"{d}/{sensor}.eve.json") as f:
            for line in f:
                e = json.loads(line)
                dns = e["dns"]
                if dns["type"] != "response" or dns["rcode"] != "NOERROR":
                    continue
                ts = calendar_seconds(e["timestamp"])
                for a in dns["answers"]:
                    if a["rrtype"] == "NS":
                        key = (a["rrname"], 2, a["rdata"])
                        name_servers.add(a["rdata"])
                    elif a["rrname"] in name_servers:
                        key = (a["rrname"], 1 if a["rrtype"] == "A" else 28, a["rdata"])
                    else:
                        continue
                    r = records.setdefault(key, [ts, ts, 0, set()])
                    r[0], r[1], r[2] = min(r[0], ts), max(r[1], ts), r[2] + 1
                    r[3].add(sensor)
                    totals[sensor] += 1
    return records, totals


def calendar_seconds(stamp):
    return calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))


def check(d, domain):
    records, _ = sightings(d)
    registered = ".".join(domain.split(".")[-2:])  # the data's names are all NAME.example or NAME.net
    want = sorted((k, v) for k, v in records.items()
                  if ".".join(k[0].split(".")[-2:]) == registered and (k[0] == domain or k[0].endswith("." + domain)))
    got, pages = [], 0
    for line in sys.stdin:
        if not line.strip():
            continue
        page = json.loads(line)
        pages += 1
        if page["registered_domain"] != registered:
            sys.exit(f"registered_domain {page['registered_domain']}, expected {registered}")
        got += page["observations"]
    want_rows = [{"rrname": k[0], "rrtype": k[1], "rdata": k[2], "first_seen": v[0], "last_seen": v[1],
                  "count": v[2], "sensors": sorted(v[3])} for k, v in want]
    got_rows = [{k: o[k] for k in ("rrname", "rrtype", "rdata", "first_seen", "last_seen", "count", "sensors")}
                for o in got]
    # Pages in order: ClickHouse sorts strings as bytes, as Python does.
    if got_rows != want_rows:
        for w, g in zip(want_rows, got_rows):
            if w != g:
                sys.exit(f"{domain}: first difference: expected {w}, got {g}")
        sys.exit(f"{domain}: {len(got_rows)} records, expected {len(want_rows)}")
    if not want_rows:
        sys.exit(f"{domain}: the data has no records to compare (a broken generator?)")
    print(f"{domain}: {len(got_rows)} records in {pages} page(s), as computed")


def main():
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "total":
        print(sightings(sys.argv[2])[1][sys.argv[3]])
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
