# SPDX-License-Identifier: GPL-2.0-or-later
"""msstun claims only STUN (issue 12): what shares a STUN 5-tuple or port
without being STUN goes where Wireshark sends it without msstun.

Captures (captures/webrtc/README.md): WebRTC calls between two GStreamer
webrtcbin peers (libnice, DTLS-SRTP Opus), directly and through coturn over
UDP and TCP; not-stun.pcap, what else reaches ports 3478-3480.
"""
import pytest

from conftest import _run, capture, fields

WEBRTC = ["webrtc/webrtc-direct.pcap", "webrtc/webrtc-turn-udp.pcap", "webrtc/webrtc-turn-tcp.pcap"]
MEDIA = {"dtls", "rtp", "rtcp"}


def protocols(cap, extra=(), two_pass=True):
    rows = fields(cap, ["frame.number", "frame.protocols", "srtp.auth_tag", "srtcp.auth_tag", "rtp.version",
                        "udp.port", "tcp.port"], extra=list(extra), two_pass=two_pass)
    return {int(r["frame.number"]): r for r in rows}


@pytest.mark.parametrize("cap", WEBRTC)
def test_webrtc_media_decoded_as_without_msstun(cap):
    builtin = protocols(cap, ["--disable-protocol", "msstun"])
    ours = protocols(cap)
    lost = [(n, r["frame.protocols"], ours[n]["frame.protocols"]) for n, r in builtin.items()
            if MEDIA & set(r["frame.protocols"].split(":")) - set(ours[n]["frame.protocols"].split(":"))]
    assert not lost, f"frames the built-in decodes as DTLS/RTP/RTCP that msstun does not: {lost[:10]}"
    dtls = sum("dtls" in r["frame.protocols"].split(":") for r in builtin.values())
    assert dtls >= 15, f"{cap}: the call has a DTLS handshake ({dtls} frames)"


@pytest.mark.parametrize("cap", WEBRTC[1:])
def test_webrtc_relayed_srtp_is_not_clear_rtp(cap):
    # the DTLS-SRTP handshake inside TURN set the flow up as SRTP: every RTP
    # packet shows its authentication tag, every RTCP one is SRTCP
    ours = protocols(cap)
    rtp = [r for r in ours.values() if "rtp" in r["frame.protocols"].split(":")]
    relayed = [r for r in rtp if "msstun" in r["frame.protocols"].split(":")]
    assert len(relayed) > 300, f"{cap}: SRTP relayed through TURN is handed to RTP ({len(relayed)} frames)"
    # from 4.4 RTP itself hands DTLS on by its first byte (RFC 7983): "rtp:dtls"
    # is the handshake, not clear RTP
    clear = [r["frame.number"] for r in rtp if not r["srtp.auth_tag"] and "rtcp" not in r["frame.protocols"]
             and "rtp:dtls" not in r["frame.protocols"]]
    assert not clear, f"{cap}: SRTP shown as clear RTP in frames {clear[:10]}"
    rtcp = [r for r in ours.values() if "rtcp" in r["frame.protocols"].split(":")]
    assert rtcp and all(r["srtcp.auth_tag"] for r in rtcp), f"{cap}: SRTCP parsed as clear RTCP"
    # the client <-> server 5-tuples: RTP is never tried on a TURN frame (the
    # relayed DTLS-SRTP setup registers RTP for these addresses too)
    turn = [r for r in ours.values() if "3478" in (r["udp.port"] + "," + r["tcp.port"]).split(",")]
    tried = [r["frame.number"] for r in turn if set(r["rtp.version"].split(",")) - {"", "2"}]
    assert not tried, f"RTP tried on TURN frames {tried[:10]}"


@pytest.mark.parametrize("cap", WEBRTC[1:])
def test_webrtc_peer_leg_between_two_allocations(cap):
    # Both peers relay through one coturn on one host, so the peer leg runs from
    # one allocation's relayed address to the other's, and the relayed DTLS
    # ClientHello makes the DTLS dissector register RTP on the flow's ports.
    # Each 5-tuple stays on the leg its first datagram took: in both directions
    # (a check is answered on the leg it went out on) and in both passes.
    one, two = protocols(cap, two_pass=False), protocols(cap)
    assert {n: r["frame.protocols"] for n, r in one.items()} == {n: r["frame.protocols"] for n, r in two.items()}
    leg = [r for r in two.values() if r["udp.port"] and "3478" not in r["udp.port"].split(",")]
    assert len(leg) > 300, len(leg)
    off = [r["frame.number"] for r in leg if "msstun" not in r["frame.protocols"].split(":")]
    assert not off, f"{cap}: peer-leg datagrams without the relay: frames {off[:10]}"
    if cap == "webrtc/webrtc-turn-udp.pcap":
        r = fields(cap, ["msstun.response-in", "_ws.col.Info"], filt="frame.number == 48")[0]
        assert r["msstun.response-in"] == "51", r
    info = fields(cap, ["frame.number", "_ws.col.Info"], filt="msstun")
    doubled = [r["frame.number"] for r in info if " | , " in r["_ws.col.Info"]]
    assert not doubled, f"{cap}: Info reads ' | , ' in frames {doubled[:10]}"
    assert any(r["_ws.col.Info"].startswith("Relayed (allocation ") and " | Client Hello" in r["_ws.col.Info"]
               for r in info)


@pytest.mark.parametrize("cap", WEBRTC)
def test_webrtc_healthy_call_has_no_msstun_error(cap):
    out = _run(["-n", "-2", "-r", capture(cap), "-q", "-z", "expert,error"])
    assert "MSSTUN" not in out.upper().replace("MS-STUN", ""), out
    rows = fields(cap, ["_ws.malformed", "_ws.expert.message"], filt="msstun && _ws.malformed")
    assert not rows, rows[:5]


