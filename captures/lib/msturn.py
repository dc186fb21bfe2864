# SPDX-License-Identifier: GPL-2.0-or-later
"""[MS-TURN] message building shared by the stand-in servers
captures/libnice/fake-msturn.py (UDP) and captures/tls/fake-msturn-tls.py
(pseudo-TLS on TCP).  The bytes are built from the layouts in
shared/reference/protocol.md; nothing here is taken from real software.
"""

import hashlib
import hmac
import socket
import struct

COOKIE_ATTR = struct.pack(">HHI", 0x000F, 4, 0x72C64BC6)
REALM = b"msstun.test."    # 12 bytes: no padding needed
NONCE = b"6d737374756e6e6f6e636530"  # 24 bytes
RELAY_PORT = 49152         # the relayed address is 127.0.0.1:RELAY_PORT


def attr(t, v):
    assert len(v) % 4 == 0
    return struct.pack(">HH", t, len(v)) + v


def attrs(body):
    """(type, offset in body, value) of each attribute."""
    i = 0
    while i + 4 <= len(body):
        t, n = struct.unpack(">HH", body[i:i + 4])
        yield t, i, body[i + 4:i + 4 + n]
        i += 4 + ((n + 3) & ~3)


def mi_input(msg_upto_mi):
    """[MS-TURN]/RFC 3489 rule: the input zero-padded to a multiple of 64."""
    pad = (64 - len(msg_upto_mi) % 64) % 64
    return msg_upto_mi + b"\0" * pad


def long_term_key(user, password):
    return hashlib.md5(user + b":" + REALM + b":" + password).digest()


def mi_ok(key, msg, mi_offset, mac):
    """Does MESSAGE-INTEGRITY (at mi_offset in the attributes) verify?"""
    return hmac.new(key, mi_input(msg[:20 + mi_offset]),
                    hashlib.sha1).digest() == mac


def build(mtype, tid, body, key=None):
    """A message; with key, MESSAGE-INTEGRITY is appended (length as sent)."""
    if key is not None:
        length = len(body) + 24
        head = struct.pack(">HH", mtype, length) + tid + body
        mac = hmac.new(key, mi_input(head), hashlib.sha1).digest()
        return head + attr(0x0008, mac)
    return struct.pack(">HH", mtype, len(body)) + tid + body


def unauthorized(tid, port):
    """Allocate error 401: MAGIC-COOKIE, ERROR-CODE, ALTERNATE-SERVER
    (127.0.0.1:port), REALM 0x0015, NONCE 0x0014."""
    ip = socket.inet_aton("127.0.0.1")
    return build(0x0113, tid,
                 COOKIE_ATTR +
                 attr(0x0009, struct.pack(">HBB", 0, 4, 1) + b"Unauthorized") +
                 attr(0x000E, struct.pack(">BBH", 0, 1, port) + ip) +
                 attr(0x0015, REALM) +
                 attr(0x0014, NONCE))


def allocated(tid, peer, key):
    """Allocate success: MAGIC-COOKIE, LIFETIME 600, MAPPED-ADDRESS = the
    relayed address, MS XOR-MAPPED-ADDRESS 0x8020 = peer, MESSAGE-INTEGRITY."""
    reflexive = socket.inet_aton(peer[0])
    xport = peer[1] ^ struct.unpack(">H", tid[:2])[0]
    xip = bytes(a ^ b for a, b in zip(reflexive, tid[:4]))
    return build(0x0103, tid,
                 COOKIE_ATTR +
                 attr(0x000D, struct.pack(">I", 600)) +
                 attr(0x0001, struct.pack(">BBH", 0, 1, RELAY_PORT) +
                      socket.inet_aton("127.0.0.1")) +
                 attr(0x8020, struct.pack(">BBH", 0, 1, xport) + xip),
                 key=key)
