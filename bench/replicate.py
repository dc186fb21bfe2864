#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write COPIES copies of an Ethernet pcap, one after the other in time, each
copy with its own IP addresses, so that the copies are distinct conversations
(no TCP "retransmissions", no transaction or channel state shared between
copies). Address octets 1 and 2 (IPv4) or 2 and 3 (IPv6) are XORed with the
copy number; checksums are left alone (Wireshark does not check them by
default). Copy i gets the tag FIRST + i*STRIDE (tag 0 leaves the addresses
as they are). Usage: replicate.py IN.pcap OUT.pcap COPIES [GAP_SECONDS [FIRST [STRIDE]]]"""
import struct
import sys


def main():
    src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gap = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    stride = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    data = open(src, "rb").read()
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        e = "<"
    elif magic == b"\xa1\xb2\xc3\xd4":
        e = ">"
    else:
        sys.exit("replicate.py: %s is not a microsecond pcap" % src)
    if struct.unpack(e + "I", data[20:24])[0] != 1:
        sys.exit("replicate.py: %s is not Ethernet" % src)
    recs = []
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        recs.append((sec + usec / 1e6, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    t0 = recs[0][0]
    span = recs[-1][0] - t0 + gap
    with open(dst, "wb") as out:
        out.write(data[:24])
        for i in range(copies):
            tag = first + i * stride
            a, b = tag & 0xFF, (tag >> 8) & 0xFF
            for t, orig, pkt in recs:
                p = bytearray(pkt)
                l3, et = 14, struct.unpack(">H", p[12:14])[0] if len(p) >= 14 else 0
                if et == 0x8100 and len(p) >= 18:
                    l3, et = 18, struct.unpack(">H", p[16:18])[0]
                if et == 0x0800 and len(p) >= l3 + 20:
                    for base in (l3 + 12, l3 + 16):
                        p[base + 1] ^= a
                        p[base + 2] ^= b
                elif et == 0x86DD and len(p) >= l3 + 40:
                    for base in (l3 + 8, l3 + 24):
                        p[base + 2] ^= a
                        p[base + 3] ^= b
                nt = t + i * span
                sec = int(nt)
                usec = int(round((nt - sec) * 1e6))
                if usec >= 1000000:
                    sec, usec = sec + 1, usec - 1000000
                out.write(struct.pack(e + "IIII", sec, usec, len(p), orig))
                out.write(p)


if __name__ == "__main__":
    main()
