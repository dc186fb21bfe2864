#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Captures derived from real ones by changing one thing, for cases the real
software here does not produce. Standard library only; deterministic.

other-address.pcap: coturn/turn-udp.pcap with the Allocate success response
of frame 4 sent from 127.0.0.9:3478 instead of 127.0.0.1:3478, as a Teams
edge behind a load balancer answers from another address of the same server.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def ip_checksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    yield data[:24]
    off = 24
    while off + 16 <= len(data):
        ts, us, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        yield data[off:off + 16 + incl]
        off += 16 + incl


def new_source(frame, src):
    """Ethernet/IPv4/UDP frame record with another IPv4 source; UDP checksum 0 (RFC 768: none)."""
    rec, pkt = bytearray(frame[:16]), bytearray(frame[16:])
    ihl = (pkt[14] & 0x0F) * 4
    pkt[14 + 12:14 + 16] = bytes(src)
    pkt[14 + 10:14 + 12] = b"\0\0"
    pkt[14 + 10:14 + 12] = struct.pack("!H", ip_checksum(bytes(pkt[14:14 + ihl])))
    pkt[14 + ihl + 6:14 + ihl + 8] = b"\0\0"
    return bytes(rec + pkt)


def main():
    src = os.path.join(HERE, "..", "coturn", "turn-udp.pcap")
    out = [f for f in frames(src)]
    out[4] = new_source(out[4], [127, 0, 0, 9])      # record 4 = frame 4 (record 0 is the file header)
    with open(os.path.join(HERE, "other-address.pcap"), "wb") as f:
        f.write(b"".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
