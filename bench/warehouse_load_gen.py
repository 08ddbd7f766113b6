#!/usr/bin/env python3
"""Generates the input of bench/warehouse_load.sh: two BIND 9 query logs,
one per sensor, as a resolver writes them (27-Nov-2026 09:58:54.064
queries: info: client @0x.. ADDR#PORT (NAME): query: NAME IN TYPE +E(0)K
(SERVER)).

  warehouse_load_gen.py EVENTS SEED DIR [MINUTES]

writes DIR/s1.log (the first half, rounded up) and DIR/s2.log, their times
rising evenly from 2026-11-27 00:00 UTC over MINUTES (default 180) with a
few milliseconds of jitter, so that per-minute counts differ and mean
something. The mix: names under 20,000 registered domains of varied
suffixes (.com, .co.uk, .de, ...) picked Zipf-like (a few very popular),
reverse lookups, CDN-style hashed labels, and 1% encoded-looking TXT/NULL
names under five tunnel-like domains (the sensors' detection raises alerts
and writes their evidence tier as in real traffic); 4,000 clients per
sensor, 5% over IPv6; the usual spread of query types. The counts the
benchmark checks are taken from these files by awk, not from here.
"""
import base64
import datetime
import itertools
import os
import random
import sys

WORDS = ("alpha bank cloud data echo fast green home info jet kilo lake mail news open pixel quick red shop "
         "tech up video web xeno yard zen blue star sun moon river stone apps game play book tv net").split()
SUFFIXES = ["com"] * 10 + ["net"] * 3 + ["org"] * 2 + ["co.uk", "de", "fr", "io", "com.au", "nl", "jp", "it"]
HOSTS = ["www"] * 8 + ["api", "cdn", "mail", "img", "static", "login", "m", "app", "edge", "ws", ""]
QTYPES = ["A"] * 55 + ["AAAA"] * 25 + ["HTTPS"] * 7 + ["MX"] * 2 + ["TXT"] * 3 + ["SRV", "NS", "SOA", "CNAME"]
TUNNELS = ["t1.exfil-sync.com", "relay.cdnx-update.net", "a.qz-metrics.org", "dl.updsvc.io", "x.tnl-stats.co.uk"]


def domains(rng):
    out = set()
    while len(out) < 20000:
        out.add(f"{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.randrange(1000)}.{rng.choice(SUFFIXES)}")
    return sorted(out)


def clients(rng, sensor):
    v4 = [f"10.{sensor}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(3800)]
    v6 = [f"2001:db8:{sensor}::{rng.randrange(1, 65535):x}" for _ in range(200)]
    return v4 + v6


def name_and_type(rng, doms, cum):
    r = rng.random()
    if r < 0.01:  # encoded-looking: a tunnel or exfiltration
        label = base64.b32encode(rng.randbytes(30)).decode().rstrip("=").lower()
        return f"{label}.{rng.choice(TUNNELS)}", rng.choice(("TXT", "TXT", "NULL", "CNAME"))
    if r < 0.06:
        return (f"{rng.randrange(1, 255)}.{rng.randrange(256)}.{rng.randrange(256)}.10.in-addr.arpa", "PTR")
    if r < 0.10:
        return f"{rng.randbytes(8).hex()}.edge.akamaized-cdn.net", "A"
    host = rng.choice(HOSTS)
    dom = rng.choices(doms, cum_weights=cum)[0]
    return (f"{host}.{dom}" if host else dom), rng.choice(QTYPES)


def write(path, n, sensor, minutes, rng, doms, cum):
    start_ms = int(datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc).timestamp() * 1000)
    span_ms = minutes * 60_000
    who = clients(rng, sensor)
    prefixes = {}
    with open(path, "w", buffering=1 << 20) as f:
        lines = []
        for i in range(n):
            ms = start_ms + i * span_ms // n + rng.randrange(3)
            sec = ms // 1000
            minute = sec // 60
            p = prefixes.get(minute)
            if p is None:
                p = datetime.datetime.fromtimestamp(minute * 60, datetime.timezone.utc).strftime("%d-%b-%Y %H:%M:")
                prefixes[minute] = p
            name, qtype = name_and_type(rng, doms, cum)
            lines.append(f"{p}{sec % 60:02d}.{ms % 1000:03d} queries: info: client @0x7f1bbf01a098 "
                         f"{rng.choice(who)}#{rng.randrange(1024, 65536)} ({name}): query: {name} IN {qtype} "
                         f"+E(0)K (10.{sensor}.0.53)\n")
            if len(lines) == 10000:
                f.writelines(lines)
                lines.clear()
        f.writelines(lines)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    events, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    minutes = int(sys.argv[4]) if len(sys.argv) == 5 else 180
    if events < 2 or minutes < 1 or minutes > 1440:
        sys.exit("EVENTS must be at least 2 and MINUTES 1 to 1440 (one day)")
    rng = random.Random(seed)
    doms = domains(rng)
    cum = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(doms))))
    half = (events + 1) // 2
    write(os.path.join(out, "s1.log"), half, 1, minutes, rng, doms, cum)
    write(os.path.join(out, "s2.log"), events - half, 2, minutes, rng, doms, cum)


if __name__ == "__main__":
    main()
