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
own (messages built by captures/lib/msturn.py from the layouts in
shared/reference/protocol.md): only the client's (libnice's) messages in
the capture are "real software" bytes.

For every authenticated request it reports to stdout whether the
MESSAGE-INTEGRITY verifies with key = MD5(username ":" realm ":" password)
using the [MS-TURN]/RFC 3489 input rule (header length as sent, input
zero-padded to a multiple of 64 bytes).

usage: fake-msturn.py PORT USERNAME PASSWORD   (raw, i.e. base64-decoded)
"""

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from msturn import (COOKIE_ATTR, attr, attrs, build, long_term_key,  # noqa: E402
                    mi_ok, unauthorized, allocated)


def main():
    port = int(sys.argv[1])
    user = sys.argv[2].encode()
    password = sys.argv[3].encode()
    key = long_term_key(user, password)
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
            s.sendto(unauthorized(tid, port), peer)
            continue
        off, mac = found[0x0008]
        ok = mi_ok(key, data, off, mac)
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
        s.sendto(allocated(tid, peer, key), peer)


if __name__ == "__main__":
    main()
