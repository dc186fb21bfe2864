#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Scripted TURN-over-TLS client for coturn (captures/tls/make-captures.sh),
for what turnutils_uclient cannot do: a TLS session without ALPN, and ICE
connectivity checks (RFC 4571-framed STUN Binding requests, as Skype for
Business / Cisco Meeting Server send them) inside an RFC 6062 data connection.
coturn is the real server; this client and peer are stand-ins.  The TLS
secrets go to SSLKEYLOGFILE (Python's ssl keylog_filename).

  noalpn  ADDR PORT USER PASS         Binding, then Allocate (401, success),
                                      Refresh lifetime 0, over TLS without ALPN;
                                      the Binding request goes in two TLS
                                      records, each Allocate in three
  rfc6062 ADDR PORT USER PASS PEER    Allocate TCP, CreatePermission, Connect
                                      to PEER (ip:port), ConnectionBind on a
                                      second TLS connection, then 3 framed
                                      Binding requests through the relay; PEER
                                      is served here too: it answers each and
                                      sends a check of its own, answered too
"""
import hashlib
import hmac
import os
import socket
import ssl
import struct
import sys
import threading
import zlib

COOKIE = 0x2112A442
ICE_PWD = b"msstunLpasswordLLLLLLLL"   # short-term key of the checks (the peer's ICE password)


def tid(label):
    return hashlib.sha256(label.encode()).digest()[:12]


def attr(t, v):
    return struct.pack(">HH", t, len(v)) + v + b"\0" * (-len(v) % 4)


def xaddr(ip, port):
    return struct.pack(">BBH", 0, 1, port ^ (COOKIE >> 16)) + bytes(
        a ^ b for a, b in zip(socket.inet_aton(ip), struct.pack(">I", COOKIE)))


def message(mtype, t, body, key=None, fingerprint=False):
    if key is not None:
        head = struct.pack(">HHI", mtype, len(body) + 24, COOKIE) + t + body
        body += attr(0x0008, hmac.new(key, head, hashlib.sha1).digest())
    if fingerprint:
        head = struct.pack(">HHI", mtype, len(body) + 8, COOKIE) + t + body
        body += attr(0x8028, struct.pack(">I", (zlib.crc32(head) ^ 0x5354554E) & 0xFFFFFFFF))
    return struct.pack(">HHI", mtype, len(body), COOKIE) + t + body


def parse(msg):
    mtype, length = struct.unpack(">HH", msg[:4])
    out, i, body = {}, 0, msg[20:20 + length]
    while i + 4 <= len(body):
        t, n = struct.unpack(">HH", body[i:i + 4])
        out.setdefault(t, body[i + 4:i + 4 + n])
        i += 4 + n + (-n % 4)
    return mtype, out


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def recv_stun(s):
    head = recv_exact(s, 20)
    return head + recv_exact(s, struct.unpack(">H", head[2:4])[0])


def tls_connect(addr, port):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if os.environ.get("SSLKEYLOGFILE"):
        ctx.keylog_filename = os.environ["SSLKEYLOGFILE"]
    return ctx.wrap_socket(socket.create_connection((addr, port)))


def log(*a):
    print(*a, flush=True)


class Turn:
    def __init__(self, s, user, password):
        self.s, self.user, self.password = s, user, password
        self.key = self.realm = self.nonce = None

    def ask(self, mtype, label, body=b"", cuts=()):
        auth = b""
        if self.key:
            auth = attr(0x0006, self.user) + attr(0x0014, self.realm) + attr(0x0015, self.nonce)
        msg = message(mtype, tid(label), body + auth, key=self.key, fingerprint=True)
        # cuts: one TLS record per piece (a message split across records)
        for a, b in zip((0,) + tuple(cuts), tuple(cuts) + (len(msg),)):
            self.s.sendall(msg[a:b])
        rtype, attrs = parse(recv_stun(self.s))
        log("%s: 0x%04x -> 0x%04x" % (label, mtype, rtype))
        if rtype & 0x0110 == 0x0110 and 0x0014 in attrs and not self.key:
            self.realm, self.nonce = attrs[0x0014], attrs[0x0015]
            self.key = hashlib.md5(self.user + b":" + self.realm + b":" + self.password).digest()
            return self.ask(mtype, label + " retry", body, cuts)
        return rtype, attrs


def noalpn(addr, port, user, password):
    s = tls_connect(addr, port)
    t = Turn(s, user, password)
    t.ask(0x0001, "binding", cuts=(7,))                 # header split over two records
    t.ask(0x0003, "allocate", attr(0x0019, b"\x11\0\0\0"), cuts=(30, 60))
    t.ask(0x0004, "refresh", attr(0x000D, struct.pack(">I", 0)))
    s.close()


def peer_server(ip, port, ready):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ip, port))
    srv.listen(1)
    ready.set()
    conn, frm = srv.accept()
    log("peer: connection from %s:%d" % frm)
    checks = 0
    try:
        while True:
            n = struct.unpack(">H", recv_exact(conn, 2))[0]
            req = recv_exact(conn, n)
            mtype, attrs = parse(req)
            log("peer: framed STUN 0x%04x" % mtype)
            if mtype == 0x0001:
                rsp = message(0x0101, req[8:20], attr(0x0020, xaddr(frm[0], frm[1])), key=ICE_PWD,
                              fingerprint=True)
                conn.sendall(struct.pack(">H", len(rsp)) + rsp)
                # and a check of its own the other way (the controlled side)
                chk = message(0x0001, tid("peer check %d" % checks),
                              attr(0x0006, b"msstunL:msstunR") + attr(0x0024, struct.pack(">I", 0x6E7F1EFE)) +
                              attr(0x8029, struct.pack(">Q", 0x8877665544332211)), key=ICE_PWD, fingerprint=True)
                conn.sendall(struct.pack(">H", len(chk)) + chk)
                checks += 1
    except (EOFError, ConnectionError):
        pass
    conn.close()
    srv.close()


def rfc6062(addr, port, user, password, peer):
    pip, pport = peer.rsplit(":", 1)
    pport = int(pport)
    ready = threading.Event()
    th = threading.Thread(target=peer_server, args=(pip, pport, ready), daemon=True)
    th.start()
    ready.wait(5)
    ctl = tls_connect(addr, port)
    t = Turn(ctl, user, password)
    t.ask(0x0003, "allocate tcp", attr(0x0019, b"\x06\0\0\0"))
    t.ask(0x0008, "permission", attr(0x0012, xaddr(pip, pport)))
    rtype, attrs = t.ask(0x000A, "connect", attr(0x0012, xaddr(pip, pport)))
    cid = attrs[0x002A]
    data = tls_connect(addr, port)
    d = Turn(data, user, password)
    d.key, d.realm, d.nonce = t.key, t.realm, t.nonce
    d.ask(0x000B, "connectionbind", attr(0x002A, cid))
    # ICE checks in RFC 4571 framing through the bound data connection
    ufrag = b"msstunR:msstunL"
    for i in range(3):
        req = message(0x0001, tid("check %d" % i),
                      attr(0x0006, ufrag) + attr(0x0024, struct.pack(">I", 0x6E7F1EFF)) +
                      attr(0x802A, struct.pack(">Q", 0x1122334455667788)),
                      key=ICE_PWD, fingerprint=True)
        data.sendall(struct.pack(">H", len(req)) + req)
        for _ in range(2):        # the answer, then the peer's own check
            n = struct.unpack(">H", recv_exact(data, 2))[0]
            msg = recv_exact(data, n)
            rtype, _ = parse(msg)
            log("check %d: 0x%04x" % (i, rtype))
            if rtype == 0x0001:
                rsp = message(0x0101, msg[8:20], attr(0x0020, xaddr(pip, pport)), key=ICE_PWD, fingerprint=True)
                data.sendall(struct.pack(">H", len(rsp)) + rsp)
    data.close()
    t.ask(0x0004, "refresh", attr(0x000D, struct.pack(">I", 0)))
    ctl.close()
    th.join(2)


def main():
    mode, addr, port, user, password = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        sys.argv[4].encode(), sys.argv[5].encode()
    if mode == "noalpn":
        noalpn(addr, port, user, password)
    else:
        rfc6062(addr, port, user, password, sys.argv[6])


if __name__ == "__main__":
    main()
