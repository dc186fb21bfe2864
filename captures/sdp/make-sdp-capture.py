#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build captures/sdp/sip-sdp-ice-rfc5245-udp.pcap: a SIP INVITE / 200 OK
(UDP 5060) whose SDP carries the ICE credentials of the libnice run, followed
by the frames of captures/libnice/ice-rfc5245-udp.pcap (mergecap -a, SIP first).

The INVITE (agent L) puts a=ice-ufrag / a=ice-pwd at media level, the 200 OK
(agent R) at session level, so both places are exercised. Deterministic:
standard library + mergecap; running it again gives the same bytes.
Usage: python3 captures/sdp/make-sdp-capture.py"""
import os
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ICE = os.path.join(HERE, "..", "libnice", "ice-rfc5245-udp.pcap")
OUT = os.path.join(HERE, "sip-sdp-ice-rfc5245-udp.pcap")

L = ("msstunLufrag", "msstunLpasswordLLLLLLLL", 40000)
R = ("msstunRufrag", "msstunRpasswordRRRRRRRR", 40002)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_frame(src, dst, sport, dport, payload, ip_id):
    sip, dip = bytes(src), bytes(dst)
    ulen = 8 + len(payload)
    pseudo = sip + dip + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    uc = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", uc) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, ip_id, 0x4000, 64, 17, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\0" * 12 + b"\x08\x00" + ip + udp   # zero MACs, as dumpcap on lo


def sdp(agent, session_level):
    ufrag, pwd, port = agent
    ice = [f"a=ice-ufrag:{ufrag}", f"a=ice-pwd:{pwd}"]
    lines = ["v=0", f"o=- {port} 1 IN IP4 127.0.0.1", "s=msstun", "c=IN IP4 127.0.0.1", "t=0 0"]
    if session_level:
        lines += ice
    lines += [f"m=audio {port} RTP/AVP 0", "a=rtpmap:0 PCMU/8000"]
    if not session_level:
        lines += ice
    lines += [f"a=candidate:1 1 UDP 2130706431 127.0.0.1 {port} typ host"]
    return ("\r\n".join(lines) + "\r\n").encode()


def sip(first, headers, body):
    hdr = [first] + headers + ["Content-Type: application/sdp", f"Content-Length: {len(body)}"]
    return ("\r\n".join(hdr) + "\r\n\r\n").encode() + body


def main():
    common = ["Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKmsstun1",
              "From: <sip:l@127.0.0.1>;tag=ltag", "To: <sip:r@127.0.0.1>{totag}",
              "Call-ID: msstun-sdp-ice@127.0.0.1", "CSeq: 1 INVITE", "Contact: <sip:{who}@127.0.0.1:{port}>"]
    inv = sip("INVITE sip:r@127.0.0.1 SIP/2.0",
              [h.format(totag="", who="l", port=5062) for h in common] + ["Max-Forwards: 70"],
              sdp(L, session_level=False))
    ok = sip("SIP/2.0 200 OK", [h.format(totag=";tag=rtag", who="r", port=5060) for h in common], sdp(R, session_level=True))
    lo = [127, 0, 0, 1]
    frames = [udp_frame(lo, lo, 5062, 5060, inv, 0x5001), udp_frame(lo, lo, 5060, 5062, ok, 0x5002)]

    # timestamps: 200 ms and 100 ms before the first libnice frame
    with open(ICE, "rb") as f:
        f.seek(24)
        sec, usec = struct.unpack("<II", f.read(8))
    t0 = sec * 1000000 + usec - 200000
    with tempfile.TemporaryDirectory() as tmp:
        sip_pcap = os.path.join(tmp, "sip.pcap")
        with open(sip_pcap, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i, fr in enumerate(frames):
                t = t0 + i * 100000
                f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
        subprocess.run(["mergecap", "-F", "pcap", "-a", "-w", OUT, sip_pcap, ICE], check=True)
    print(OUT)


if __name__ == "__main__":
    main()
