# SPDX-License-Identifier: GPL-2.0-or-later
"""Robustness: hostile input through the ASan+UBSan build of the plugin.

1. Every capture in captures/**/*.pcap is mutated with `editcap -E <rate>
   --seed <seed> -o 42` (bytes after the Ethernet/IPv4/UDP headers are changed
   with the given probability, so the mutations land in the STUN payload and
   the TCP header fields that drive reassembly; the UDP/TCP ports survive).
2. Structured mutations built here (random attribute lengths, truncations
   on the wire and by snap length, 0xFFFF lengths at every level, STUN nested
   in DATA in STUN, thousands of attributes, TCP streams announcing 0xFFFF
   bytes, hostile RFC 6062 and transaction patterns).

Each file runs through `tshark -n -V -2` with the sanitizer build (LD_PRELOAD
of libasan/libubsan, halt_on_error) and wmem's "simple" allocator (every wmem
block is a malloc, so ASan sees overruns of packet-scope buffers too). The
test asserts exit code 0, no sanitizer report, no "Dissector bug" and a time
bound per file. Malformed-packet markers are expected and fine.

More seeds: MSSTUN_FUZZ_SEEDS="1,2,3,4" (default "1,2,3"); parallel runs:
MSSTUN_TEST_JOBS (default: the number of CPUs, at most 4).
"""
import glob
import os
import random
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import BENIGN, WORK, _run_proc, capture, fields

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPTURES = sorted(os.path.relpath(p, os.path.join(REPO, "captures"))
                  for p in glob.glob(os.path.join(REPO, "captures", "**", "*.pcap"), recursive=True))
SEEDS = [int(s) for s in os.environ.get("MSSTUN_FUZZ_SEEDS", "1,2,3").split(",") if s.strip()]
RATES = (0.02, 0.1)
JOBS = int(os.environ.get("MSSTUN_TEST_JOBS", "0")) or min(4, os.cpu_count() or 2)
TIME_BOUND = 60          # seconds per file (the sanitizer build, -V -2)
SAN_ENV = {
    # every wmem allocation becomes a malloc: ASan then sees overruns of
    # packet/file-scope buffers that the block allocator would hide
    "WIRESHARK_DEBUG_WMEM_OVERRIDE": "simple",
    "G_SLICE": "always-malloc",
}
# sanitizer reports and GLib/Wireshark failures (stderr), dissector bugs (in the -V tree)
SAN_MARKERS = ("AddressSanitizer", "runtime error", "LeakSanitizer", "UndefinedBehaviorSanitizer",
               "Dissector bug", "failed assertion")


def fuzz_dir():
    assert WORK, "run the tests with tests/run.sh"
    d = os.path.join(WORK, "fuzz")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    return d


def check_tshark(path, extra=()):
    """Run the sanitizer tshark over one file; return a list of problems."""
    args = ["-n", "-V", "-2", "-r", path] + list(extra)
    try:
        p, secs = _run_proc(args, san=True, timeout=TIME_BOUND, env_extra=SAN_ENV)
    except subprocess.TimeoutExpired:
        return [f"{path}: tshark {' '.join(extra)} took more than {TIME_BOUND} s"]
    problems = []
    if p.returncode != 0:
        problems.append(f"{path}: exit code {p.returncode}")
    for stream, text in (("stderr", p.stderr), ("stdout", p.stdout)):
        hits = [l for l in text.splitlines()
                if any(m in l for m in SAN_MARKERS) and not any(b in l for b in BENIGN)]
        if hits:
            problems.append(f"{path} {stream}: " + " | ".join(hits[:5]))
    tls_bug = bool(problems) and not extra and builtin_tls_bug_only(path, p)
    if tls_bug:
        problems = []
    other = [l for l in p.stderr.splitlines() if l.strip() and not any(b in l for b in BENIGN)
             and not (tls_bug and "packet-tls.c:" in l)]
    if other and not problems:
        problems.append(f"{path}: unexpected stderr: " + " | ".join(other[:10]))
    if problems and p.stderr.strip():
        problems.append("stderr tail:\n" + p.stderr[-3000:])
    return problems


