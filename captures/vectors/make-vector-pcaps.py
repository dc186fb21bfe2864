#!/usr/bin/env python3
"""Build the msstun test-vector captures (deterministic, stdlib only).

Reads the byte-exact vectors from <repo-root>/../shared/vectors (RFC 5769, RFC 8489 B.1 and the
SYNTHETIC s01..s17 set), wraps them in Ethernet/IPv4/UDP or TCP and writes classic pcap files
(linktype 1, microsecond timestamps) next to this script.  Everything is fixed: addresses,
ports, TCP sequence numbers, IP IDs and timestamps (2026-01-01 00:00:00 UTC, +10 ms per frame),
so re-running produces byte-identical files.  See README.md in this directory for the catalogue.

Usage: make-vector-pcaps.py [--shared DIR] [--out DIR]
"""
import argparse
import hashlib
import hmac
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OUT = Path(__file__).resolve().parent

T0 = 1767225600          # 2026-01-01 00:00:00 UTC
STEP_US = 10_000         # 10 ms between frames

COOKIE = 0x2112A442
FP_XOR = 0x5354554E

# --- addresses (RFC 5737 documentation ranges) ------------------------------------------------
CLIENT = "192.0.2.10"    # TURN/STUN client (also the NAT public address of the MS-TURN 4 scenario)
SERVER = "192.0.2.20"    # TURN/STUN server
ICEPEER = "192.0.2.30"   # remote ICE peer (MS-ICE2 captures)
PEER = "198.51.100.7"    # TURN peer behind the relay (XOR-PEER-ADDRESS in ChannelBind)


# ------------------------------------------------------------------------------------------------
# vectors
# ------------------------------------------------------------------------------------------------
def load_hex(path):
    return bytes.fromhex("".join(path.read_text().split()))


def load_vectors(shared):
    vdir = shared / "vectors"
    v = {
        "rfc5769-2.1": load_hex(vdir / "rfc5769-2.1-sample-request.hex"),
        "rfc5769-2.2": load_hex(vdir / "rfc5769-2.2-sample-ipv4-response.hex"),
        "rfc5769-2.3": load_hex(vdir / "rfc5769-2.3-sample-ipv6-response.hex"),
        "rfc5769-2.4": load_hex(vdir / "rfc5769-2.4-sample-request-long-term.hex"),
        "b1": load_hex(vdir / "rfc8489-B.1-errata6268-sample-request-sha256-userhash.hex"),
        "b1-invalid": load_hex(vdir / "rfc8489-B.1-as-published-INVALID.hex"),
    }
    for f in sorted((vdir / "synthetic").glob("s[0-9][0-9]-*.hex")):
        v[f.name[:3]] = load_hex(f)
    return v


def fingerprint(msg_before_fp):
    return (zlib.crc32(msg_before_fp) & 0xFFFFFFFF) ^ FP_XOR


def set_len(msg, length):
    return msg[:2] + struct.pack("!H", length) + msg[4:]


def attr(atype, value, pad=True):
    a = struct.pack("!HH", atype, len(value)) + value
    if pad and len(value) % 4:
        a += b"\x00" * (4 - len(value) % 4)
    return a


def stun(mtype, tid, attrs=b""):
    """RFC 5389 message: 20-byte header (cookie + 96-bit TID) + attrs (length from attrs)."""
    assert len(tid) == 12
    return struct.pack("!HHI", mtype, len(attrs), COOKIE) + tid + attrs


def add_fingerprint(msg):
    """Append a correct FINGERPRINT (header length covers it)."""
    m = set_len(msg, len(msg) - 20 + 8)
    return m + attr(0x8028, struct.pack("!I", fingerprint(m)))


def add_mi_short_term(msg, password):
    """Append RFC 5389 MESSAGE-INTEGRITY (short-term key, length set to end of MI)."""
    m = set_len(msg, len(msg) - 20 + 24)
    mac = hmac.new(password.encode(), m, hashlib.sha1).digest()
    return m + attr(0x0008, mac)


def xor_addr_v4(ip, port, family=0x01):
    a = bytes(int(x) for x in ip.split("."))
    xport = port ^ (COOKIE >> 16)
    xip = struct.unpack("!I", a)[0] ^ COOKIE
    return struct.pack("!BBHI", 0, family, xport, xip)


def rfc4571(msg):
    return struct.pack("!H", len(msg)) + msg


def msturn_frame(msg, ftype=0x02):
    return struct.pack("!BBH", ftype, 0, len(msg)) + msg


