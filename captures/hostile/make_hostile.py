#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile captures for msstun: floods and pathological messages (python
stdlib only, raw-IPv4 pcaps). Generated at test time, never committed.

    python3 captures/hostile/make_hostile.py OUTDIR [--requests N] [--connections M] [--only a,b,c,d]

 a  binding-flood-N.pcap      N unanswered Binding requests, all transaction
                              IDs distinct, UDP 3478, 1000 per client 5-tuple
    binding-one-conv-N.pcap   the same N requests on ONE 5-tuple (beyond the
                              per-conversation cap of 100000 when N > 1e5)
 b  rfc6062-flood-M.pcap      M TCP connections to 3478, each: ConnectionAttempt
                              (on one control connection), ConnectionBind with
                              its own CONNECTION-ID, success, 2 x 100 bytes data
                              (control client ACKs every 16th indication)
 c  huge-attrs.pcap           64 KB messages of 16,000 zero-length attributes
                              (UDP, TCP in one segment, TCP in 1448-byte
                              segments, [MS-TURN] format), one per pattern
 d  nested-data.pcap          STUN in DATA in STUN ... filling 64 KB (Send
                              indications, [MS-TURN] Data indications,
                              ChannelData, RFC 4571 and [MS-TURN] 2.1.4 framing)
 e  channel-flood-K.pcap      K channel bindings over UDP 3478, 64 per client
                              5-tuple (Allocate + success first), peers on 4
                              hosts: ChannelBind, success, ChannelData each
                              way, the binding refreshed (ChannelBind again)

