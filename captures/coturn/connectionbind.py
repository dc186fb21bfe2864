#!/usr/bin/env python3
"""Send one RFC 6062 ConnectionBind request with a chosen CONNECTION-ID on a new
TCP connection and print the reply (used by make-captures.sh for
bad-connection-id.pcap: coturn's answer to an unknown connection id).

usage: connectionbind.py SERVER_IP PORT CONNECTION_ID_HEX
The CONNECTION-ID value is written as the 4 bytes given (wire order).
"""
import os
import socket
import struct
import sys
import zlib

COOKIE = 0x2112A442


def stun_message(msg_type, attrs):
    """attrs: list of (type, value bytes); adds FINGERPRINT."""
    tid = os.urandom(12)
    body = b""
    for a_type, value in attrs:
        pad = (-len(value)) % 4
        body += struct.pack("!HH", a_type, len(value)) + value + b"\0" * pad
    # FINGERPRINT covers the header with the length already including it
    hdr = struct.pack("!HHI", msg_type, len(body) + 8, COOKIE) + tid
    crc = (zlib.crc32(hdr + body) & 0xFFFFFFFF) ^ 0x5354554E
    return hdr + body + struct.pack("!HHI", 0x8028, 4, crc)


def main():
    server, port, cid_hex = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    cid = bytes.fromhex(cid_hex)
    msg = stun_message(0x000B, [(0x002A, cid)])  # ConnectionBind request
    with socket.create_connection((server, port), timeout=3) as s:
        s.sendall(msg)
        try:
            reply = s.recv(2048)
        except OSError as e:  # e.g. connection reset
            print(f"CONNECTION-ID {cid_hex}: {e}")
            return
        if len(reply) >= 20:
            mtype, = struct.unpack("!H", reply[:2])
            print(f"CONNECTION-ID {cid_hex}: reply type 0x{mtype:04x}, {len(reply)} bytes")
        else:
            print(f"CONNECTION-ID {cid_hex}: connection closed ({len(reply)} bytes)")


if __name__ == "__main__":
    main()