def self_check(v):
    """Sanity checks on the input vectors (fail loudly if /work/shared changes)."""
    for k in ("rfc5769-2.1", "rfc5769-2.2", "rfc5769-2.3", "s10", "s12"):
        m = v[k]
        assert struct.unpack("!I", m[-4:])[0] == fingerprint(m[:-8]), k
    for k, m in v.items():
        if k in ("s02", "s06", "s08", "s09", "s11", "s16", "b1-invalid"):
            continue
        assert struct.unpack("!H", m[2:4])[0] + 20 == len(m), k
    assert v["s02"] == msturn_frame(v["s01"])
    assert v["s11"] == rfc4571(v["s10"])
    assert v["s06"][:4] == b"\x02\x00\x00\x33" and len(v["s06"]) == 55
    assert v["s01"][4:20] == v["s03"][4:20]
    assert v["rfc5769-2.1"][8:20] == v["rfc5769-2.2"][8:20] == v["rfc5769-2.3"][8:20]


# ------------------------------------------------------------------------------------------------
# packet building
# ------------------------------------------------------------------------------------------------
def ip2b(ip):
    return bytes(int(x) for x in ip.split("."))


def mac_for(ip):
    return b"\x02\x00" + ip2b(ip)      # locally administered, derived from the IPv4 address


def csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Pcap:
    def __init__(self, name):
        self.name = name
        self.frames = []
        self.ipid = 0x1000

    def _emit(self, src, dst, proto, l4):
        self.ipid = (self.ipid + 1) & 0xFFFF
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), self.ipid, 0x4000, 64, proto, 0,
                          ip2b(src), ip2b(dst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        eth = mac_for(dst) + mac_for(src) + b"\x08\x00"
        self.frames.append(eth + hdr + l4)

    @staticmethod
    def _pseudo(src, dst, proto, length):
        return ip2b(src) + ip2b(dst) + struct.pack("!BBH", 0, proto, length)

    def udp(self, src, sport, dst, dport, payload):
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        c = csum(self._pseudo(src, dst, 17, len(l4)) + l4) or 0xFFFF
        l4 = l4[:6] + struct.pack("!H", c) + l4[8:]
        self._emit(src, dst, 17, l4)

    def tcp_seg(self, src, sport, dst, dport, seq, ack, flags, payload=b"", opts=b""):
        off = (20 + len(opts)) // 4
        l4 = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4,
                         flags, 64240, 0, 0) + opts + payload
        c = csum(self._pseudo(src, dst, 6, len(l4)) + l4)
        l4 = l4[:16] + struct.pack("!H", c) + l4[18:]
        self._emit(src, dst, 6, l4)

    def write(self, outdir):
        out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, f in enumerate(self.frames):
            us = i * STEP_US
            out += struct.pack("<IIII", T0 + us // 1_000_000, us % 1_000_000, len(f), len(f)) + f
        (outdir / self.name).write_bytes(bytes(out))
        return len(self.frames), len(out)


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Tcp:
    """One TCP connection with consistent seq/ack numbers.  'c' = client side, 's' = server side."""

    def __init__(self, pcap, cip, cport, sip, sport, isn_c, isn_s, handshake=True):
        self.p = pcap
        self.ep = {"c": (cip, cport), "s": (sip, sport)}
        self.nxt = {"c": isn_c, "s": isn_s}
        if handshake:
            mss = b"\x02\x04\x05\xb4"
            self._seg("c", SYN, opts=mss)
            self.nxt["c"] += 1
            self._seg("s", SYN | ACK, opts=mss)
            self.nxt["s"] += 1
            self._seg("c", ACK)

    @staticmethod
    def _other(d):
        return "s" if d == "c" else "c"

    def _seg(self, d, flags, payload=b"", opts=b""):
        (sip, sp), (dip, dp) = self.ep[d], self.ep[self._other(d)]
        ack = self.nxt[self._other(d)] if flags & ACK else 0
        self.p.tcp_seg(sip, sp, dip, dp, self.nxt[d], ack, flags, payload, opts)

    def send(self, d, payload):
        self._seg(d, PSH | ACK, payload)
        self.nxt[d] += len(payload)

    def ack(self, d):
        self._seg(d, ACK)

    def close(self):
        self._seg("c", FIN | ACK)
        self.nxt["c"] += 1
        self._seg("s", FIN | ACK)
        self.nxt["s"] += 1
        self._seg("c", ACK)


# ------------------------------------------------------------------------------------------------
# the captures
# ------------------------------------------------------------------------------------------------
def build(v):
    caps = []

    # 1. RFC 5769
    p = Pcap("rfc5769.pcap")
    p.udp(CLIENT, 40000, SERVER, 3478, v["rfc5769-2.1"])
    p.udp(SERVER, 3478, CLIENT, 40000, v["rfc5769-2.2"])
    p.udp(SERVER, 3478, CLIENT, 40000, v["rfc5769-2.3"])
    p.udp(CLIENT, 40000, SERVER, 3478, v["rfc5769-2.4"])
    caps.append(p)

    # 2. RFC 8489 B.1
    p = Pcap("rfc8489-b1.pcap")
    p.udp(CLIENT, 40000, SERVER, 3478, v["b1"])
    caps.append(p)
    p = Pcap("rfc8489-b1-invalid.pcap")
    p.udp(CLIENT, 40000, SERVER, 3478, v["b1-invalid"])
    caps.append(p)

    # 3. MS-TURN over UDP (3478 and 443)
    for name, sport in (("ms-turn-udp.pcap", 3478), ("ms-turn-udp-port443.pcap", 443)):
        p = Pcap(name)
        for key, up in (("s01", True), ("s03", False), ("s17", True),
                        ("s04", False), ("s07", True), ("s05", False)):
            if up:
                p.udp(CLIENT, 50000, SERVER, sport, v[key])
            else:
                p.udp(SERVER, sport, CLIENT, 50000, v[key])
        caps.append(p)

    # 4. MS-TURN over TCP 443 with 2.1.4 framing
    p = Pcap("ms-turn-tcp.pcap")
    t = Tcp(p, CLIENT, 50001, SERVER, 443, 0x10000000, 0x20000000)
    t.send("c", v["s02"])
    t.send("s", msturn_frame(v["s03"]))
    t.send("c", v["s06"])
    t.send("s", v["s08"])
    t.close()
    caps.append(p)

    # 5. MS-ICE2
    p = Pcap("ms-ice2.pcap")
    p.udp(CLIENT, 50010, ICEPEER, 50020, v["s10"])
    p.udp(CLIENT, 50010, ICEPEER, 50020, v["s12"])
    caps.append(p)

    p = Pcap("ms-ice2-tcp.pcap")
    t = Tcp(p, CLIENT, 50030, ICEPEER, 50040, 0x11000000, 0x21000000)
    t.send("c", v["s11"])
    rtp = struct.pack("!BBHII", 0x80, 0x00, 1, 160, 0x0A0B0C0D) + b"\xff" * 160   # V=2 PT=0 PCMU
    t.send("s", rfc4571(rtp))
    t.send("c", rfc4571(v["s10"]))
    t.close()
    caps.append(p)

    # 6. RFC 6062
    p = Pcap("rfc6062.pcap")
    ctl = Tcp(p, CLIENT, 50100, SERVER, 3478, 0x12000000, 0x22000000)
    ctl.send("s", v["s13"])
    ctl.ack("c")
    data = Tcp(p, CLIENT, 50101, SERVER, 3478, 0x13000000, 0x23000000)
    data.send("c", v["s14"])
    cb_ok = stun(0x010B, v["s14"][8:20], attr(0x8022, b"msstun test server"))
    data.send("s", cb_ok)
    data.send("c", rfc4571(v["s10"]))
    data.send("c", rfc4571(v["s10"]))
    bind_ok = stun(0x0101, v["s10"][8:20], attr(0x0020, xor_addr_v4(CLIENT, 50101)))
    data.send("s", rfc4571(bind_ok))
    ctl.send("s", v["s15"])
    ctl.ack("c")
    data.close()
    ctl.close()
    caps.append(p)

    # 7. ChannelData (+ ChannelBind so the channel is known), Multiplexed TURN
    tid_cb_udp = bytes.fromhex("cb0000000000000000000001")
    tid_cb_tcp = bytes.fromhex("cb0000000000000000000002")

    def chbind(tid):
        a = attr(0x000C, b"\x40\x00\x00\x00") + attr(0x0012, xor_addr_v4(PEER, 5000))
        return add_fingerprint(stun(0x0009, tid, a)), add_fingerprint(stun(0x0109, tid))

    p = Pcap("channeldata.pcap")
    req, ok = chbind(tid_cb_udp)
    p.udp(CLIENT, 50200, SERVER, 3478, req)
    p.udp(SERVER, 3478, CLIENT, 50200, ok)
    p.udp(CLIENT, 50200, SERVER, 3478, v["s16"])          # padded (12 bytes)
    p.udp(SERVER, 3478, CLIENT, 50200, v["s16"][:9])      # unpadded (9 bytes)
    p.udp(CLIENT, 50200, SERVER, 3478, v["s09"])          # MS Multiplexed TURN 0xFF10
    req, ok = chbind(tid_cb_tcp)
    t = Tcp(p, CLIENT, 50201, SERVER, 3478, 0x14000000, 0x24000000)
    t.send("c", req)
    t.send("s", ok)
    t.send("c", v["s16"])
    t.close()
    caps.append(p)

    # 8. TCP segmentation / coalescing on 3478 (raw STUN, no framing)
    p = Pcap("tcp-split.pcap")
    t = Tcp(p, CLIENT, 50300, SERVER, 3478, 0x15000000, 0x25000000)
    s10 = v["s10"]
    t.send("c", s10[:7])
    t.send("c", s10[7:37])
    t.send("c", s10[37:])
    t.ack("s")
    t.send("c", v["s13"] + v["s14"])
    t.ack("s")
    half = len(v["s14"]) // 2
    t.send("c", s10 + v["s14"][:half])
    t.send("c", v["s14"][half:])
    t.ack("s")
    t.close()
    caps.append(p)

    # 9. mid-stream TCP (no handshake captured)
    p = Pcap("tcp-midstream.pcap")
    t = Tcp(p, CLIENT, 50400, SERVER, 3478, 0x8A3B1C2D, 0xC4D5E6F7, handshake=False)
    t.send("s", v["s13"])
    t.send("c", v["s14"])
    t = Tcp(p, CLIENT, 50061, ICEPEER, 50060, 0x9B4C2D3E, 0xD5E6F708, handshake=False)
    t.send("c", v["s11"])
    t.send("c", v["s11"])
    caps.append(p)

    # 10. malformed
    p = Pcap("malformed.pcap")
    up = lambda m: p.udp(CLIENT, 40000, SERVER, 3478, m)
    down = lambda m: p.udp(SERVER, 3478, CLIENT, 40000, m)
    r21, r22 = v["rfc5769-2.1"], v["rfc5769-2.2"]
    # a) truncated: header says 108 bytes, 30 present
    up(s10[:30])
    # b) USERNAME (offset 60) length 9 -> 64: value would end at 128 > 108
    assert r21[60:62] == b"\x00\x06"
    up(r21[:62] + struct.pack("!H", 64) + r21[64:])
    # c) header length 88 - 2 = 86 (not multiple of 4), datagram truncated to 106
    up(set_len(r21, 86)[:106])
    # d) FINGERPRINT value wrong
    up(r21[:-4] + bytes.fromhex("deadbeef"))
    # e) 2.2 with FINGERPRINT before MESSAGE-INTEGRITY (FP over bytes before it, MI recomputed)
    head = r22[:20]
    sw, xma = r22[20:36], r22[36:48]
    body = sw + xma
    m = set_len(head, len(body) + 8 + 24) + body          # final length 60, same as original
    fp = attr(0x8028, struct.pack("!I", fingerprint(m)))
    m += fp
    m = add_mi_short_term(m, "VOkJxbRl1RmTxUk/WvJxBt")
    assert len(m) == len(r22) and struct.unpack("!H", m[2:4])[0] == 60
    down(m)
    # f) s01 MAGIC-COOKIE value 0x72C64BC7
    s01 = v["s01"]
    assert s01[20:28] == bytes.fromhex("000f000472c64bc6")
    up(s01[:24] + bytes.fromhex("72c64bc7") + s01[28:])
    # f2) s01 with MS-VERSION first, MAGIC-COOKIE second
    up(s01[:20] + s01[28:36] + s01[20:28] + s01[36:])
    # g) unknown comprehension-required 0x0031 and comprehension-optional 0xC0FF
    tid_g = bytes.fromhex("a1a1a1a1b2b2b2b2c3c3c3c3")
    up(add_fingerprint(stun(0x0001, tid_g, attr(0x0031, b"\x01\x02\x03\x04")
                            + attr(0xC0FF, b"\x05\x06\x07\x08"))))
    # h) XOR-MAPPED-ADDRESS family 0x03
    tid_h = bytes.fromhex("a2a2a2a2b3b3b3b3c4c4c4c4")
    down(add_fingerprint(stun(0x0101, tid_h, attr(0x0020, xor_addr_v4(CLIENT, 40000, family=0x03)))))
    # i) MESSAGE-INTEGRITY followed by SOFTWARE
    tid_i = bytes.fromhex("a3a3a3a3b4b4b4b4c5c5c5c5")
    m = add_mi_short_term(stun(0x0001, tid_i, attr(0x0006, b"evtj:h6vY")), "VOkJxbRl1RmTxUk/WvJxBt")
    sw = attr(0x8022, b"STUN test client")
    up(set_len(m, len(m) - 20 + len(sw)) + sw)
    # j) bare 20-byte header (length 0), then a 19-byte fragment
    tid_j = bytes.fromhex("a4a4a4a4b5b5b5b5c6c6c6c6")
    up(stun(0x0001, tid_j))
    up(stun(0x0001, tid_j)[:19])
    caps.append(p)
    return caps


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    v = load_vectors(a.shared)
    self_check(v)
    a.out.mkdir(parents=True, exist_ok=True)
    for p in build(v):
        n, size = p.write(a.out)
        print(f"{p.name:28s} {n:3d} frames {size:6d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
