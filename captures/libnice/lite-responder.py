#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A strict ICE-lite agent "R" (RFC 8445 section 7.3 / RFC 5245 section 2.7),
used only as a stand-in peer for libnice's full agent (ice-pair --remote-peer)
in make-captures.sh.  Only libnice's bytes in those captures are real software.

A lite agent never sends connectivity checks, triggered checks or keepalives:
it answers every Binding request whose USERNAME starts with R's ufrag with a
success response, and it answers each payload it receives with a 12-byte fake
RTP packet of its own (SSRC 0x52525252, the sequence number it got).

Modes:
  rfc5245   success = XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY (RFC 5389 rule),
            FINGERPRINT
  oc2007r2  [MS-ICE2] as libnice 0.1.21 speaks it: success = XOR-MAPPED-ADDRESS,
            IMPLEMENTATION-VERSION (0x8070) = 2, MESSAGE-INTEGRITY with the
            legacy rule (header length as sent, input zero-padded to a multiple
            of 64 bytes), FINGERPRINT
The key is R's password.  The request's MESSAGE-INTEGRITY is checked with the
same rule and the result printed.

usage: lite-responder.py MODE BIND_IP PORT [PACKETS] [TIMEOUT_S]
"""
import hashlib
import hmac
import socket
import struct
import sys
import time
import zlib

UFRAG_R = b"msstunRufrag"
PWD_R = b"msstunRpasswordRRRRRRRR"
COOKIE = 0x2112A442


def tlv(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0" * ((-len(v)) % 4)


def pad64(b):
    return b + b"\0" * ((-len(b)) % 64)


def attrs(body):
    i = 0
    while i + 4 <= len(body):
        t, n = struct.unpack("!HH", body[i:i + 4])
        yield t, i, body[i + 4:i + 4 + n]
        i += 4 + n + ((-n) % 4)


def mi_ok(mode, data):
    length = struct.unpack("!H", data[2:4])[0]
    for t, off, v in attrs(data[20:20 + length]):
        if t == 0x0008:
            upto = data[:20 + off]
            if mode == "oc2007r2":
                msg = pad64(upto)
            else:
                msg = upto[:2] + struct.pack("!H", off + 24) + upto[4:]
            return hmac.new(PWD_R, msg, hashlib.sha1).digest() == v
    return None


def success(mode, tid, src):
    ip, port = src
    x_port = port ^ (COOKIE >> 16)
    x_ip = struct.unpack("!I", socket.inet_aton(ip))[0] ^ COOKIE
    body = tlv(0x0020, struct.pack("!BBHI", 0, 1, x_port, x_ip))
    if mode == "oc2007r2":
        body += tlv(0x8070, struct.pack("!I", 2))
        # legacy rule: the length already counts MI (24) and FINGERPRINT (8)
        head = struct.pack("!HHI", 0x0101, len(body) + 32, COOKIE) + tid
        mac = hmac.new(PWD_R, pad64(head + body), hashlib.sha1).digest()
    else:
        head = struct.pack("!HHI", 0x0101, len(body) + 24, COOKIE) + tid
        mac = hmac.new(PWD_R, head + body, hashlib.sha1).digest()
    body += tlv(0x0008, mac)
    head = struct.pack("!HHI", 0x0101, len(body) + 8, COOKIE) + tid
    crc = (zlib.crc32(head + body) & 0xFFFFFFFF) ^ 0x5354554E
    return head + body + tlv(0x8028, struct.pack("!I", crc))


def main():
    mode, bind, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    packets = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind, port))
    end = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < end and answered < packets:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            data, src = s.recvfrom(4096)
        except socket.timeout:
            break
        if len(data) >= 20 and data[0] < 2 and data[4:8] == struct.pack("!I", COOKIE):
            mtype = struct.unpack("!H", data[:2])[0]
            if mtype != 0x0001:
                print("R (lite): STUN 0x%04x from %s:%d ignored" % (mtype, *src), flush=True)
                continue
            user = b""
            length = struct.unpack("!H", data[2:4])[0]
            for t, _, v in attrs(data[20:20 + length]):
                if t == 0x0006:
                    user = v
            if not user.startswith(UFRAG_R + b":"):
                print("R (lite): Binding request with USERNAME %r ignored" % user, flush=True)
                continue
            ok = mi_ok(mode, data)
            s.sendto(success(mode, data[8:20], src), src)
            print("R (lite): Binding request from %s:%d tid=%s MI %s -> success" % (
                *src, data[8:20].hex(), "ok" if ok else "MISMATCH"), flush=True)
            continue
        print("received by R: %d bytes" % len(data), flush=True)
        seq = data[2:4] if len(data) >= 4 else b"\0\0"
        n = struct.unpack("!H", seq)[0]
        s.sendto(b"\x80\x00" + seq + struct.pack("!II", n * 160, 0x52525252), src)
        answered += 1
    print("result: R (lite) answered=%d" % answered, flush=True)
    time.sleep(0.7)


if __name__ == "__main__":
    main()
