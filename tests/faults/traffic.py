#!/usr/bin/env python3
"""Tunnel-shaped DNS traffic for the fault harness: COUNT TXT queries, each
a fresh base32 label of 40-50 characters under DOMAIN, sent one after the
other (waiting up to 1 s for each answer) from SOURCE to SERVER:53, the way
an exfiltration tool pushes a file out. Prints how many were answered."""
import base64
import os
import random
import socket
import struct
import sys


def query(name: str, qid: int) -> bytes:
    header = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p)
    return header + labels + b"\x00" + struct.pack(">HH", 16, 1)  # TXT IN


def main() -> int:
    server, source, domain, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.settimeout(1.0)
    answered = 0
    for i in range(count):
        label = base64.b32encode(os.urandom(random.randint(25, 31))).decode().rstrip("=").lower()
        qid = random.randint(0, 65535)
        s.sendto(query(f"{label}.{domain}", qid), (server, 53))
        try:
            data, _ = s.recvfrom(4096)
            answered += 1 if data[:2] == struct.pack(">H", qid) else 0
        except socket.timeout:
            pass
    print(answered)
    return 0


if __name__ == "__main__":
    sys.exit(main())
