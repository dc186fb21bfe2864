# SPDX-License-Identifier: GPL-2.0-or-later
"""Run tshark with the built msstun plugin from a fresh HOME (personal plugin
folder) with TZ=UTC. tshark run as root ignores personal plugins, so as root
it runs as nobody; as any other user it runs as that user."""
import os
import struct
import subprocess
import tempfile
import time

import pytest

WORK = os.environ.get("MSSTUN_TEST_WORK")
# stderr lines tshark prints that are not about us
BENIGN = ("Running as user", "This could be dangerous")

# Wireshark version under test ("4.0", "4.4", "4.6"; set by tests/run.sh) and
# the display-filter names that differ between versions (versions/README.md).
WS_VERSION = tuple(int(x) for x in os.environ.get("MSSTUN_WS_VERSION", "4.0").split(".")[:2])
# 4.0: _ws.malformed.dissector_bug; 4.4+: _ws.dissector_bug (the old name is an error)
DISSECTOR_BUG = "_ws.dissector_bug" if WS_VERSION >= (4, 4) else "_ws.malformed.dissector_bug"
MALFORMED_FILTER = f"_ws.malformed.expert || {DISSECTOR_BUG} || _ws.malformed.reassembly"

# the command prefix that runs tshark as a user whose tshark loads personal
# plugins: nobody when the tests run as root, the current user otherwise
AS_TSHARK_USER = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []


def _run_proc(args, san=False, timeout=300, env_extra=None):
    """tshark (as nobody when root) with the plain or the ASan+UBSan plugin; checks nothing:
    returns the CompletedProcess and the wall time in seconds. Raises
    subprocess.TimeoutExpired after `timeout` seconds."""
    assert WORK, "run the tests with tests/run.sh"
    home = os.path.join(WORK, "home-san" if san else "home-plain")
    env = {"HOME": home, "TZ": "UTC", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    if san:
        env["LD_PRELOAD"] = os.environ["MSSTUN_ASAN_LIB"] + ":" + os.environ["MSSTUN_UBSAN_LIB"]
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0:halt_on_error=1"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    if env_extra:
        env.update(env_extra)
    cmd = AS_TSHARK_USER + ["env", "-i"]
    cmd += [f"{k}={v}" for k, v in env.items()] + ["tshark"] + list(args)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    return p, time.monotonic() - t0


def _run(args, san=False, check_stderr=True, timeout=300, env_extra=None):
    """tshark's stdout; fails on a non-zero exit and on unexpected stderr."""
    p, _ = _run_proc(args, san=san, timeout=timeout, env_extra=env_extra)
    if check_stderr:
        bad = [l for l in p.stderr.splitlines() if l.strip() and not any(b in l for b in BENIGN)]
        assert not bad, "unexpected tshark stderr:\n" + "\n".join(bad[:20])
    assert p.returncode == 0, f"tshark {args} exited {p.returncode}: {p.stderr[-2000:]}"
    return p.stdout


def capture(name):
    return os.path.join(WORK, "captures", name)


def fields(pcap, names, extra=(), filt=None, two_pass=True, **kw):
    """One dict per frame: field -> value ('' when absent)."""
    args = ["-n", "-r", capture(pcap) if not pcap.startswith("/") else pcap]
    if two_pass:
        args.append("-2")
    if filt:
        args += ["-Y", filt]
    args += list(extra) + ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for n in names:
        args += ["-e", n]
    out = _run(args, **kw)
    rows = []
    for line in out.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(names) - len(vals))
        rows.append(dict(zip(names, vals)))
    return rows


def frame(pcap, num, names, **kw):
    rows = fields(pcap, ["frame.number"] + list(names), **kw)
    for r in rows:
        if r["frame.number"] == str(num):
            return r
    raise AssertionError(f"frame {num} not in {pcap}")


@pytest.fixture
def tshark():
    return _run


# ---- pcap builders (files under MSSTUN_TEST_WORK) --------------------------------------

def udp_pcap(payloads, sport=40000, dport=3478, gap_us=1000):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i, p in enumerate(payloads):
        udp = struct.pack(">HHHH", sport, dport, 8 + len(p), 0) + p
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                         bytes([192, 0, 2, 10]), bytes([192, 0, 2, 20])) + udp
        eth = b"\x02\x00\xc0\x00\x02\x14\x02\x00\xc0\x00\x02\x0a\x08\x00" + ip
        usec = i * gap_us
        out.append(struct.pack("<IIII", 1767225600 + usec // 1000000, usec % 1000000, len(eth), len(eth)) + eth)
    fd, path = tempfile.mkstemp(suffix=".pcap", dir=WORK)
    with os.fdopen(fd, "wb") as f:
        f.write(b"".join(out))
    os.chmod(path, 0o644)
    return path
