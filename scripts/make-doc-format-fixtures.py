#!/usr/bin/env python3
"""Writes testdata/ingest fixtures for log formats whose software is not in
Debian (Zeek, Suricata, CoreDNS, Windows DNS Server), following each one's
documented format, for the same transactions as testdata/ingest/unbound.pcap
(read through `nsradar --json events`). Run after make-ingest-fixtures.sh.

Formats as documented:
- Zeek dns.log (base/protocols/dns/main.zeek): TSV with #separator, #fields
  and #types headers, '-' unset, '(empty)' empty, ',' set separator; and the
  JSON writer (LogAscii::use_json=T), ts as epoch seconds.
- Suricata EVE dns: v2 (type query/answer, rrname/rrtype, answers with
  rdata), v3 (type request/response, queries[] and answers[]; Suricata 8's
  default), and an alert with its dns object.
- CoreDNS log plugin default: {remote}:{port} - {>id} "{type} {class} {name}
  {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}.
- Windows DNS Server debug log: date time thread PACKET context proto
  direction remote xid [R] opcode [flags rcode] type name((n)label...).
"""
import json
import subprocess
import sys
from datetime import datetime, timezone

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/tools/nsradar"
OUT = "testdata/ingest/"
events = [json.loads(l) for l in subprocess.run(
    [BIN, "--json", "events", OUT + "unbound.pcap"], capture_output=True, text=True, check=True).stdout.splitlines()]

TYPES = {"A": 1, "AAAA": 28, "MX": 15, "TXT": 16, "NS": 2}
RCODES = {"NOERROR": 0, "NXDOMAIN": 3}

def iso(us, sep="T"):
    return datetime.fromtimestamp(us / 1e6, timezone.utc).strftime("%Y-%m-%d" + sep + "%H:%M:%S.%f")

with open(OUT + "zeek-dns.log", "w") as f:
    fields = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "rtt", "query",
              "qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name", "AA", "TC", "RD", "RA", "Z",
              "answers", "TTLs", "rejected", "opcode", "opcode_name"]
    f.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n")
    f.write("#open\t2026-11-27-09-45-03\n#fields\t" + "\t".join(fields) + "\n")
    f.write("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring"
            "\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\tcount\tstring\n")
    for i, e in enumerate(events):
        answers = [a["data"] for a in e["answers"]]
        row = ["%d.%06d" % divmod(e["ts_us"], 1000000), "C%016x" % i, e["client"], str(e["client_port"]),
               e["server"], str(e["server_port"]), e["transport"], str(e["id"]), "0.000321",
               e.get("qname_raw", e["qname"]), "1", "C_INTERNET", str(TYPES[e["qtype"]]), e["qtype"],
               str(RCODES[e["rcode"]]), e["rcode"], "T", "F", "T", "T", "0",
               ",".join(a.replace(",", "\\x2c").replace("\t", "\\x09") for a in answers) if answers else "-",
               ",".join("300.000000" for _ in answers) if answers else "-", "F", "0", "query"]
        f.write("\t".join(row) + "\n")
    f.write("#close\t2026-11-27-09-45-04\n")

with open(OUT + "zeek-dns.json", "w") as f:
    for i, e in enumerate(events):
        rec = {"ts": e["ts_us"] / 1e6, "uid": "C%016x" % i, "id.orig_h": e["client"], "id.orig_p": e["client_port"],
               "id.resp_h": e["server"], "id.resp_p": e["server_port"], "proto": e["transport"],
               "trans_id": e["id"], "rtt": 0.000321, "query": e.get("qname_raw", e["qname"]), "qclass": 1,
               "qclass_name": "C_INTERNET", "qtype": TYPES[e["qtype"]], "qtype_name": e["qtype"],
               "rcode": RCODES[e["rcode"]], "rcode_name": e["rcode"], "AA": True, "TC": False, "RD": True,
               "RA": True, "Z": 0, "rejected": False}
        if e["answers"]:
            rec["answers"] = [a["data"] for a in e["answers"]]
            rec["TTLs"] = [300.0 for _ in e["answers"]]
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")

def eve_ts(us):
    return iso(us) + "+0000"