def builtin_tls_bug_only(path, p):
    """Mutated TLS captures (captures/tls/, no key log: msstun sees no plaintext)
    trip a DISSECTOR_ASSERT in Wireshark's own TLS record reassembly. Such a
    report is not msstun's when every sanitizer/dissector-bug line names
    packet-tls.c and the built-in alone (msstun disabled) reports the same."""
    def bugs(text):
        return [l for l in text.splitlines() if any(m in l for m in SAN_MARKERS) and not any(b in l for b in BENIGN)]
    mine = bugs(p.stderr) + bugs(p.stdout)
    if not mine or p.returncode != 0 or not all("packet-tls.c:" in l for l in mine):
        return False
    b, _ = _run_proc(["-n", "-V", "-2", "-r", path, "--disable-protocol", "msstun"], san=True,
                     timeout=TIME_BOUND, env_extra=SAN_ENV)
    return sorted(x.split("] ", 1)[-1] for x in bugs(b.stderr) + bugs(b.stdout) if "packet-tls.c:" in x) == \
        sorted(x.split("] ", 1)[-1] for x in mine)


def run_all(jobs):
    """jobs: [(path, extra args)] -> all problems, run JOBS at a time."""
    with ThreadPoolExecutor(max_workers=JOBS) as ex:
        results = list(ex.map(lambda j: check_tshark(*j), jobs))
    return [p for r in results for p in r]


def test_robustness_sanitizer_build_is_used():
    """The sanitizer tshark must really run the instrumented plugin: otherwise
    every test below would pass on the built-in dissector alone. (Do not run
    `tshark -G plugins` this way: it spawns the extcap helpers with the ASan
    preload, and androiddump then hangs.)"""
    so = glob.glob(os.path.join(WORK, "home-san", ".local", "lib", "wireshark", "plugins", "*", "epan",
                                "msstun.so"))
    assert len(so) == 1, so
    syms = subprocess.run(["nm", "-D", so[0]], capture_output=True, text=True, check=True).stdout
    assert "__asan_report" in syms and "__ubsan_handle" in syms, "the plugin in home-san is not instrumented"
    p, _ = _run_proc(["-n", "-V", "-r", capture("vectors/rfc5769.pcap")], san=True, env_extra=SAN_ENV)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "(msstun plugin)" in p.stdout
    assert not [l for l in p.stderr.splitlines() if l.strip() and not any(b in l for b in BENIGN)], p.stderr


# ---- 1. editcap mutations of every capture ---------------------------------------------

@pytest.mark.parametrize("cap", CAPTURES, ids=CAPTURES)
def test_robustness_editcap_fuzz(cap):
    out = fuzz_dir()
    jobs = []
    for rate in RATES:
        for seed in SEEDS:
            dst = os.path.join(out, f"{cap.replace('/', '_')[:-5]}-E{rate}-s{seed}.pcap")
            subprocess.run(["editcap", "-E", str(rate), "--seed", str(seed), "-o", "42", capture(cap), dst],
                           check=True, capture_output=True)
            os.chmod(dst, 0o644)
            jobs.append((dst, ()))
    problems = run_all(jobs)
    assert not problems, (f"{cap}: reproduce with editcap -E <rate> --seed <seed> -o 42\n" + "\n".join(problems))


# ---- 2. structured mutations -------------------------------------------------------------

COOKIE = 0x2112A442
CLIENT, SERVER = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 20])


