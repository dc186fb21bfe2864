# SPDX-License-Identifier: GPL-2.0-or-later
"""The fuzz input format of fuzz/fuzz_msstun.c, in Python.

An input is a sequence of records: ctrl (1 byte), length (2 bytes, big
endian), payload. ctrl bit 0 = TCP, bit 1 = server->client, bits 2-3 = client
0..3, bit 4 = server port 50999 instead of 3478, bit 5 = TCP retransmission
(sequence number not advanced), bit 6 = server port 443 (pseudo-TLS detector),
bit 7 = server port 5349 (payload is decrypted TLS/DTLS application data: a
harness-only shim; tshark shows such records as TLS/DTLS). packets() builds the same IPv4 packets as the
harness; keep the two in step.
"""
import struct

MAX_RECORDS = 64
SERVER_PORT = 3478
ALT_PORT = 50999
PTLS_PORT = 443
TLS_PORT = 5349
MAX_PAYLOAD = 65535 - 40

TCP, REPLY, ALT, PTLS, TLS = 0x01, 0x02, 0x10, 0x40, 0x80


def ctrl(tcp=False, reply=False, client=0, alt_port=False, retrans=False, ptls=False, tls=False):
    return (TCP if tcp else 0) | (REPLY if reply else 0) | ((client & 3) << 2) | \
        (ALT if alt_port else 0) | (0x20 if retrans else 0) | (PTLS if ptls else 0) | (TLS if tls else 0)


def server_port(c):
    return TLS_PORT if c & TLS else PTLS_PORT if c & PTLS else ALT_PORT if c & ALT else SERVER_PORT


def encode(records):
    """records: iterable of (ctrl, payload) -> fuzz input bytes"""
    out = bytearray()
    for c, payload in records:
        payload = payload[:0xFFFF]
        out += struct.pack("!BH", c, len(payload)) + payload
    return bytes(out)


def decode(data):
    """fuzz input bytes -> [(ctrl, payload)], exactly as the harness splits them"""
    recs, off = [], 0
    while off < len(data) and len(recs) < MAX_RECORDS:
        c = data[off]
        off += 1
        n = (data[off] << 8 | data[off + 1]) if off + 2 <= len(data) else 0
        off = min(off + 2, len(data))
        n = min(n, len(data) - off, MAX_PAYLOAD)
        recs.append((c, data[off:off + n]))
        off += n
    return recs


def _csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b[: len(b) // 2 * 2]))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def packets(records):
    """[(ctrl, payload)] -> [raw IPv4 packet], as fuzz_msstun.c builds them"""
    seq = [[1000 + 0x10000 * c, 9000000 + 0x10000 * c] for c in range(4)]
    out = []
    for c, payload in records:
        tcp, reply, client = bool(c & TCP), bool(c & REPLY), (c >> 2) & 3
        cport, sport = 50000 + client, server_port(c)
        caddr, saddr = bytes([10, 0, 0, 1 + client]), bytes([10, 0, 0, 100])
        total = 20 + (20 if tcp else 8) + len(payload)
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6 if tcp else 17, 0,
                                   saddr if reply else caddr, caddr if reply else saddr))
        ip[10:12] = struct.pack("!H", _csum(bytes(ip)))
        src, dst = (sport, cport) if reply else (cport, sport)
        if tcp:
            mine, theirs = seq[client][int(reply)], seq[client][int(not reply)]
            l4 = struct.pack("!HHIIBBHHH", src, dst, mine & 0xFFFFFFFF, theirs & 0xFFFFFFFF, 0x50, 0x18, 65535, 0, 0)
            if not c & 0x20:
                seq[client][int(reply)] += len(payload)
        else:
            l4 = struct.pack("!HHHH", src, dst, 8 + len(payload), 0)
        out.append(bytes(ip) + l4 + payload)
    return out


def write_pcap(path, pkts, linktype=101, t0=1700000000):
    """classic pcap, microseconds; linktype 101 = raw IP"""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", t0 + i, i, len(p), len(p)) + p)
