#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The field case of msstun on a live coturn: a "meeting server" that gets a
TCP allocation (RFC 6062) from a TURN server, and the ICE-TCP checks of a
remote agent that reach it through the relay.

Two roles in one process, run in lock step so the capture is reproducible:

  bridge  the meeting server's TURN client (the role of Cisco Meeting Server
          behind Expressway-E, or a Skype for Business edge user). Control
          connection: Allocate (REQUESTED-TRANSPORT=TCP) -> 401 -> Allocate with
          long-term credentials -> Refresh -> CreatePermission(peer). It waits
          for the ConnectionAttempt, opens a second TCP connection and sends
          ConnectionBind with the CONNECTION-ID; after the success that
          connection carries the peer's bytes.
  peer    the remote ICE agent: a TCP client that connects from PEER_IP to the
          relayed address.

Then the real libnice 0.1.21 OC2007R2 (MS-ICE2) ICE-TCP stream is replayed
through that path, segment by segment, in its original order: the bridge sends
the controlling agent's RFC 4571 frames (L) on the data connection, the peer
sends the controlled agent's frames (R) on its connection to the relay. Each
segment is read completely on the far side (and compared byte for byte) before
the next is sent, so every byte seen on the wire was relayed by coturn.

With --oneway the peer never answers the checks that come through the data
connection (R's success responses and all media are not sent): the ICE check
works in one direction only.

usage: rfc6062_bridge.py [--oneway] FRAMES SERVER_IP PORT CLIENT_IP PEER_IP
FRAMES: one line per TCP segment, "L <hex>" or "R <hex>" (see make-fieldcase.sh).
"""
import hashlib
import hmac
import os
import socket
import struct
import sys
import time
import zlib

COOKIE = 0x2112A442
USER, REALM, PASSWORD = "alice", "example.org", "secret"

# methods / classes
ALLOCATE, REFRESH, CREATE_PERMISSION, CONNECTION_BIND, CONNECTION_ATTEMPT = 0x003, 0x004, 0x008, 0x00B, 0x00C
REQUEST, INDICATION, SUCCESS, ERROR = 0x0000, 0x0010, 0x0100, 0x0110

# attributes
USERNAME, MESSAGE_INTEGRITY, ERROR_CODE, REALM_ATTR, NONCE = 0x0006, 0x0008, 0x0009, 0x0014, 0x0015
LIFETIME, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS = 0x000D, 0x0012, 0x0016
REQUESTED_TRANSPORT, CONNECTION_ID, SOFTWARE, FINGERPRINT = 0x0019, 0x002A, 0x8022, 0x8028

KEY = hashlib.md5(f"{USER}:{REALM}:{PASSWORD}".encode()).digest()
TIMEOUT = 5.0


def log(*a):
    print("[rfc6062_bridge]", *a, flush=True)


def attr(a_type, value):
    return struct.pack("!HH", a_type, len(value)) + value + b"\0" * ((-len(value)) % 4)


def xor_addr(ip, port, tid):
    x = bytes(b ^ c for b, c in zip(socket.inet_aton(ip), struct.pack("!I", COOKIE)))
    return struct.pack("!BBH", 0, 1, port ^ (COOKIE >> 16)) + x


def unxor_addr(value):
    port = struct.unpack("!H", value[2:4])[0] ^ (COOKIE >> 16)
    ip = socket.inet_ntoa(bytes(b ^ c for b, c in zip(value[4:8], struct.pack("!I", COOKIE))))
    return ip, port


def build(msg_type, attrs, auth=None, software=True):
    """attrs: bytes of encoded attributes. auth: nonce (bytes) for long-term
    credentials (USERNAME, REALM, NONCE, MESSAGE-INTEGRITY). Always FINGERPRINT."""
    tid = os.urandom(12)
    body = attrs
    if software:
        body += attr(SOFTWARE, b"msstun fieldcase rfc6062_bridge")
    if auth is not None:
        body += attr(USERNAME, USER.encode()) + attr(REALM_ATTR, REALM.encode()) + attr(NONCE, auth)
        hdr = struct.pack("!HHI", msg_type, len(body) + 24, COOKIE) + tid
        body += attr(MESSAGE_INTEGRITY, hmac.new(KEY, hdr + body, hashlib.sha1).digest())
    hdr = struct.pack("!HHI", msg_type, len(body) + 8, COOKIE) + tid
    crc = (zlib.crc32(hdr + body) & 0xFFFFFFFF) ^ 0x5354554E
    return tid, hdr + body + struct.pack("!HHI", FINGERPRINT, 4, crc)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def recv_stun(sock):
    hdr = recv_exact(sock, 20)
    msg_type, length = struct.unpack("!HH", hdr[:4])
    body = recv_exact(sock, length)
    attrs, off = {}, 0
    while off + 4 <= len(body):
        a_type, a_len = struct.unpack("!HH", body[off:off + 4])
        attrs.setdefault(a_type, body[off + 4:off + 4 + a_len])
        off += 4 + a_len + ((-a_len) % 4)
    return msg_type, hdr[8:20], attrs


def error_code(attrs):
    v = attrs.get(ERROR_CODE)
    return (v[2] & 7) * 100 + v[3] if v else None


class Turn:
    """Long-term-credential TURN requests on one TCP connection."""

    def __init__(self, sock, nonce=None):
        self.sock, self.nonce, self.pending = sock, nonce, []

    def request(self, method, attrs, name):
        for _ in range(3):
            tid, msg = build(method | REQUEST, attrs, auth=self.nonce)
            self.sock.sendall(msg)
            while True:
                mtype, rtid, rattrs = recv_stun(self.sock)
                if rtid == tid:
                    break
                self.pending.append((mtype, rattrs))  # an indication in between
            if mtype == method | SUCCESS:
                log(f"{name}: success")
                return rattrs
            code = error_code(rattrs)
            if code in (401, 438) and NONCE in rattrs:
                log(f"{name}: {code}, retrying with the nonce")
                self.nonce = rattrs[NONCE]
                continue
            raise RuntimeError(f"{name}: error {code}")
        raise RuntimeError(f"{name}: no success after 3 tries")


def main():
    args = sys.argv[1:]
    oneway = "--oneway" in args
    args = [a for a in args if a != "--oneway"]
    frames_file, server, port, client_ip, peer_ip = args[0], args[1], int(args[2]), args[3], args[4]
    frames = []
    with open(frames_file) as f:
        for line in f:
            if line.strip():
                side, hexdata = line.split()
                frames.append((side, bytes.fromhex(hexdata)))
    if oneway:
        # the peer answers nothing that comes through the data connection: keep
        # everything up to L's last Binding request, minus R's segments after L's first
        is_l_req = [s == "L" and d[2:4] == b"\x00\x01" for s, d in frames]
        first, last = is_l_req.index(True), len(is_l_req) - 1 - is_l_req[::-1].index(True)
        frames = [f for i, f in enumerate(frames[:last + 1]) if i < first or f[0] == "L"]

    # 1. control connection: Allocate (401, then authenticated), Refresh, CreatePermission
    ctl = socket.create_connection((server, port), timeout=TIMEOUT, source_address=(client_ip, 0))
    turn = Turn(ctl)
    rattrs = turn.request(ALLOCATE, attr(REQUESTED_TRANSPORT, bytes([6, 0, 0, 0])) + attr(LIFETIME, struct.pack("!I", 600)),
                          "Allocate (TCP)")
    relay = unxor_addr(rattrs[XOR_RELAYED_ADDRESS])
    log(f"relayed address {relay[0]}:{relay[1]}")
    turn.request(REFRESH, attr(LIFETIME, struct.pack("!I", 600)), "Refresh")
    turn.request(CREATE_PERMISSION, attr(XOR_PEER_ADDRESS, xor_addr(peer_ip, 0, None)), "CreatePermission")

    # 2. the peer connects to the relayed address -> ConnectionAttempt
    peer = socket.create_connection(relay, timeout=TIMEOUT, source_address=(peer_ip, 0))
    log(f"peer {peer.getsockname()[0]}:{peer.getsockname()[1]} connected to the relayed address")
    if turn.pending:
        mtype, ind = turn.pending.pop(0)
    else:
        mtype, _, ind = recv_stun(ctl)
    if mtype != CONNECTION_ATTEMPT | INDICATION:
        raise RuntimeError(f"expected ConnectionAttempt, got 0x{mtype:04x}")
    cid = ind[CONNECTION_ID]
    log(f"ConnectionAttempt: CONNECTION-ID {cid.hex()}, peer {unxor_addr(ind[XOR_PEER_ADDRESS])}")

    # 3. data connection: ConnectionBind
    data = socket.create_connection((server, port), timeout=TIMEOUT, source_address=(client_ip, 0))
    Turn(data, turn.nonce).request(CONNECTION_BIND, attr(CONNECTION_ID, cid), "ConnectionBind")

    # 4. the ICE-TCP stream through the relay, in lock step
    sent = 0
    for side, seg in frames:
        src, dst = (data, peer) if side == "L" else (peer, data)
        src.sendall(seg)
        got = recv_exact(dst, len(seg))
        if got != seg:
            raise RuntimeError("relayed bytes differ")
        sent += 1
        time.sleep(0.02)
    log(f"{sent} segments relayed ({'one-way' if oneway else 'both ways'})")
    if oneway:
        time.sleep(1.0)  # nothing answers L's checks

    # 5. close: data and peer connections, then Refresh(0) on the control connection
    data.close()
    time.sleep(0.2)
    peer.close()
    time.sleep(0.2)
    turn.request(REFRESH, attr(LIFETIME, struct.pack("!I", 0)), "Refresh (lifetime 0)")
    ctl.close()

if __name__ == "__main__":
    main()