for version in (2, 3):
    with open(OUT + "suricata-eve-v%d.json" % version, "w") as f:
        f.write(json.dumps({"timestamp": eve_ts(events[0]["ts_us"] - 1000), "event_type": "stats",
                            "stats": {"uptime": 10}}) + "\n")
        for i, e in enumerate(events):
            flow = 1000 + i
            base = {"flow_id": flow, "in_iface": "lo", "proto": e["transport"].upper()}
            q = {"rrname": e.get("qname_raw", e["qname"]), "rrtype": e["qtype"]}
            if version == 2:
                dq = {"type": "query", "id": e["id"], **q, "tx_id": 0, "opcode": 0}
            else:
                dq = {"version": 3, "type": "request", "tx_id": 0, "id": e["id"], "flags": "100", "rd": True,
                      "opcode": 0, "queries": [q]}
            f.write(json.dumps({"timestamp": eve_ts(e["ts_us"]), **base, "event_type": "dns",
                                "src_ip": e["client"], "src_port": e["client_port"], "dest_ip": e["server"],
                                "dest_port": e["server_port"], "dns": dq}) + "\n")
            answers = [{"rrname": a["name"], "rrtype": a["type"], "ttl": a["ttl"], "rdata": a["data"]}
                       for a in e["answers"]]
            if version == 2:
                da = {"version": 2, "type": "answer", "id": e["id"], "flags": "8180", "qr": True, "rd": True,
                      "ra": True, "opcode": 0, **q, "rcode": e["rcode"]}
                if answers:
                    da["answers"] = answers
            else:
                da = {"version": 3, "type": "response", "tx_id": 0, "id": e["id"], "flags": "8180", "qr": True,
                      "rd": True, "ra": True, "opcode": 0, "rcode": e["rcode"], "queries": [q]}
                if answers:
                    da["answers"] = answers
            f.write(json.dumps({"timestamp": eve_ts(e["ts_us"] + 300), **base, "event_type": "dns",
                                "src_ip": e["server"], "src_port": e["server_port"], "dest_ip": e["client"],
                                "dest_port": e["client_port"], "dns": da}) + "\n")
        # An alert on the encoded-looking query, carrying its dns object; it
        # describes a transaction already logged, so it adds no event.
        e = events[9]
        f.write(json.dumps({"timestamp": eve_ts(e["ts_us"] + 500), "flow_id": 1009, "event_type": "alert",
                            "src_ip": e["client"], "src_port": e["client_port"], "dest_ip": e["server"],
                            "dest_port": e["server_port"], "proto": "UDP",
                            "alert": {"signature_id": 2027863, "signature": "ET INFO encoded DNS query"},
                            "dns": {"query": [{"type": "query", "id": e["id"], "rrname": e["qname"],
                                               "rrtype": e["qtype"], "tx_id": 0}]}}) + "\n")

with open(OUT + "coredns.log", "w") as f:
    f.write("[INFO] plugin/reload: Running configuration SHA512 = 3f5a\n")
    for e in events:
        flags = "qr,aa,rd" if e["rcode"] == "NOERROR" else "qr,aa,rd"
        f.write('%sZ [INFO] %s:%d - %d "%s IN %s. %s %d false 1232" %s %s %d 0.000%03ds\n' % (
            iso(e["ts_us"])[:-3], e["client"], e["client_port"], e["id"], e["qtype"], e.get("qname_raw", e["qname"]),
            e["transport"], e["query_size"], e["rcode"], flags, e["response_size"], 100))

def win_name(name):
    return "".join("(%d)%s" % (len(l), l) for l in name.split(".")) + "(0)"

with open(OUT + "windows-dns.log", "w") as f:
    f.write("DNS Server log file creation at 11/27/2026 9:45:00 AM\nLog file wrap at 11/27/2026 9:45:00 AM\n\n")
    f.write("Message logging key (for packets - other items use a subset of these fields):\n")
    f.write("\tField #  Information         Values\n\n")
    for e in events:
        t = datetime.fromtimestamp(e["ts_us"] / 1e6, timezone.utc)
        stamp = "%d/%d/%d %d:%02d:%02d %s" % (t.month, t.day, t.year, (t.hour % 12) or 12, t.minute, t.second,
                                              "AM" if t.hour < 12 else "PM")
        name = win_name(e.get("qname_raw", e["qname"]))
        proto = e["transport"].upper()
        f.write("%s 0E44 PACKET  000001F6B3C0D010 %s Rcv %-15s %04x   Q [0001   D   NOERROR] %-6s %s\n" % (
            stamp, proto, e["client"], e["id"], e["qtype"], name))
        f.write("%s 0E44 PACKET  000001F6B3C0D010 %s Snd %-15s %04x R Q [8081   DR  %s] %-6s %s\n" % (
            stamp, proto, e["client"], e["id"], e["rcode"], e["qtype"], name))
print("wrote", len(events), "transactions in 7 formats")
