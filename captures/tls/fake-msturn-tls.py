#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Stand-in for an [MS-TURN] server behind [MS-TURN] 2.1.1 pseudo-TLS on TCP,
used only to draw libnice's pseudo-TLS hello and its [MS-TURN] 2.1.4-framed
Allocate onto the wire (captures/tls/make-libnice.sh).  Extends
captures/libnice/fake-msturn.py (UDP) to TCP.

Per connection:
  1. reads the client's pseudo-TLS hello: a TLS handshake record
     (16 03 0x LL LL, libnice's "MSOC" form) or an SSLv2-style CLIENT-HELLO
     (80 LL 01 03 0x, libnice's Google form);
  2. answers with the server's fixed hello: for the MSOC form one handshake
     record of length 0x4e holding ServerHello (TLS 1.0, 32-byte random,
     32-byte session id, suite 0x0018, no compression) and ServerHelloDone;
     for the SSLv2 form one record holding a ServerHello only (0x4a).  The
     random and session id are this script's own bytes (libnice ignores
     them); nothing is encrypted afterwards;
  3. reads [MS-TURN] 2.1.4 frames (type 0x02 TURN control / 0x03 end-to-end
     data, one reserved byte, 16-bit length) and answers each Allocate like
     fake-msturn.py: 401 with MAGIC-COOKIE, ERROR-CODE, ALTERNATE-SERVER,
     REALM 0x0015 and NONCE 0x0014 when unauthenticated, success with
     LIFETIME, MAPPED-ADDRESS (relayed), XOR-MAPPED-ADDRESS 0x8020 and
     MESSAGE-INTEGRITY otherwise, each in a 0x02 frame.  Any other request
     is logged and answered with nothing.

With "client" as first argument the script is instead a stand-in for a
Lync / Skype for Business client (no such client runs here): it sends a
pseudo-TLS hello of its own making (FORM msoc: a TLS 1.0 ClientHello record
of 0x2d bytes without extensions; sslv2: an SSLv2-style CLIENT-HELLO of
0x46 bytes), waits for the server's hello, then speaks proper 2.1.4 frames:
an unauthenticated Allocate, the authenticated one after the 401 (USERNAME,
REALM, NONCE, MESSAGE-INTEGRITY with the [MS-TURN] key and 64-byte padding
rule), and one 0x03 end-to-end data frame.  Pointed at a real TLS server it
stops after the server's first record (a real server rejects the hello).

The server's bytes are this script's own, built from [MS-TURN] 2.1.1,
2.1.4 and the layouts in shared/reference/protocol.md (the [MS-TURN]
messages by captures/lib/msturn.py, shared with fake-msturn.py); only libnice's bytes
in the capture are "real software" bytes.

usage: fake-msturn-tls.py ADDR PORT USERNAME PASSWORD            (server)
       fake-msturn-tls.py client ADDR PORT USERNAME PASSWORD FORM (client)
USERNAME and PASSWORD raw (base64-decoded).
"""

import hashlib
import os
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from msturn import (COOKIE_ATTR, attr, attrs, build, long_term_key,  # noqa: E402
                    mi_ok, unauthorized, allocated)

RANDOM = hashlib.sha256(b"msstun pseudo-TLS server random").digest()
SESSION_ID = hashlib.sha256(b"msstun pseudo-TLS session id").digest()


def server_hello(with_done):
    # ServerHello: version 3.1, random, session id, cipher suite, compression
    body = b"\x03\x01" + RANDOM + bytes([32]) + SESSION_ID + b"\x00\x18" + b"\x00"
    if not with_done:
        body = body[:-3] + b"\x00\x04\x00"   # libnice's Google form ends 00 04 00
    msgs = b"\x02" + struct.pack(">I", len(body))[1:] + body
    if with_done:
        msgs += b"\x0e\x00\x00\x00"           # ServerHelloDone, empty
    return b"\x16\x03\x01" + struct.pack(">H", len(msgs)) + msgs


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def log(*a):
    print(*a, flush=True)


def serve(conn, peer, port, key):
    try:
        head = recv_exact(conn, 5)
        if head[0] == 0x16:
            hello = head + recv_exact(conn, struct.unpack(">H", head[3:5])[0])
            form = "MSOC (TLS record, length 0x%02x)" % (len(hello) - 5)
            conn.sendall(server_hello(True))
        elif head[0] & 0x80:
            n = ((head[0] & 0x7F) << 8 | head[1]) + 2
            hello = head + recv_exact(conn, n - 5)
            form = "SSLv2 CLIENT-HELLO"
            conn.sendall(server_hello(False))
        else:
            log("%s: no pseudo-TLS hello (%s)" % (peer, head.hex()))
            return
        log("%s: pseudo-TLS client hello, %s form, %d bytes: %s" % (peer, form, len(hello), hello.hex()))
        while True:
            # 2.1.4: type, reserved, length, then the message.  libnice
            # (OC2007 TURN over TCP) leaves the length out and writes the
            # STUN message right after the reserved byte: told apart by
            # whether the first 16 bits agree with the STUN header's length.
            fh = recv_exact(conn, 8)
            ftype = fh[0]
            flen, stype, slen = struct.unpack(">HHH", fh[2:8])
            if flen == 20 + slen:
                data = fh[4:] + recv_exact(conn, flen - 4)
                form = "2.1.4"
            else:
                data = fh[2:] + recv_exact(conn, 20 + stype - 6)
                form = "2.1.4 without length (libnice)"
            log("%s: frame type 0x%02x, %s, %d bytes" % (peer, ftype, form, len(data)))
            if len(data) < 20:
                continue
            mtype, length = struct.unpack(">HH", data[:4])
            tid = data[4:20]
            body = data[20:20 + length]
            found = {t: (off, v) for t, off, v in attrs(body)}
            log("%s: recv type=0x%04x len=%d attrs=%s" % (
                peer, mtype, length, ",".join("0x%04x" % t for t, _, _ in attrs(body))))
            if mtype != 0x0003:
                continue
            if 0x0008 not in found:
                resp = unauthorized(tid, port)
            else:
                off, mac = found[0x0008]
                ok = mi_ok(key, data, off, mac)
                log("  MESSAGE-INTEGRITY with MD5(user:realm:pass), pad64: %s" % ("ok" if ok else "MISMATCH"))
                resp = allocated(tid, peer, key)
            conn.sendall(struct.pack(">BBH", 0x02, 0, len(resp)) + resp)
    except (EOFError, ConnectionError):
        pass
    finally:
        conn.close()


def client_hello(form):
    rnd = hashlib.sha256(b"msstun pseudo-TLS client random " + form.encode()).digest()
    if form == "sslv2":
        specs = b"".join(struct.pack(">I", c)[1:] for c in (
            0x010080, 0x030080, 0x0700C0, 0x060040, 0x020080, 0x040080, 0x000004, 0x00FEFF, 0x00000A,
            0x00FEFE, 0x000009, 0x000064, 0x000062, 0x000003, 0x000006))
        body = b"\x01\x03\x01" + struct.pack(">HHH", len(specs), 0, 16) + specs + rnd[:16]
        return struct.pack(">H", 0x8000 | len(body)) + body
    body = b"\x03\x01" + rnd + b"\x00" + b"\x00\x02\x00\x18" + b"\x01\x00"
    msg = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(msg)) + msg


def frame(ftype, payload):
    return struct.pack(">BBH", ftype, 0, len(payload)) + payload


def recv_frame(conn):
    ftype, _, flen = struct.unpack(">BBH", recv_exact(conn, 4))
    return ftype, recv_exact(conn, flen)


def client(addr, port, user, password, form):
    key = long_term_key(user, password)
    conn = socket.create_connection((addr, port))
    conn.sendall(client_hello(form))
    head = recv_exact(conn, 5)
    hello = head + recv_exact(conn, struct.unpack(">H", head[3:5])[0])
    if head[0] != 0x16:
        log("client: the server answered with TLS record type %d: %s" % (head[0], hello.hex()))
        conn.close()
        return
    log("client: server hello %d bytes" % len(hello))
    version = attr(0x8008, struct.pack(">I", 1))
    tid = hashlib.sha256(b"msstun allocate 1 " + form.encode()).digest()[:16]
    conn.sendall(frame(0x02, build(0x0003, tid, COOKIE_ATTR + version)))
    ftype, resp = recv_frame(conn)
    rtype = struct.unpack(">H", resp[:2])[0]
    log("client: response type 0x%04x" % rtype)
    found = {t: v for t, _, v in attrs(resp[20:])}
    tid = hashlib.sha256(b"msstun allocate 2 " + form.encode()).digest()[:16]
    conn.sendall(frame(0x02, build(0x0003, tid, COOKIE_ATTR + version + attr(0x0006, user) +
                                   attr(0x0015, found[0x0015]) + attr(0x0014, found[0x0014]), key=key)))
    ftype, resp = recv_frame(conn)
    log("client: response type 0x%04x" % struct.unpack(">H", resp[:2])[0])
    conn.sendall(frame(0x03, b"msstun end-to-end data"))
    conn.close()


def main():
    if sys.argv[1] == "client":
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4].encode(), sys.argv[5].encode(), sys.argv[6])
        return
    addr, port = sys.argv[1], int(sys.argv[2])
    user, password = sys.argv[3].encode(), sys.argv[4].encode()
    key = long_term_key(user, password)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    while True:
        conn, peer = s.accept()
        threading.Thread(target=serve, args=(conn, peer, port, key), daemon=True).start()


if __name__ == "__main__":
    main()