class Pcap:
    """A classic pcap (Ethernet) with UDP and TCP frames; IPv4/UDP/TCP
    checksums are left 0 (tshark does not check them by default)."""

    def __init__(self):
        self.recs = []
        self.seq = {}

    def _frame(self, l4, proto, src, dst, caplen=None):
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), len(self.recs) & 0xFFFF, 0x4000, 64, proto, 0,
                         src, dst)
        eth = b"\x02\x00" + dst + b"\x02\x00" + src + b"\x08\x00"
        data = eth + ip + l4
        self.recs.append((data if caplen is None else data[:caplen], len(data)))

    def udp(self, payload, sport=40000, dport=3478, up=True, caplen=None):
        src, dst = (CLIENT, SERVER) if up else (SERVER, CLIENT)
        if not up:
            sport, dport = dport, sport
        l4 = struct.pack("!HHHH", sport, dport, min(0xFFFF, 8 + len(payload)), 0) + payload
        self._frame(l4, 17, src, dst, None if caplen is None else 42 + caplen)

    def tcp(self, payload, sport=50000, dport=3478, up=True, flags=0x18):
        src, dst = (CLIENT, SERVER) if up else (SERVER, CLIENT)
        if not up:
            sport, dport = dport, sport
        key = (src, sport, dst, dport)
        rkey = (dst, dport, src, sport)
        seq = self.seq.get(key, 0x10000000 if up else 0x20000000)
        ack = self.seq.get(rkey, 0)
        l4 = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0) + payload
        self.seq[key] = (seq + len(payload) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF
        self._frame(l4, 6, src, dst)

    def tcp_stream(self, data, sport=50000, dport=3478, mss=1460):
        """data sent client to server in MSS-sized segments"""
        for i in range(0, len(data), mss):
            self.tcp(data[i:i + mss], sport, dport)

    def handshake(self, sport=50000, dport=3478):
        self.tcp(b"", sport, dport, True, 0x02)
        self.tcp(b"", sport, dport, False, 0x12)
        self.tcp(b"", sport, dport, True, 0x10)

    def fin(self, sport=50000, dport=3478):
        self.tcp(b"", sport, dport, True, 0x11)
        self.tcp(b"", sport, dport, False, 0x11)

    def write(self, name):
        path = os.path.join(fuzz_dir(), name)
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i, (data, origlen) in enumerate(self.recs):
                f.write(struct.pack("<IIII", 1767225600 + i // 100, (i % 100) * 10000, len(data), origlen))
                f.write(data)
        os.chmod(path, 0o644)
        return path


def attr(t, value, length=None, pad=True):
    n = len(value) if length is None else length
    return struct.pack("!HH", t, n & 0xFFFF) + value + (b"\0" * (-len(value) % 4) if pad else b"")


def stun(mtype, attrs=b"", tid=None, fmt="rfc", length=None, rnd=None):
    """fmt: rfc (cookie), msturn (128-bit TID + MAGIC-COOKIE and MS-VERSION
    first), classic (RFC 3489 128-bit TID)."""
    rnd = rnd or random.Random(0)
    if fmt == "msturn":
        attrs = attr(0x000F, struct.pack("!I", 0x72C64BC6)) + attr(0x8008, struct.pack("!I", 1)) + attrs
        head = struct.pack("!I", COOKIE) + (tid or bytes(rnd.getrandbits(8) for _ in range(12)))
    elif fmt == "classic":
        head = tid or bytes(rnd.getrandbits(8) for _ in range(16))
    else:
        head = struct.pack("!I", COOKIE) + (tid or bytes(rnd.getrandbits(8) for _ in range(12)))
    n = len(attrs) if length is None else length
    return struct.pack("!HH", mtype, n & 0xFFFF) + head + attrs


def xaddr(port=3478, ip=b"\xc6\x33\x64\x07", family=1):
    if family == 2:
        ip = bytes(range(16))
    return struct.pack("!BBH", 0, family, port ^ 0x2112) + bytes(a ^ b for a, b in zip(ip, b"\x21\x12\xa4\x42" * 4))


MSG_TYPES = [0x0001, 0x0101, 0x0111, 0x0011, 0x0002, 0x0003, 0x0103, 0x0113, 0x0004, 0x0104, 0x0114, 0x0006,
             0x0106, 0x0008, 0x0108, 0x0009, 0x0109, 0x0119, 0x000A, 0x010A, 0x000B, 0x010B, 0x011B, 0x001C,
             0x0016, 0x0017, 0x0115, 0x0080, 0x0180, 0x3FFF, 0x0201]
ATTR_TYPES = (list(range(0x0001, 0x0031)) + [0x0031, 0x0032, 0x7FFF] + list(range(0x8000, 0x8010)) +
              [0x8020, 0x8022, 0x8023, 0x8024, 0x8025, 0x8027, 0x8028, 0x8029, 0x802A, 0x802B, 0x802C,
               0x8030, 0x8032, 0x8036, 0x8037, 0x8050] + list(range(0x8054, 0x8071)) +
              [0xC001, 0xC002, 0xC003, 0xC057, 0xC058, 0xC059, 0xC060, 0xC0FF, 0xFFFF])


def random_attrs(rnd, count):
    out = b""
    for _ in range(count):
        t = rnd.choice(ATTR_TYPES)
        vlen = rnd.choice([0, 1, 2, 3, 4, 5, 7, 8, 12, 16, 20, 24, 32, 36, rnd.randrange(0, 300)])
        value = bytes(rnd.getrandbits(8) for _ in range(vlen))
        if rnd.random() < 0.3 and vlen >= 2:
            value = bytes([0, rnd.choice([0, 1, 2, 3, 0xFF])]) + value[2:]     # address family byte
        r = rnd.random()
        length = None if r < 0.5 else rnd.choice(
            [0, 0xFFFF, 0xFFFC, vlen + 1, vlen + 4, max(0, vlen - 1), rnd.randrange(0, 0x10000)])
        out += attr(t, value, length, pad=rnd.random() < 0.8)
    return out


def build_random_lengths():
    rnd = random.Random(20261)
    p = Pcap()
    for i in range(300):
        fmt = rnd.choice(["rfc", "rfc", "msturn", "classic"])
        body = random_attrs(rnd, rnd.randrange(0, 12))
        length = None if rnd.random() < 0.6 else rnd.choice([0, 0xFFFF, len(body) + 4, max(0, len(body) - 4),
                                                              len(body) + 1, rnd.randrange(0, 0x10000)])
        msg = stun(rnd.choice(MSG_TYPES), body, fmt=fmt, length=length, rnd=rnd)
        if i % 3 == 0:
            p.udp(msg, 40000 + i % 4, 3478, up=rnd.random() < 0.5)
        elif i % 3 == 1:
            p.udp(msg, 40010, 50999, up=rnd.random() < 0.5)      # heuristics
        else:
            p.tcp(msg, 50000, 3478, up=rnd.random() < 0.5)
    # the same on a TCP stream in RFC 4571 and [MS-TURN] 2.1.4 framing (heuristics, port 443)
    p.handshake(50001, 443)
    for i in range(60):
        body = random_attrs(rnd, rnd.randrange(0, 8))
        msg = stun(rnd.choice(MSG_TYPES), body, fmt=rnd.choice(["rfc", "msturn", "classic"]), rnd=rnd)
        r = rnd.random()
        if r < 0.4:
            frame = struct.pack("!H", len(msg)) + msg
        elif r < 0.8:
            frame = bytes([rnd.choice([2, 3]), 0]) + struct.pack("!H", len(msg)) + msg
        else:
            frame = struct.pack("!H", rnd.randrange(0, 0x10000)) + msg
        p.tcp(frame, 50001, 443, up=rnd.random() < 0.5)
    return p


def good_messages():
    rnd = random.Random(7)
    tid = bytes(range(12))
    return [
        stun(0x0001, attr(0x0006, b"evtj:h6vY") + attr(0x8022, b"STUN test client") +
             attr(0x0024, b"\x6e\x00\x01\xff") + attr(0x8029, b"\x93\x2f\xf9\xb1\x51\x26\x3b\x36") +
             attr(0x0008, bytes(20)) + attr(0x8028, b"\xe5\x7a\x3b\xcf"), tid=tid),
        stun(0x0101, attr(0x0020, xaddr()) + attr(0x0020, xaddr(family=2)) + attr(0x8028, bytes(4)), tid=tid),
        stun(0x0113, attr(0x0009, b"\x00\x00\x04\x01Unauthorized") + attr(0x0014, b"example.org") +
             attr(0x0015, b"nonce") + attr(0x000A, b"\x00\x01\x00\x02\x00\x03"), tid=tid),
        stun(0x0003, attr(0x8058, struct.pack("!IIII", 40, 100, 40, 100)) + attr(0x8059, bytes(8)) +
             attr(0x0015, b"SIP Communications Service") + attr(0x0014, b"a1b2c3d4e5f6a7b8c9") +
             attr(0x8055, b"\x00\x00\x00\x01") + attr(0x8068, bytes(4)), fmt="msturn", rnd=rnd),
        stun(0x0115, attr(0x0012, struct.pack("!BBH4s", 0, 1, 5000, b"\xc0\x00\x02\x1e")) +
             attr(0x0013, b"\x80\x00\x00\x01" + bytes(16)), fmt="msturn", rnd=rnd),
        stun(0x0016, attr(0x0012, xaddr()) + attr(0x0013, stun(0x0001, attr(0x0024, bytes(4)))) +
             attr(0x8004, b"\x00\x00\x07\x03\x00\x00\x00\x00"), tid=tid),
        stun(0x000B, attr(0x002A, b"\x12\x34\x56\x78") + attr(0x001E, bytes(32)) + attr(0x001C, bytes(32)) +
             attr(0x001D, b"\x00\x02\x00\x00\x00\x01\x00\x00"), tid=tid),
        stun(0x0001, attr(0x0006, bytes(72)) + attr(0x0008, bytes(20)), fmt="classic", rnd=rnd),
        struct.pack("!HH", 0x4000, 9) + b"\x80" + bytes(8) + bytes(3),        # ChannelData
        struct.pack("!HH", 0xFF10, 24) + bytes(24),                           # [MS-TURN] multiplexed
    ]


def build_truncations():
    p = Pcap()
    # a ChannelBind first, so that the 5-tuple is TURN and ChannelData is accepted
    p.udp(stun(0x0009, attr(0x000C, b"\x40\x00\x00\x00") + attr(0x0012, xaddr())), 40000, 3478)
    p.udp(stun(0x0109, b""), 40000, 3478, up=False)
    for msg in good_messages():
        for cut in range(0, len(msg) + 1, 1 if len(msg) < 80 else 3):
            p.udp(msg[:cut], 40000, 3478)                                  # short datagram
            if cut < len(msg) and cut % 2 == 0:
                p.udp(msg, 40000, 3478, caplen=cut)                        # snap length cut
        p.udp(msg + b"\x00\x01\x02", 40000, 3478)                          # trailing bytes
        p.udp(msg, 40010, 50999)                                           # heuristics
    # the same messages cut on a TCP stream, with and without RFC 4571 framing
    p.handshake(50002, 3478)
    for msg in good_messages():
        p.tcp(msg[: len(msg) // 2], 50002, 3478)
    p.handshake(50003, 3478)
    for msg in good_messages():
        p.tcp(struct.pack("!H", len(msg)) + msg[: len(msg) - 1], 50003, 3478)
    p.fin(50003, 3478)
    return p


def build_ffff_lengths():
    p = Pcap()
    big = bytes(range(256)) * 4
    p.udp(stun(0x0001, attr(0x0006, b"user"), length=0xFFFF))
    p.udp(stun(0x0001, attr(0x0006, b"user", length=0xFFFF)))
    p.udp(stun(0x0001, attr(0x0006, b"user") + struct.pack("!HH", 0x8028, 0xFFFF)))
    p.udp(stun(0x0001, struct.pack("!HH", 0x0020, 0xFFFF) + xaddr()))
    p.udp(stun(0x0003, attr(0x8058, b"\0" * 4, length=0xFFFF), fmt="msturn"))
    p.udp(stun(0x0115, attr(0x0013, big, length=0xFFFF), fmt="msturn"))
    p.udp(stun(0x0001, b"", fmt="classic", length=0xFFFF))
    p.udp(stun(0x0009, attr(0x000C, b"\x40\x00\x00\x00") + attr(0x0012, xaddr())))
    p.udp(stun(0x0109, b""), up=False)
    p.udp(struct.pack("!HH", 0x4000, 0xFFFF) + big)                       # ChannelData
    p.udp(struct.pack("!HH", 0x7FFF, 0xFFFF) + big)
    p.udp(struct.pack("!HH", 0xFF10, 0xFFFF) + big)                       # multiplexed TURN
    p.udp(struct.pack("!HH", 0xFF10, 0xFFFF), 40010, 50999)
    # TCP: raw STUN header saying 0xFFFF, then a little data, then FIN
    p.handshake(50010, 3478)
    p.tcp(stun(0x0001, big, length=0xFFFF), 50010, 3478)
    p.tcp(big, 50010, 3478)
    p.fin(50010, 3478)
    # TCP: [MS-TURN] 2.1.4 control and data frames announcing 0xFFFF
    p.handshake(50011, 443)
    p.tcp(b"\x02\x00\x00\x2c" + stun(0x0003, b"", fmt="msturn")[:0x2c], 50011, 443)
    p.tcp(b"\x02\x00\xff\xff" + stun(0x0003, big, fmt="msturn", length=0xFFEB), 50011, 443)
    p.tcp(b"\x03\x00\xff\xff" + big, 50011, 443)
    p.fin(50011, 443)
    # TCP ChannelData 0xFFFF after a ChannelBind on the stream
    p.handshake(50012, 3478)
    p.tcp(stun(0x0009, attr(0x000C, b"\x40\x01\x00\x00") + attr(0x0012, xaddr())), 50012, 3478)
    p.tcp(stun(0x0109, b""), 50012, 3478, up=False)
    p.tcp(struct.pack("!HH", 0x4001, 0xFFFF) + big, 50012, 3478)
    p.fin(50012, 3478)
    return p


def build_rfc4571_ffff():
    """ICE-TCP stream found by the heuristics (RFC 4571 framed STUN), then a
    frame announcing 0xFFFF bytes that never all arrive; also on 3478."""
    p = Pcap()
    msg = stun(0x0001, attr(0x0006, b"L:R") + attr(0x0024, bytes(4)) + attr(0x8028, bytes(4)))
    for port in (50060, 3478):
        p.handshake(50020, port)
        p.tcp(struct.pack("!H", len(msg)) + msg, 50020, port)
        p.tcp(struct.pack("!H", len(msg)) + msg, 50020, port, up=False)
        p.tcp(b"\xff\xff" + msg + bytes(1000), 50020, port)
        for _ in range(20):
            p.tcp(bytes(1400), 50020, port)
        p.tcp(b"\xff\xff" + bytes(100), 50020, port, up=False)
        p.fin(50020, port)
    # a stream of 0xFFFF frames that do complete: 2 + 65535 bytes each, in 1460-byte segments
    p.handshake(50021, 50061)
    p.tcp(struct.pack("!H", len(msg)) + msg, 50021, 50061)
    stream = (b"\xff\xff" + b"\x80" + bytes(65534)) * 2
    p.tcp_stream(stream, 50021, 50061)
    p.fin(50021, 50061)
    return p


def build_deep_nesting():
    p = Pcap()
    rnd = random.Random(3)
    inner = stun(0x0001, attr(0x0024, bytes(4)))
    for depth in range(60):                        # Send indication > DATA > Send indication > ...
        inner = stun(0x0016, attr(0x0012, xaddr()) + attr(0x0013, inner), rnd=rnd)
    p.udp(inner)
    inner = stun(0x0001, b"", fmt="msturn", rnd=rnd)
    for depth in range(60):                        # [MS-TURN] Data Indication > DATA > ...
        inner = stun(0x0115, attr(0x0012, struct.pack("!BBH4s", 0, 1, 5000, SERVER)) + attr(0x0013, inner),
                     fmt="msturn", rnd=rnd)
    p.udp(inner, up=False)
    # ChannelData > STUN Data indication > ChannelData > ... after a ChannelBind
    p.udp(stun(0x0009, attr(0x000C, b"\x40\x00\x00\x00") + attr(0x0012, xaddr())))
    p.udp(stun(0x0109, b""), up=False)
    inner = stun(0x0001, b"")
    for depth in range(60):
        if depth % 2:
            inner = struct.pack("!HH", 0x4000, len(inner)) + inner + b"\0" * (-len(inner) % 4)
        else:
            inner = stun(0x0017, attr(0x0012, xaddr()) + attr(0x0013, inner), rnd=rnd)
    p.udp(inner, up=False)
    # the same nesting over TCP in [MS-TURN] 2.1.4 data frames and RFC 4571
    p.handshake(50030, 3478)
    p.tcp(struct.pack("!H", len(inner)) + inner, 50030, 3478)
    p.tcp(inner, 50030, 3478)
    p.fin(50030, 3478)
    return p


def build_many_attributes():
    p = Pcap()
    p.udp(stun(0x0001, struct.pack("!HH", 0x7FFF, 0) * 16000))                 # 16000 empty unknowns
    p.udp(stun(0x0001, attr(0x8022, b"") * 16000))
    p.udp(stun(0x0101, attr(0x0020, xaddr()) * 5000), up=False)                # 5000 XOR-MAPPED-ADDRESS
    p.udp(stun(0x0101, (attr(0x0008, bytes(20)) + attr(0x8028, bytes(4))) * 2000), up=False)
    p.udp(stun(0x0003, attr(0x0015, b"r") * 8000, fmt="msturn"))                # unpadded MS-TURN
    p.udp(stun(0x0001, attr(0x000A, b"\x00\x01" * 32000)))                      # UNKNOWN-ATTRIBUTES
    p.udp(stun(0x0003, attr(0x8054, b"x" * 3000) * 20))
    # one 65535-byte message on TCP, split in 1460-byte segments
    body = attr(0x8022, b"") * 16378
    msg = stun(0x0001, body)
    p.handshake(50040, 3478)
    p.tcp_stream(msg, 50040, 3478)
    # 2000 small messages in one stream, several per segment
    small = b"".join(stun(0x0001, attr(0x0024, bytes(4)), tid=bytes(8) + struct.pack("!I", i))
                     for i in range(2000))
    p.tcp_stream(small, 50040, 3478)
    p.fin(50040, 3478)
    return p


def build_rfc6062_hostile():
    p = Pcap()
    cid = b"\x12\x34\x56\x78"
    p.handshake(50100, 3478)
    p.tcp(stun(0x001C, attr(0x002A, cid) + attr(0x0012, xaddr())), 50100, 3478, up=False)   # ConnectionAttempt
    p.tcp(stun(0x001C, attr(0x002A, cid) + attr(0x0012, xaddr())), 50100, 3478, up=False)   # again, same CID
    p.tcp(stun(0x000A, attr(0x0012, xaddr())), 50100, 3478)                                  # Connect
    p.tcp(stun(0x010A, attr(0x002A, cid)), 50100, 3478, up=False)                            # success, same CID
    for port in (50101, 50102, 50103):                     # three data connections bind the same CID
        p.handshake(port, 3478)
        p.tcp(stun(0x000B, attr(0x002A, cid)), port, 3478)
        p.tcp(stun(0x010B, b""), port, 3478, up=False)
        p.tcp(b"\x00\x14" + stun(0x0001, b"")[:20], port, 3478)      # RFC 4571 framed check inside
        p.tcp(bytes(range(256)) * 5, port, 3478, up=False)
        p.tcp(stun(0x0001, b"", length=0xFFFF), port, 3478)
        p.tcp(b"\xff", port, 3478)
        p.fin(port, 3478)
    p.handshake(50104, 3478)                                # ConnectionBind with a bad CONNECTION-ID length
    p.tcp(stun(0x000B, attr(0x002A, b"\x12")), 50104, 3478)
    p.tcp(stun(0x000B, attr(0x002A, b"", length=0xFFFF)), 50104, 3478)
    p.tcp(stun(0x010B, b""), 50104, 3478, up=False)
    p.tcp(bytes(3000), 50104, 3478)
    return p


def build_transactions():
    """Many transactions on one 5-tuple (beyond msstun.max_transactions when
    run with a small value), duplicates, responses without requests."""
    p = Pcap()
    for i in range(3000):
        tid = struct.pack("!8xI", i % 1000)                 # each TID three times
        p.udp(stun(0x0001, attr(0x0024, bytes(4)), tid=tid), 40000, 3478)
        if i % 3 == 0:
            p.udp(stun(0x0101, attr(0x0020, xaddr()), tid=tid), 40000, 3478, up=False)
        if i % 7 == 0:
            p.udp(stun(0x0111, attr(0x0009, b"\x00\x00\x04\x00"), tid=struct.pack("!8xI", 99999 + i)),
                  40000, 3478, up=False)
    for i in range(200):                                     # [MS-TURN] 128-bit IDs that share 12 bytes
        tid = struct.pack("!I", i) + bytes(8)
        p.udp(stun(0x0003, b"", fmt="msturn", tid=tid), 40001, 3478)
        p.udp(stun(0x0103, b"", fmt="msturn", tid=tid), 40001, 3478, up=False)
    return p


STRUCTURED = {
    "random-lengths": (build_random_lengths, [(), ("-o", "msstun.desegment:FALSE")]),
    "truncations": (build_truncations, [()]),
    "ffff-lengths": (build_ffff_lengths, [(), ("-o", "msstun.desegment:FALSE"), ("-d", "tcp.port==443,msstun")]),
    "rfc4571-ffff": (build_rfc4571_ffff, [(), ("-o", "msstun.desegment:FALSE")]),
    "deep-nesting": (build_deep_nesting, [(), ("-o", "msstun.rfc7983_demux:FALSE")]),
    "many-attributes": (build_many_attributes, [()]),
    "rfc6062-hostile": (build_rfc6062_hostile, [()]),
    "transactions": (build_transactions, [(), ("-o", "msstun.max_transactions:10")]),
}


@pytest.mark.parametrize("name", sorted(STRUCTURED), ids=sorted(STRUCTURED))
def test_robustness_structured(name):
    build, variants = STRUCTURED[name]
    path = build().write(f"structured-{name}.pcap")
    info = subprocess.run(["capinfos", "-c", "-M", path], capture_output=True, text=True)
    assert info.returncode == 0, f"the generator wrote a broken pcap: {info.stderr}"
    problems = run_all([(path, v) for v in variants])
    assert not problems, "\n".join(problems)



def test_snap_length_cut_inside_a_decoded_value():
    # decoders read the message tvb at a length the table checked: a value the
    # snap length cut shows what was captured, the attributes before it stay,
    # and Wireshark's "packet size limited" marks the cut (no malformed packet)
    p = Pcap()
    msg = stun(0x0111, attr(0x0006, b"alice") + attr(0x0009, b"\x00\x00\x04\x01" + b"Unauthorized") +
               attr(0x8022, b"soft"))
    p.udp(msg, 40000, 3478, up=False, caplen=20 + 12 + 4 + 4 + 6)   # 6 bytes of the reason phrase
    path = p.write("snapcut.pcap")
    names = ["msstun.att.username", "msstun.att.error.code", "msstun.att.error.reason", "msstun.att.software",
             "_ws.short", "_ws.malformed"]
    for two_pass in (False, True):
        for extra in ((), ("-V",)):
            r = fields(path, names, extra=extra, two_pass=two_pass)[0]
            assert (r["msstun.att.username"], r["msstun.att.error.code"]) == ("alice", "401")
            assert r["msstun.att.error.reason"] == r["msstun.att.software"] == r["_ws.malformed"] == ""
            assert r["_ws.short"] != ""