@pytest.mark.parametrize("cap", WEBRTC)
def test_webrtc_ice_checks_decoded(cap):
    rows = fields(cap, ["frame.number", "msstun.type", "msstun.att.username", "msstun.response-in"],
                  filt="msstun.type == 0x0001")
    assert len(rows) >= 2 and all(r["msstun.att.username"] for r in rows)
    assert any(r["msstun.response-in"] for r in rows)


NOT_STUN = "webrtc/not-stun.pcap"


def test_not_stun_on_stun_ports_is_not_claimed():
    builtin = protocols(NOT_STUN, ["--disable-protocol", "msstun"])
    ours = protocols(NOT_STUN)
    for n in (1, 2, 3, 4, 5, 6, 7, 8, 13):
        assert "msstun" not in ours[n]["frame.protocols"].split(":"), (n, ours[n]["frame.protocols"])
        # ... and goes where it goes without msstun (DTLS, data, QUIC, the built-in classicstun)
        assert ours[n]["frame.protocols"] == builtin[n]["frame.protocols"], n
    assert ours[1]["frame.protocols"].endswith(":dtls") and ours[8]["frame.protocols"].endswith(":dtls")
    assert ours[2]["frame.protocols"].endswith(":data") and ours[6]["frame.protocols"].endswith(":data")


def test_not_stun_no_msstun_expert():
    rows = fields(NOT_STUN, ["frame.number", "_ws.expert.message"], filt="frame.number <= 8 || frame.number == 13")
    msgs = [r for r in rows if r["_ws.expert.message"] and "STUN" in r["_ws.expert.message"].upper()]
    assert not msgs, msgs


def test_truncated_stun_on_the_port_is_shown_as_such():
    r = fields(NOT_STUN, ["frame.number", "frame.protocols", "msstun.att.username", "_ws.expert.message"],
               filt="frame.number == 9")[0]
    assert r["frame.protocols"].endswith(":msstun")
    assert r["msstun.att.username"] == "user"
    assert "Message length 64 goes past the end of the packet" in r["_ws.expert.message"]


def test_teams_multiplexed_turn_ports_without_decode_as():
    rows = {int(r["frame.number"]): r for r in fields(
        NOT_STUN, ["frame.number", "udp.port", "msstun.channel", "msstun.att.ms.turn_session_id", "rtp.ssrc"],
        filt="msstun")}
    assert sorted(rows) == [9, 10, 11, 12]
    for n, sid in ((10, "0x0102030405060708"), (11, "0x0102030405060708"), (12, "0x1112131415161718")):
        assert rows[n]["msstun.channel"] == "0xff10"
        assert rows[n]["msstun.att.ms.turn_session_id"] == sid
        assert rows[n]["rtp.ssrc"] == "0x11223344"      # the RTP inside, by RFC 7983
    assert "3479" in rows[10]["udp.port"] and "3480" in rows[12]["udp.port"]


def test_teams_ports_registered():
    out = _run(["-G", "decodes"])
    ports = {l.split("\t")[1] for l in out.splitlines()
             if l.split("\t")[0] in ("udp.port", "tcp.port") and l.endswith("msstun")}
    assert {"3478", "3479", "3480", "3481"} <= ports, ports


def test_rfc6062_tcp_peer_leg_carries_connection_id():
    # the TURN server's view: the peer's TCP connection to the relayed address
    # 127.0.0.2:50312 is tied to CONNECTION-ID 0x1151a400 and allocation 1
    cap = "fieldcase/fieldcase-both-legs.pcap"
    rows = fields(cap, ["frame.number", "tcp.srcport", "tcp.dstport", "msstun.rfc6062.connection_id", "msstun.alloc",
                        "msstun.rfc6062.announced_in", "msstun.type", "frame.protocols"],
                  filt="tcp.port == 50312 && tcp.len > 0")
    assert len(rows) == 14, [r["frame.number"] for r in rows]
    for r in rows:
        assert r["msstun.rfc6062.connection_id"] == "0x1151a400", r
        assert r["msstun.alloc"] == "1" and r["msstun.rfc6062.announced_in"] == "17", r
    checks = [r for r in rows if r["msstun.type"]]
    assert len(checks) == 8                             # the MS-ICE2 checks and answers, as on the client's side
    assert sum(r["frame.protocols"].endswith(":rtp") for r in rows) == 6
    info = _run(["-n", "-2", "-r", capture(cap), "-Y", "frame.number == 26"])
    # the Info column leads with the message, the leg follows
    assert "Binding Request user: msstunLufrag:msstunRufrag (RFC 6062 peer leg 0x1151a400)" in info


def test_rfc6062_tcp_peer_leg_coturn():
    # coturn's own client: the ConnectionAttempt's peer connection is the leg
    cap = "coturn/turn-tcp-relay-rfc6062.pcap"
    legs = fields(cap, ["frame.number", "msstun.rfc6062.connection_id", "tcp.port"],
                  filt="msstun.rfc6062.connection_id && tcp.len > 0 && !(tcp.port == 3478)")
    data = fields(cap, ["frame.number", "msstun.rfc6062.connection_id"],
                  filt="msstun.rfc6062.connection_id && tcp.len > 0 && tcp.port == 3478")
    assert len(legs) >= 4 and data
    # 127.0.0.2:50039 -> 50737: the ConnectionAttempt's peer (announced in frame 44)
    assert {r["msstun.rfc6062.connection_id"] for r in legs} == {"0x86210e00"}
    assert {r["msstun.rfc6062.connection_id"] for r in legs} < {r["msstun.rfc6062.connection_id"] for r in data}
    assert all(set(r["tcp.port"].split(",")) == {"50039", "50737"} for r in legs)
