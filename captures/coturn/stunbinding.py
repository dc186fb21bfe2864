#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A plain STUN Binding client (RFC 5389 section 7.2.1 retransmissions: RTO
0.5 s, doubling), used by make-captures.sh where turnutils_stunclient does not
retransmit (it sends one request and waits for ever).  No USERNAME, no
MESSAGE-INTEGRITY: SOFTWARE and FINGERPRINT only.

usage: stunbinding.py SERVER_IP PORT TRANSACTIONS TRIES [GAP_SECONDS]
Each of TRANSACTIONS Binding transactions is sent up to TRIES times with one
transaction ID; a transaction ends at its first response (or when it gives up
after the last RTO).  Prints one line per message sent/received.
"""
import os
import socket
import struct
import sys
import time
import zlib

COOKIE = 0x2112A442


def request(tid):
    sw = b"msstun stunbinding.py"
    body = struct.pack("!HH", 0x8022, len(sw)) + sw + b"\0" * ((-len(sw)) % 4)
    hdr = struct.pack("!HHI", 0x0001, len(body) + 8, COOKIE) + tid
    crc = (zlib.crc32(hdr + body) & 0xFFFFFFFF) ^ 0x5354554E
    return hdr + body + struct.pack("!HHI", 0x8028, 4, crc)


def main():
    server, port, count, tries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    gap = float(sys.argv[5]) if len(sys.argv) > 5 else 0.2
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    for k in range(count):
        tid = os.urandom(12)
        msg, rto, done = request(tid), 0.5, False
        for n in range(tries):
            s.sendto(msg, (server, port))
            print(f"transaction {k + 1}: sent tid={tid.hex()} try={n + 1}", flush=True)
            deadline = time.monotonic() + rto
            while not done:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                s.settimeout(left)
                try:
                    data, _ = s.recvfrom(2048)
                except socket.timeout:
                    break
                except ConnectionRefusedError:
                    print(f"transaction {k + 1}: ICMP port unreachable", flush=True)
                    continue
                if data[8:20] == tid:
                    print(f"transaction {k + 1}: response 0x{data[:2].hex()}", flush=True)
                    done = True
            if done:
                break
            rto *= 2
        if not done:
            print(f"transaction {k + 1}: no response after {tries} transmissions", flush=True)
        time.sleep(gap)


if __name__ == "__main__":
    main()
