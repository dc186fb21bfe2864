#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes not-stun.pcap: what shares the STUN/TURN ports without being STUN
(issue 12), and [MS-TURN] 0xFF10 multiplexed TURN on Teams' media ports.

The DTLS ClientHello and the SRTP packet are real: the first datagrams of
each kind that webrtcbin sent in webrtc-direct.pcap (read with tshark). The
rest are stand-ins built here, since no real software of those vendors runs
on this machine: a 'health' ping and a text line as a messenger sends them,
a vendor blob whose first two bits are 00 and whose 'length' runs past the
datagram, a blob that fills the datagram but whose 'attributes' do not tile,
a QUIC long header, and, as the positive cases, a STUN message whose length
runs past the datagram (the cookie says it is STUN: shown as truncated) and
0xFF10 frames on UDP 3479/3480 with no [MS-TURN] message before them.

Frames (client 192.0.2.10, server 192.0.2.20):
   1 DTLS ClientHello           40000 -> 3478   not msstun (DTLS)
   2 'health'                   40001 -> 3478   not msstun
   3 text line                  40002 -> 3478   not msstun
   4 vendor blob, length past   40003 -> 3478   not msstun
   5 vendor blob, no tiling     40004 -> 3478   not msstun
   6 SRTP (webrtcbin)           40005 -> 3478   not msstun
   7 QUIC long header           40006 -> 3478   not msstun
   8 DTLS ClientHello           40007 -> 3479   not msstun (DTLS)
   9 STUN, length past datagram 40008 -> 3478   msstun (truncated message)
  10 0xFF10, 160 bytes of RTP   40009 -> 3479   msstun, session 0x0102030405060708
  11 0xFF10 back                3479 -> 40009   msstun
  12 0xFF10                     40010 -> 3480   msstun, session 0x1112131415161718
  13 SRTP (webrtcbin)           40011 -> 3480   not msstun

Usage: make-not-stun.py   (writes not-stun.pcap next to this script)
"""
import os
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT, SERVER = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 20])


def first_payload(filt):
    out = subprocess.run(["tshark", "-r", os.path.join(HERE, "webrtc-direct.pcap"), "--disable-protocol", "msstun",
                          "-Y", filt, "-T", "fields", "-e", "udp.payload"],
                         capture_output=True, text=True, check=True).stdout.split()
    return bytes.fromhex(out[0].replace(":", ""))


def udp(payload, sport, dport, up=True):
    src, dst = (CLIENT, SERVER) if up else (SERVER, CLIENT)
    l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, 17, 0, src, dst)
    return b"\x02\x00" + dst + b"\x02\x00" + src + b"\x08\x00" + ip + l4


def main():
    hello = first_payload("dtls.record.content_type == 22")
    srtp = first_payload("udp.length > 100 && !dtls && !stun && !ssdp")
    assert hello[0] == 22 and 128 <= srtp[0] <= 191
    rtp = struct.pack("!BBHII", 0x80, 0, 1, 160, 0x11223344) + b"\xd5" * 160
    frames = [
        udp(hello, 40000, 3478),
        udp(b"health", 40001, 3478),
        udp(b"Hello, is the relay up?\r\n", 40002, 3478),
        udp(struct.pack("!HH", 0x0017, 0x0100) + bytes(range(20)), 40003, 3478),
        udp(struct.pack("!HH", 0x0001, 8) + bytes(range(100, 116)) + struct.pack("!HH", 0x0006, 40) + b"abcd",
            40004, 3478),
        udp(srtp, 40005, 3478),
        udp(b"\xc3\x00\x00\x00\x01\x08" + bytes(range(8)) + b"\x00\x00\x41\x00" + bytes(60), 40006, 3478),
        udp(hello, 40007, 3479),
        udp(struct.pack("!HHI", 0x0001, 0x0040, 0x2112A442) + bytes(range(12)) + struct.pack("!HH", 0x0006, 4) + b"user",
            40008, 3478),
        udp(struct.pack("!HHQ", 0xFF10, 8 + len(rtp), 0x0102030405060708) + rtp, 40009, 3479),
        udp(struct.pack("!HHQ", 0xFF10, 8 + len(rtp), 0x0102030405060708) + rtp, 3479, 40009, up=False),
        udp(struct.pack("!HHQ", 0xFF10, 8 + len(rtp), 0x1112131415161718) + rtp, 40010, 3480),
        udp(srtp, 40011, 3480),
    ]
    path = os.path.join(HERE, "not-stun.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, data in enumerate(frames):
            f.write(struct.pack("<IIII", 1767225600, i * 1000, len(data), len(data)))
            f.write(data)
    print(f"wrote {path} ({len(frames)} frames)")


if __name__ == "__main__":
    main()
