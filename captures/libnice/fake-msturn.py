#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Minimal stand-in for an [MS-TURN] server, used only to draw libnice's
authenticated Allocate onto the wire (captures/libnice/make-captures.sh).

It answers the first Allocate of each transaction ID with a 401 digest
challenge (MAGIC-COOKIE, ERROR-CODE, ALTERNATE-SERVER, REALM 0x0015,
NONCE 0x0014) and an authenticated Allocate with a success response
(MAGIC-COOKIE, LIFETIME, MAPPED-ADDRESS = relayed address, MS
XOR-MAPPED-ADDRESS 0x8020, MESSAGE-INTEGRITY).  An authenticated Allocate
with LIFETIME 0 (libnice's deallocation when a stream is removed) gets a
success response with MAGIC-COOKIE, LIFETIME 0 and MESSAGE-INTEGRITY.
Everything else it receives
is only logged.  It relays nothing.  The server's bytes are this script's
own, built from the layouts in shared/reference/protocol.md: only the
client's (libnice's) messages in the capture are "real software" bytes.

For every authenticated request it reports to stdout whether the
MESSAGE-INTEGRITY verifies with key = MD5(username ":" realm ":" password)
using the [MS-TURN]/RFC 3489 input rule (header length as sent, input
zero-padded to a multiple of 64 bytes).

usage: fake-msturn.py PORT USERNAME PASSWORD   (raw, i.e. base64-decoded)
"""

import hashlib
import hmac
import socket
import struct
import sys

COOKIE_ATTR = struct.pack(">HHI", 0x000F, 4, 0x72C64BC6)
REALM = b"msstun.test."    # 12 bytes: no padding needed
NONCE = b"6d737374756e6e6f6e636530"  # 24 bytes


def attr(t, v):
    assert len(v) % 4 == 0
    return struct.pack(">HH", t, len(v)) + v


def attrs(body):
    i = 0
    while i + 4 <= len(body):
        t, n = struct.unpack(">HH", body[i:i + 4])
        yield t, i, body[i + 4:i + 4 + n]
        i += 4 + ((n + 3) & ~3)


def mi_input(msg_upto_mi):
    pad = (64 - len(msg_upto_mi) % 64) % 64
    return msg_upto_mi + b"\0" * pad


def build(mtype, tid, body, key=None):
    if key is not None:
        length = len(body) + 24
        head = struct.pack(">HH", mtype, length) + tid + body
        mac = hmac.new(key, mi_input(head), hashlib.sha1).digest()
        return head + attr(0x0008, mac)
    return struct.pack(">HH", mtype, len(body)) + tid + body


def main():
    port = int(sys.argv[1])
    user = sys.argv[2].encode()
    password = sys.argv[3].encode()
    key = hashlib.md5(user + b":" + REALM + b":" + password).digest()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    while True:
        data, peer = s.recvfrom(4096)
        if len(data) < 20:
            continue
        mtype, length = struct.unpack(">HH", data[:4])
        tid = data[4:20]
        body = data[20:20 + length]
        found = {t: (off, v) for t, off, v in attrs(body)}
        print("recv type=0x%04x len=%d attrs=%s" % (
            mtype, length, ",".join("0x%04x" % t for t, _, _ in attrs(body))),
            flush=True)
        if mtype != 0x0003:
            continue
        if 0x0008 not in found:
            ip = socket.inet_aton("127.0.0.1")
            reason = b"Unauthorized"
            resp = build(0x0113, tid,
                         COOKIE_ATTR +
                         attr(0x0009, struct.pack(">HBB", 0, 4, 1) + reason) +
                         attr(0x000E, struct.pack(">BBH", 0, 1, port) + ip) +
                         attr(0x0015, REALM) +
                         attr(0x0014, NONCE))
            s.sendto(resp, peer)
            continue
        off, mac = found[0x0008]
        ok = hmac.new(key, mi_input(data[:20 + off]),
                      hashlib.sha1).digest() == mac
        print("  MESSAGE-INTEGRITY with MD5(user:realm:pass), pad64: %s" %
              ("ok" if ok else "MISMATCH"), flush=True)
        if 0x0006 in found:
            print("  USERNAME=%r" % found[0x0006][1], flush=True)
        lifetime = found.get(0x000D, (0, None))[1]
        if lifetime is not None and struct.unpack(">I", lifetime[:4])[0] == 0:
            # Allocate with LIFETIME 0: the client deallocates ([MS-TURN]
            # has no Refresh; a refresh is an Allocate).  Answer success
            # with LIFETIME 0 and forget nothing (there is no state).
            print("  LIFETIME 0: deallocation, answered with LIFETIME 0",
                  flush=True)
            resp = build(0x0103, tid,
                         COOKIE_ATTR + attr(0x000D, struct.pack(">I", 0)),
                         key=key)
            s.sendto(resp, peer)
            continue
        relay_port = 49152
        reflexive = socket.inet_aton(peer[0])
        xport = peer[1] ^ struct.unpack(">H", tid[:2])[0]
        xip = bytes(a ^ b for a, b in zip(reflexive, tid[:4]))
        resp = build(0x0103, tid,
                     COOKIE_ATTR +
                     attr(0x000D, struct.pack(">I", 600)) +
                     attr(0x0001, struct.pack(">BBH", 0, 1, relay_port) +
                          socket.inet_aton("127.0.0.1")) +
                     attr(0x8020, struct.pack(">BBH", 0, 1, xport) + xip),
                     key=key)
        s.sendto(resp, peer)


if __name__ == "__main__":
    main()
