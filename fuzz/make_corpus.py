#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed corpus for fuzz_msstun from the shipped captures and ../shared vectors.
    python3 fuzz/make_corpus.py OUTDIR
Per capture: one multi-record input with its first 64 UDP/TCP payloads (the
4 busiest client endpoints become clients 0-3, the other side the server),
and one single-record input per distinct payload. Per .hex vector: UDP, TCP
and RFC 4571-framed TCP inputs. Needs tshark (payload extraction only)."""
import glob
import hashlib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzrec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KNOWN_PORTS = {3478, 443, 5349, 3479}
# [MS-TURN] 2.1.1 pseudo-TLS hellos of the MSOC shape (random and session id zero)
PTLS_CLIENT = bytes.fromhex("160301002d01000029" "0301") + bytes(32) + bytes.fromhex("00" "00020018" "0100")
PTLS_SERVER = bytes.fromhex("160301004e02000046" "0301") + bytes(32) + b"\x20" + bytes(32) + \
    bytes.fromhex("0018" "00" "0e000000")
FIELDS = ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport",
          "tcp.dstport", "udp.payload", "tcp.payload"]


def rows(pcap):
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t") + [""] * len(FIELDS)))
        tcp = bool(v["tcp.srcport"])
        payload = v["tcp.payload" if tcp else "udp.payload"].replace(":", "")
        if not payload:
            continue
        sp = int(v["tcp.srcport" if tcp else "udp.srcport"])
        dp = int(v["tcp.dstport" if tcp else "udp.dstport"])
        src = (v["ip.src"] or v["ipv6.src"], sp)
        dst = (v["ip.dst"] or v["ipv6.dst"], dp)
        yield tcp, src, dst, bytes.fromhex(payload)


def capture_records(pcap):
    pkts = list(rows(pcap))
    servers, clients = set(), {}
    for tcp, src, dst, _ in pkts:
        if src[1] in KNOWN_PORTS:
            servers.add(src)
        elif dst[1] in KNOWN_PORTS:
            servers.add(dst)
    recs = []
    for tcp, src, dst, payload in pkts:
        if src in servers or (dst not in servers and (tcp, dst) in clients):
            reply, client = True, dst
        else:
            reply, client = False, src
        idx = clients.setdefault((tcp, client), len(clients) % 4)
        alt = not ({src[1], dst[1]} & KNOWN_PORTS)
        ptls = tcp and 443 in (src[1], dst[1])        # pseudo-TLS or HTTPS: the 443 path
        recs.append((fuzzrec.ctrl(tcp=tcp, reply=reply, client=idx, alt_port=alt, ptls=ptls), payload))
    return recs


def vector_bytes(path):
    text = open(path).read()
    return bytes.fromhex("".join(re.findall(r"\b[0-9a-fA-F]{2}\b", text)))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seen = set()

    def put(data):
        h = hashlib.sha1(data).hexdigest()
        if h not in seen:
            seen.add(h)
            with open(os.path.join(out, "seed-" + h[:16]), "wb") as f:
                f.write(data)

    pcaps = sorted(glob.glob(os.path.join(ROOT, "captures", "**", "*.pcap*"), recursive=True))
    for pcap in pcaps:
        if os.sep + "hostile" + os.sep in pcap:
            continue
        recs = capture_records(pcap)
        if not recs:
            continue
        put(fuzzrec.encode(recs[: fuzzrec.MAX_RECORDS]))
        for c, p in recs:
            put(fuzzrec.encode([(c, p)]))
    vecs = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "vectors", "**", "*.hex"), recursive=True))
    for v in vecs:
        b = vector_bytes(v)
        if not b:
            continue
        put(fuzzrec.encode([(fuzzrec.ctrl(), b)]))
        put(fuzzrec.encode([(fuzzrec.ctrl(tcp=True), b)]))
        put(fuzzrec.encode([(fuzzrec.ctrl(tcp=True), len(b).to_bytes(2, "big") + b)]))
        # as decrypted TLS / DTLS application data, and behind a pseudo-TLS handshake
        put(fuzzrec.encode([(fuzzrec.ctrl(tcp=True, tls=True), b)]))
        put(fuzzrec.encode([(fuzzrec.ctrl(tls=True), b)]))
        put(fuzzrec.encode([(fuzzrec.ctrl(tcp=True, ptls=True), PTLS_CLIENT),
                            (fuzzrec.ctrl(tcp=True, ptls=True, reply=True), PTLS_SERVER),
                            (fuzzrec.ctrl(tcp=True, ptls=True), b"\x02\x00" + len(b).to_bytes(2, "big") + b),
                            (fuzzrec.ctrl(tcp=True, ptls=True), b"\x03\x00" + b)]))
    print(f"{len(seen)} seeds from {len(pcaps)} captures and {len(vecs)} vectors in {out}")


if __name__ == "__main__":
    main()
