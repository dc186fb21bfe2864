#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small scripted TURN-over-UDP client (RFC 5766 / RFC 8656, long-term
credentials) used by make-captures.sh for the failure captures that
turnutils_uclient cannot provoke.  Only the client is a script: the server
it talks to is the real coturn turnserver.

Every request carries USERNAME/REALM/NONCE/MESSAGE-INTEGRITY (after the first
401 challenge) and FINGERPRINT.  Requests are retransmitted like RFC 5389
says (RTO 0.5 s, doubling) until a response with the same transaction ID
arrives, at most --tries transmissions.

usage: turnclient.py SCENARIO SERVER_IP PORT USER PASS REALM PEER_IP PEER_PORT

scenarios (each starts with Allocate -> 401 -> Allocate -> success):
  chbind-rebind   ChannelBind 0x4000 -> peer, success; ChannelBind 0x4000 ->
                  peer port+1 (same channel, another peer) -> 400 expected;
                  ChannelData on 0x4000 (bound to the first peer)
  chbind-range    ChannelBind with channel 0x3fff (not in 0x4000-0x7fff)
                  -> 400 expected; then nothing more
  refresh-stale   wait STALE seconds (> the server's --stale-nonce), then
                  Refresh(600) with the old nonce -> 438 expected; the client
                  gives up (no retry with the new nonce) and exits
  chbind-badfp    ChannelBind 0x4001 whose FINGERPRINT is wrong (CRC ^ 1);
                  retransmitted; then 3 x ChannelData on 0x4001
  chbind-badmi    ChannelBind 0x4002 whose MESSAGE-INTEGRITY is wrong (last
                  HMAC byte flipped, FINGERPRINT recomputed so it is right);
                  then 3 x ChannelData on 0x4002
Prints one line per message sent/received (to stdout).
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
A_USERNAME, A_MI, A_ERROR, A_LIFETIME = 0x0006, 0x0008, 0x0009, 0x000D
A_CHANNEL, A_PEER, A_REALM, A_NONCE = 0x000C, 0x0012, 0x0014, 0x0015
A_TRANSPORT, A_FP, A_SOFTWARE = 0x0019, 0x8028, 0x8022
SOFTWARE = b"msstun turnclient.py"


def tlv(a_type, value):
    return struct.pack("!HH", a_type, len(value)) + value + b"\0" * ((-len(value)) % 4)


def xor_addr(ip, port):
    x_port = port ^ (COOKIE >> 16)
    x_ip = struct.unpack("!I", socket.inet_aton(ip))[0] ^ COOKIE
    return struct.pack("!BBHI", 0, 1, x_port, x_ip)


def build(msg_type, tid, attrs, key=None, bad_mi=False, bad_fp=False):
    body = b"".join(tlv(t, v) for t, v in attrs)
    if key is not None:
        hdr = struct.pack("!HHI", msg_type, len(body) + 24, COOKIE) + tid
        mac = bytearray(hmac.new(key, hdr + body, hashlib.sha1).digest())
        if bad_mi:
            mac[-1] ^= 0x01
        body += tlv(A_MI, bytes(mac))
    hdr = struct.pack("!HHI", msg_type, len(body) + 8, COOKIE) + tid
    crc = (zlib.crc32(hdr + body) & 0xFFFFFFFF) ^ 0x5354554E
    if bad_fp:
        crc ^= 0x00000001
    return hdr + body + tlv(A_FP, struct.pack("!I", crc))


def parse(data):
    if len(data) < 20:
        return None
    mtype, length, cookie = struct.unpack("!HHI", data[:8])
    attrs, i, body = {}, 0, data[20:20 + length]
    while i + 4 <= len(body):
        t, n = struct.unpack("!HH", body[i:i + 4])
        attrs.setdefault(t, body[i + 4:i + 4 + n])
        i += 4 + n + ((-n) % 4)
    return mtype, data[8:20], attrs


class Client:
    def __init__(self, server, port, user, password, realm):
        self.addr = (server, port)
        self.user, self.realm = user.encode(), realm.encode()
        self.key = hashlib.md5(self.user + b":" + self.realm + b":" + password.encode()).digest()
        self.nonce = None
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))

    def auth_attrs(self):
        return [(A_USERNAME, self.user), (A_REALM, self.realm), (A_NONCE, self.nonce)]

    def transact(self, name, msg_type, attrs, auth=True, tries=7, **bad):
        """Send a request, retransmit until a response with its TID arrives."""
        tid = os.urandom(12)
        attrs = list(attrs) + [(A_SOFTWARE, SOFTWARE)]
        if auth:
            msg = build(msg_type, tid, attrs + self.auth_attrs(), self.key, **bad)
        else:
            msg = build(msg_type, tid, attrs, **bad)
        rto = 0.5
        for n in range(tries):
            self.sock.sendto(msg, self.addr)
            print(f"sent {name} tid={tid.hex()} try={n + 1}", flush=True)
            deadline = time.monotonic() + rto
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.sock.settimeout(left)
                try:
                    data, _ = self.sock.recvfrom(4096)
                except socket.timeout:
                    break
                p = parse(data)
                if p and p[1] == tid:
                    mtype, _, ra = p
                    code = None
                    if A_ERROR in ra and len(ra[A_ERROR]) >= 4:
                        code = ra[A_ERROR][2] * 100 + ra[A_ERROR][3]
                    if A_NONCE in ra:
                        self.nonce = ra[A_NONCE]
                    print(f"recv 0x{mtype:04x} for {name} code={code} "
                          f"reason={ra.get(A_ERROR, b'    ')[4:].decode(errors='replace')!r}",
                          flush=True)
                    return mtype, code, ra
            rto *= 2
        print(f"no response to {name} after {tries} transmissions", flush=True)
        return None, None, {}

    def allocate(self):
        req = [(A_TRANSPORT, bytes([17, 0, 0, 0])), (A_LIFETIME, struct.pack("!I", 600))]
        _, code, _ = self.transact("Allocate", 0x0003, req, auth=False)
        if code != 401:
            sys.exit(f"expected 401, got {code}")
        mtype, code, _ = self.transact("Allocate", 0x0003, req)
        if mtype != 0x0103:
            sys.exit(f"Allocate failed: {code}")

    def channel_bind(self, chan, peer, **bad):
        attrs = [(A_CHANNEL, struct.pack("!HH", chan, 0)), (A_PEER, xor_addr(*peer))]
        return self.transact(f"ChannelBind 0x{chan:04x}", 0x0009, attrs, **bad)

    def channel_data(self, chan, count=3):
        for k in range(count):
            payload = b"msstun channel data %d " % k
            payload += b"." * ((-len(payload)) % 4)
            self.sock.sendto(struct.pack("!HH", chan, len(payload)) + payload, self.addr)
            print(f"sent ChannelData 0x{chan:04x} {len(payload)} bytes", flush=True)
            time.sleep(0.1)
        self.sock.settimeout(0.5)
        try:
            while True:
                data, _ = self.sock.recvfrom(4096)
                print(f"recv {len(data)} bytes, first word 0x{data[:2].hex()}", flush=True)
        except socket.timeout:
            pass


def main():
    scenario, server, port, user, password, realm, peer_ip, peer_port = sys.argv[1:9]
    peer = (peer_ip, int(peer_port))
    c = Client(server, int(port), user, password, realm)
    c.allocate()
    if scenario == "chbind-rebind":
        c.channel_bind(0x4000, peer)
        c.channel_bind(0x4000, (peer_ip, peer[1] + 1))
        c.channel_data(0x4000)
    elif scenario == "chbind-range":
        c.channel_bind(0x3FFF, peer)
    elif scenario == "refresh-stale":
        time.sleep(float(os.environ.get("STALE", "2.5")))
        c.transact("Refresh", 0x0004, [(A_LIFETIME, struct.pack("!I", 600))])
        print("giving up (no retry with the new nonce)", flush=True)
    elif scenario == "chbind-badfp":
        c.channel_bind(0x4001, peer, tries=3, bad_fp=True)
        c.channel_data(0x4001)
    elif scenario == "chbind-badmi":
        c.channel_bind(0x4002, peer, tries=3, bad_mi=True)
        c.channel_data(0x4002)
    else:
        sys.exit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    main()