Defaults N = 1,000,000 (~64 MB) and M = 100,000 (~55 MB): the long run.
"""
import argparse
import os
import struct

COOKIE = 0x2112A442
MS_COOKIE = 0x72C64BC6
SERVER = bytes([192, 0, 2, 1])
PORT = 3478
LINKTYPE_RAW = 101


class Pcap:
    """Classic pcap of raw IPv4 packets; UDP/TCP headers built here."""

    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_RAW))
        self.n = 0
        self.seq = {}

    def _write(self, pkt):
        t = 1700000000 * 1000000 + self.n * 100     # 100 us apart
        self.f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(pkt), len(pkt)))
        self.f.write(pkt)
        self.n += 1

    @staticmethod
    def _ip(proto, src, dst, l4len):
        # header checksum left 0: Wireshark does not check it by default
        return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4len, 0, 0x4000, 64, proto, 0, src, dst)

    def udp(self, src, sport, dst, dport, payload):
        self._write(self._ip(17, src, dst, 8 + len(payload)) +
                    struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)

    def tcp(self, src, sport, dst, dport, payload, flags=0x18):
        key, rkey = (src, sport, dst, dport), (dst, dport, src, sport)
        seq = self.seq.get(key, 1000)
        ack = self.seq.get(rkey, 1000)
        self._write(self._ip(6, src, dst, 20 + len(payload)) +
                    struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0) + payload)
        self.seq[key] = (seq + len(payload) + (1 if flags & 0x02 else 0)) & 0xFFFFFFFF

    def close(self):
        self.f.close()


def attr(atype, value, pad=True):
    return struct.pack("!HH", atype, len(value)) + value + (b"\0" * (-len(value) % 4) if pad else b"")


def stun(mtype, attrs, tid, cookie=True):
    """RFC 5389 header (cookie + 96-bit tid) or 128-bit tid when cookie=False"""
    body = b"".join(attrs)
    if cookie:
        return struct.pack("!HHI", mtype, len(body), COOKIE) + tid[:12] + body
    return struct.pack("!HH", mtype, len(body)) + tid[:16] + body


def tid_of(i, salt=0):
    return struct.pack("!III", 0x5A5A0000 | salt, i >> 32, i & 0xFFFFFFFF) + struct.pack("!I", i ^ 0x9E3779B9)


def client_addr(i):
    return bytes([10, 1 + (i >> 16) % 200, (i >> 8) & 255, i & 255])


def xor_peer(ip, port):
    x = struct.unpack("!I", ip)[0] ^ COOKIE
    return attr(0x0012, struct.pack("!BBHI", 0, 1, port ^ (COOKIE >> 16), x))


# ---- a: Binding request flood ----------------------------------------------

def binding_flood(path, n, per_conv=1000):
    """n distinct unanswered Binding requests; a new client 5-tuple every per_conv
    requests (per_conv=0: all on one 5-tuple)"""
    p = Pcap(path)
    hdr = struct.pack("!HHI", 0x0001, 0, COOKIE)
    for i in range(n):
        c = i // per_conv if per_conv else 0
        p.udp(client_addr(c), 40000 + c % 20000, SERVER, PORT, hdr + tid_of(i)[:12])
    p.close()
    return p.n


# ---- b: RFC 6062 connection flood -------------------------------------------

def rfc6062_flood(path, m):
    p = Pcap(path)
    ctl = (bytes([10, 255, 0, 1]), 39999)
    peer = bytes([198, 51, 100, 7])
    data_c = b"client->peer data " * 5 + b"0123456789"       # 100 bytes, not STUN
    data_p = b"peer->client data " * 5 + b"abcdefghij"
    for i in range(m):
        cid = 0x10000000 + i
        src, sport = client_addr(i), 40000 + i % 20000
        ind = stun(0x001C, [attr(0x002A, struct.pack("!I", cid)), xor_peer(peer, 50000 + i % 10000)],
                   tid_of(i, 1))
        p.tcp(SERVER, PORT, ctl[0], ctl[1], ind)
        if i % 16 == 15:
            # the control client acknowledges: without ACKs Wireshark's TCP
            # analysis keeps every segment unacked and goes quadratic
            p.tcp(ctl[0], ctl[1], SERVER, PORT, b"", flags=0x10)
        p.tcp(src, sport, SERVER, PORT, stun(0x000B, [attr(0x002A, struct.pack("!I", cid))], tid_of(i, 2)))
        p.tcp(SERVER, PORT, src, sport, stun(0x010B, [], tid_of(i, 2)))
        p.tcp(src, sport, SERVER, PORT, data_c)
        p.tcp(SERVER, PORT, src, sport, data_p)
    p.close()
    return p.n


# ---- e: channel binding flood -----------------------------------------------

def channel_flood(path, k, per_conv=64):
    """k ChannelBind transactions (RFC 8656 11) with their ChannelData and a
    refresh each; a new client 5-tuple (and allocation) every per_conv channels"""
    p = Pcap(path)
    relayed = bytes([192, 0, 2, 200])
    for i in range(k):
        c, ch = divmod(i, per_conv)
        src, sport = client_addr(c), 40000 + c % 20000
        if ch == 0:
            p.udp(src, sport, SERVER, PORT, stun(0x0003, [attr(0x0019, bytes([17, 0, 0, 0]))], tid_of(c, 3)))
            p.udp(SERVER, PORT, src, sport, stun(0x0103, [xor_peer(relayed, 50000 + c % 10000).replace(
                b"\x00\x12", b"\x00\x16", 1), attr(0x000D, struct.pack("!I", 600))], tid_of(c, 3)))
        number = attr(0x000C, struct.pack("!HH", 0x4000 + ch, 0))
        peer = xor_peer(bytes([198, 51, 100, 1 + ch % 4]), 60000 + ch)   # ICE: few peer hosts, many ports
        for salt in (4, 5):                       # bind, then refresh the same binding
            p.udp(src, sport, SERVER, PORT, stun(0x0009, [number, peer], tid_of(i, salt)))
            p.udp(SERVER, PORT, src, sport, stun(0x0109, [], tid_of(i, salt)))
            if salt == 4:
                p.udp(src, sport, SERVER, PORT, struct.pack("!HH", 0x4000 + ch, 20) + b"client->peer payload")
                p.udp(SERVER, PORT, src, sport, struct.pack("!HH", 0x4000 + ch, 20) + b"peer->client payload")
    p.close()
    return p.n


# ---- c: huge attribute counts -------------------------------------------------

N_ATTRS = 16000


def huge_attr_messages():
    """(name, message) pairs, each 20 + 16000 * 4 = 64,020 bytes"""
    msgs = []
    for name, t in (("use-candidate", 0x0025), ("unknown-optional", 0xC001), ("unknown-required", 0x7F00),
                    ("mapped-address-empty", 0x0001), ("fingerprint-empty", 0x8028),
                    ("integrity-empty", 0x0008), ("unknown-attributes-empty", 0x000A),
                    ("connection-id-empty", 0x002A), ("data-empty", 0x0013)):
        msgs.append((name, stun(0x0001, [attr(t, b"")] * N_ATTRS, tid_of(t, 3))))
    # every attribute type once: 0x0000..0x3E7F
    msgs.append(("every-type", stun(0x0001, [attr(t, b"") for t in range(N_ATTRS)], tid_of(0, 4))))
    msgs.append(("every-type-high", stun(0x0001, [attr(0x8000 + t, b"") for t in range(N_ATTRS)], tid_of(1, 4))))
    # [MS-TURN] format: 128-bit TID, MAGIC-COOKIE first, no padding
    ms = [attr(0x000F, struct.pack("!I", MS_COOKIE), pad=False)] + [attr(0x0014, b"", pad=False)] * (N_ATTRS - 2)
    msgs.append(("msturn", stun(0x0001, ms, tid_of(5, 4) + b"\x01\x02\x03\x04", cookie=False)))
    return msgs


def huge_attrs(path):
    p = Pcap(path)
    cl = bytes([10, 0, 0, 1])
    for k, (name, msg) in enumerate(huge_attr_messages()):
        assert len(msg) == 20 + 4 * N_ATTRS, name
        p.udp(cl, 41000 + k, SERVER, PORT, msg)
        p.tcp(cl, 42000 + k, SERVER, PORT, msg)                 # one segment
        for off in range(0, len(msg), 1448):                    # reassembled
            p.tcp(cl, 43000 + k, SERVER, PORT, msg[off:off + 1448])
        framed = struct.pack("!H", len(msg)) + msg              # RFC 4571
        for off in range(0, len(framed), 8192):
            p.tcp(cl, 44000 + k, SERVER, PORT, framed[off:off + 8192])
    p.close()
    return p.n


# ---- d: nested STUN in DATA ---------------------------------------------------

LIMIT = 65000


def nest(wrap, inner, limit=LIMIT):
    """apply wrap() until the next level would not fit"""
    levels = 0
    while True:
        outer = wrap(inner, levels)
        if len(outer) > limit:
            return inner, levels
        inner, levels = outer, levels + 1


def nested_messages():
    peer = bytes([198, 51, 100, 9])
    send = lambda d, i: stun(0x0016, [xor_peer(peer, 5000), attr(0x0013, d)], tid_of(i, 6))
    data_ind = lambda d, i: stun(0x0017, [xor_peer(peer, 5000), attr(0x0013, d)], tid_of(i, 7))
    ms_data = lambda d, i: stun(0x0115, [attr(0x000F, struct.pack("!I", MS_COOKIE), pad=False),
                                         attr(0x0012, struct.pack("!BBH4s", 0, 1, 5000, peer), pad=False),
                                         attr(0x0013, d, pad=False)], tid_of(i, 8) + b"\0\0\0\1", cookie=False)
    chan = lambda d, i: struct.pack("!HH", 0x4000, len(d)) + d + b"\0" * (-len(d) % 4)
    chan_send = lambda d, i: chan(send(d, i), i)
    mux = lambda d, i: struct.pack("!HHQ", 0xFF10, 8 + len(d), i) + d
    leaf = stun(0x0001, [], tid_of(0, 9))
    out = []
    for name, w in (("send", send), ("data-indication", data_ind), ("ms-data-indication", ms_data),
                    ("channel-send", chan_send), ("mux-channel", mux)):
        msg, levels = nest(w, leaf)
        out.append((name, msg, levels))
    return out


def nested_data(path):
    p = Pcap(path)
    cl = bytes([10, 0, 0, 2])
    for k, (name, msg, levels) in enumerate(nested_messages()):
        p.udp(cl, 45000 + k, SERVER, PORT, msg)
        p.tcp(cl, 46000 + k, SERVER, PORT, msg if len(msg) % 4 == 0 else msg + b"\0" * (-len(msg) % 4))
        p.tcp(cl, 47000 + k, SERVER, PORT, struct.pack("!H", len(msg)) + msg)               # RFC 4571
        if msg[:2] != b"\x40\x00" and msg[:2] != b"\xff\x10":
            p.tcp(cl, 48000 + k, SERVER, PORT, struct.pack("!BBH", 2, 0, len(msg)) + msg)  # MS-TURN 2.1.4
    p.close()
    return p.n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--requests", type=int, default=1000000)
    ap.add_argument("--connections", type=int, default=100000)
    ap.add_argument("--channels", type=int, default=100000)
    ap.add_argument("--only", default="a,b,c,d,e")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    only = set(a.only.split(","))
    jobs = []
    if "a" in only:
        jobs.append((f"binding-flood-{a.requests}.pcap", lambda f: binding_flood(f, a.requests)))
        jobs.append((f"binding-one-conv-{a.requests}.pcap", lambda f: binding_flood(f, a.requests, per_conv=0)))
    if "b" in only:
        jobs.append((f"rfc6062-flood-{a.connections}.pcap", lambda f: rfc6062_flood(f, a.connections)))
    if "c" in only:
        jobs.append(("huge-attrs.pcap", huge_attrs))
    if "d" in only:
        jobs.append(("nested-data.pcap", nested_data))
    if "e" in only:
        jobs.append((f"channel-flood-{a.channels}.pcap", lambda f: channel_flood(f, a.channels)))
    for name, fn in jobs:
        path = os.path.join(a.outdir, name)
        n = fn(path)
        print(f"{path}: {n} frames, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
