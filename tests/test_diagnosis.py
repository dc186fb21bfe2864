# SPDX-License-Identifier: GPL-2.0-or-later
"""The diagnosis: one model of the media path (plugin/media_path.c) read by
the expert infos, `-z msstun,diag` and its JSON form. Verdicts are checked
on captures of real software (captures/*/README.md say what happened in each),
healthy ones and failing ones, and the experts against the elements."""
import glob
import json
import os
import re

import pytest

from conftest import WORK, _run, capture, fields


def diag(pcap, extra=()):
    return _run(["-n", "-2", "-q", "-r", capture(pcap), "-z", "msstun,diag"] + list(extra))


def diag_json(pcap):
    out = _run(["-n", "-2", "-q", "-r", capture(pcap), "-z", "msstun,diag,json"])
    return json.loads(out[out.index("{"):])


def verdict_line(out):
    lines = [l for l in out.splitlines() if l.startswith("Verdict: ")]
    assert len(lines) == 1, out
    return lines[0]


# Captures of healthy calls and exchanges made by real software
HEALTHY = ["coturn/turn-udp.pcap", "coturn/turn-udp-send.pcap", "coturn/turn-tcp.pcap",
           "coturn/turn-tcp-relay-rfc6062.pcap", "coturn/turn-tcp-relay-passive.pcap", "coturn/stunclient.pcap",
           "libnice/ice-rfc5245-udp.pcap", "libnice/ice-rfc5245-tcp.pcap", "libnice/ice-oc2007-udp.pcap",
           "libnice/ice-oc2007-tcp.pcap", "libnice/ice-oc2007r2-udp.pcap", "libnice/ice-oc2007r2-tcp.pcap",
           "libnice/msturn-allocate-oc2007-auth.pcap", "fieldcase/fieldcase.pcap", "fieldcase/fieldcase-both-legs.pcap",
           "sdp/sip-sdp-ice-rfc5245-udp.pcap", "vectors/channeldata.pcap",
           "derived/other-address.pcap", "libnice/ice-rfc5245-regular.pcap", "libnice/msturn-dealloc-oc2007.pcap",
           # ICE-lite peers: checks in one direction only, answered (pion/ice lite, a strict lite responder)
           "libnice/ice-rfc5245-lite-pion.pcap", "libnice/ice-rfc5245-lite.pcap", "libnice/ice-oc2007r2-lite.pcap",
           "webrtc/webrtc-direct.pcap", "webrtc/webrtc-turn-udp.pcap",
           "tls/turn-tls.pcap", "tls/turn-dtls.pcap", "tls/turn-tls-rfc6062.pcap", "tls/turn-tls-noalpn.pcap",
           "tls/pseudotls-standin.pcap", "tls/pseudotls-google.pcap"]


@pytest.mark.parametrize("pcap", HEALTHY)
def test_healthy_capture_is_ok(pcap):
    out = diag(pcap)
    assert verdict_line(out) == "Verdict: OK"
    assert "FAILED" not in out and "WARNING" not in out, out
    doc = diag_json(pcap)
    assert doc["verdict"] == "OK" and doc["cause"] is None
    assert all(e["verdict"] == "OK" for e in doc["elements"]), doc


# The first step that failed, as the report names it (frames: captures/*/README.md)
FAILING = [
    ("coturn/quota.pcap",
     "Verdict: FAILED: TURN allocation 2: Allocate refused, 486 Allocation Quota Reached (frame 10, request in frame 9)"),
    ("coturn/wrong-password.pcap",
     "Verdict: FAILED: TURN allocation 1: credentials rejected: 31 Allocate requests with credentials got 401 "
     "Unauthorized (frames 4-64)"),
    ("coturn/no-tcp-relay.pcap",
     "Verdict: FAILED: TURN allocation 1: Allocate refused, 442 Unsupported Transport Protocol (frame 9, request in "
     "frame 8)"),
    ("coturn/denied-peer.pcap",
     "Verdict: FAILED: TURN allocation 2: ChannelBind refused, 403 Forbidden (frame 14, request in frame 13)"),
    # Refresh 8 and its retransmission 9 get 438 at 10; the retry 11 gets 437 at 12
    ("coturn/lost-responses-unseen.pcap",
     "Verdict: FAILED: TURN allocation 1: Refresh got 438 Stale Nonce and no retry succeeded (frame 10)"),
    ("coturn/bad-connection-id.pcap",
     "Verdict: FAILED: RFC 6062 connection 1: the client never bound the connection: no ConnectionBind for "
     "CONNECTION-ID 0xd76d1000 announced in frame 44"),
    ("libnice/ice-oc2007r2-oneway.pcap",
     "Verdict: FAILED: ICE pair 1: works one way only: checks from 127.0.0.1:40002 to 127.0.0.1:40000 got no answer "
     "(frames 1-8)"),
    # the TURN server never answered, the host pair carried the media
    ("libnice/msturn-allocate-oc2007.pcap",
     "Verdict: WARNING: TURN allocation 1: Allocate request got no response (frame 1, 2 retransmissions) "
     "(another path carried the media)"),
    ("fieldcase/fieldcase-oneway.pcap",
     "Verdict: FAILED: ICE pair 1: works one way only: checks from 127.0.0.2:50212 to 127.0.0.3:44259 got no answer "
     "(frames 31-33)"),
    ("coturn/channelbind-400.pcap",
     "Verdict: FAILED: TURN allocation 1: ChannelBind refused, 400 Bad Request (frame 8, request in frame 7)"),
    ("coturn/channelbind-range-400.pcap",
     "Verdict: FAILED: TURN allocation 1: ChannelBind refused, 400 Bad Request (frame 6, request in frame 5)"),
    # coturn drops the ChannelBind with the bad FINGERPRINT and never answers it
    ("coturn/channelbind-bad-fingerprint.pcap",
     "Verdict: FAILED: TURN allocation 1: ChannelBind Request in frame 5: Bad FINGERPRINT: the receiver drops the "
     "message"),
    ("coturn/channelbind-bad-integrity.pcap",
     "Verdict: FAILED: TURN allocation 1: credentials rejected: 1 ChannelBind request with credentials got 401 "
     "Unauthorized (frame 6)"),
    ("coturn/refresh-438-giveup.pcap",
     "Verdict: FAILED: TURN allocation 1: Refresh got 438 Stale Nonce and no retry succeeded (frame 6)"),
    ("coturn/binding-no-answer.pcap",
     "Verdict: FAILED: STUN Binding client 1: Binding requests to 127.0.0.1:3478 were never answered (1 request, "
     "0 retransmissions, frame 1)"),
    ("libnice/ice-rfc5245-no-nomination.pcap",
     "Verdict: FAILED: ICE session 1: no candidate pair was nominated (no check with USE-CANDIDATE succeeded) and "
     "no media followed, although pair 1 works (first success in frame 4)"),
    ("libnice/ice-oc2007r2-no-nomination.pcap",
     "Verdict: FAILED: ICE session 1: no candidate pair was nominated (no check with USE-CANDIDATE succeeded) and "
     "no media followed, although pair 1 works (first success in frame 6)"),
    ("fieldcase/fieldcase-oneway-both-legs.pcap",
     "Verdict: FAILED: ICE pair 1: works one way only: checks from 127.0.0.2:50212 to 127.0.0.3:44259 got no answer "
     "(frames 42-48)"),
    # a spare pair failed, the other one carried the media
    ("libnice/ice-rfc5245-spare-pair-fails.pcap",
     "Verdict: WARNING: ICE pair 1: never succeeded: 1 check from 127.0.0.5:40002 to 127.0.0.1:40000 got no answer "
     "(frame 1)"),
    # responses lost, recovered by retransmission (in the capture, or not)
    ("coturn/binding-lost-responses.pcap",
     "Verdict: WARNING: STUN Binding client 1: Binding answered only after retransmission: 3 requests had to be sent "
     "again, responses were lost (frames 1-11)"),
    ("coturn/binding-lost-responses-unseen.pcap",
     "Verdict: WARNING: STUN Binding client 1: Binding answered only after retransmission: 3 requests had to be sent "
     "again, responses were lost (frames 1-8)"),
    # responses lost on the way, recovered by retransmission: the call worked
    ("coturn/lost-responses.pcap",
     "Verdict: WARNING: TURN allocation 1: Allocate answered only after retransmission: 1 request had to be sent "
     "again, responses were lost (frame 3)"),
    # the first socket's allocation failed (437), another one carried the media
    ("coturn/stale-nonce.pcap",
     "Verdict: WARNING: TURN allocation 1: Allocate refused, 437 Allocation Mismatch (frame 10, request in frame 9) "
     "(another path carried the media)"),
]


@pytest.mark.parametrize("pcap,line", FAILING)
def test_failing_capture_names_its_first_failure(pcap, line):
    out = diag(pcap)
    assert verdict_line(out) == line
    # the line right after the title block
    assert out.split("===================================================================\n")[2].startswith(line)
    doc = diag_json(pcap)
    assert doc["verdict"] == line.split(":")[1].strip()
    assert line.endswith(doc["cause"]["text"]) or doc["cause"]["text"] in line


def test_success_from_another_server_address():
    # the response's 5-tuple is not the allocation's: its request says which allocation it answers
    out = diag("derived/other-address.pcap")
    assert ("    steps: Allocate in frame 1, 401 challenge x1, allocated in frame 4: relayed 127.0.0.2:50074, "
            "reflexive 127.0.0.1:60064, lifetime 777 s") in out
    assert "TURN allocations: 3" in out


def test_unbound_channel_after_unanswered_channelbind():
    # the corrupted ChannelBind was never answered: its channel is not bound, the ChannelData is dropped
    rows = fields("coturn/channelbind-bad-fingerprint.pcap", ["frame.number", "msstun.channel.peer", "_ws.col.Info"],
                  filt="msstun.channel")
    assert [r["frame.number"] for r in rows] == ["8", "9", "10"]
    assert all(r["msstun.channel.peer"] == "(not bound)" and
               r["_ws.col.Info"] == "ChannelData 0x4001, 24 bytes (channel not bound) | 24 bytes of data" for r in rows)
    out = diag("coturn/channelbind-bad-fingerprint.pcap")
    assert ("      FAILED: ChannelData on channel 0x4001, which no ChannelBind success bound: the server drops it "
            "(3 frames, frames 8-10)") in out
    assert "0 relayed frames" in out


def test_refused_rebinding_keeps_the_first_peer():
    # ChannelBind 7 (0x4000 -> :3481) got 400: the channel stays bound to :3480 from success 6
    rows = fields("coturn/channelbind-400.pcap", ["frame.number", "msstun.channel.peer"], filt="msstun.channel")
    assert rows and {r["msstun.channel.peer"] for r in rows} == {"127.0.0.3:3480"}


def test_msturn_deallocation_ends_the_allocation():
    out = diag("libnice/msturn-dealloc-oc2007.pcap")
    assert "TURN allocations: 2" in out
    assert "    verdict: OK, released by the client in frame 18" in out
    assert ("    steps: Allocate in frame 21, 401 challenge x1, allocated in frame 24: relayed 127.0.0.1:49152, "
            "reflexive 127.0.0.1:40000, lifetime 600 s") in out
    assert "    verdict: OK, released by the client in frame 38" in out


def test_ice_lite_is_ok():
    out = _run(["-n", "-2", "-q", "-r", capture("libnice/ice-rfc5245-lite.pcap"), "-z", "msstun,ice"])
    assert "    verdict: OK: pair 1 works (only one side sends checks: ICE-lite)" in out


def test_element_verdicts_denied_peer():
    doc = diag_json("coturn/denied-peer.pcap")
    v = {e["name"]: (e["verdict"], e["cause"]["text"] if e["cause"] else None) for e in doc["elements"]}
    assert v["TURN allocation 1"] == ("OK", None)
    assert v["TURN allocation 2"][0] == "FAILED" and "ChannelBind refused, 403 Forbidden (frame 14" in v["TURN allocation 2"][1]
    assert v["TURN allocation 3"] == ("OK", None)
    assert v["TURN allocation 4"][0] == "FAILED" and "CreatePermission refused, 403 Forbidden (frame 28" in v["TURN allocation 4"][1]


def test_lost_responses_listed_per_method():
    out = diag("coturn/lost-responses.pcap")
    block = out[out.index("  allocation 2:"):out.index("RFC 6062")]
    assert "    verdict: WARNING: Allocate answered only after retransmission" in block
    assert "      WARNING: Refresh answered only after retransmission: 1 request had to be sent again" in block
    assert block.count("ChannelBind answered only after retransmission") == 2


def test_stale_nonce_without_retry_on_release():
    out = diag("coturn/stale-nonce.pcap")
    assert ("    verdict: WARNING: Refresh got 438 Stale Nonce and no retry succeeded (frame 50): the allocation was "
            "not released and stays until it expires") in out


def test_unanswered_connectionbinds():
    doc = diag_json("coturn/bad-connection-id.pcap")
    conns = {e["name"]: e for e in doc["elements"] if e["kind"] == "rfc6062_connection"}
    assert conns["RFC 6062 connection 4"]["cause"]["text"] == \
        "RFC 6062 connection 4: ConnectionBind request got no response (frame 60)"


def test_verdict_without_second_pass_report():
    # one pass: the report still sees the whole capture when it is drawn
    out = _run(["-n", "-q", "-r", capture("coturn/quota.pcap"), "-z", "msstun,diag"])
    assert verdict_line(out).startswith("Verdict: FAILED: TURN allocation 2: Allocate refused, 486")


# ---- experts and elements agree ------------------------------------------------------

ALL_CAPTURES = sorted(os.path.relpath(p, os.path.join(WORK, "captures"))
                      for p in glob.glob(os.path.join(WORK or ".", "captures", "*", "*.pcap")))


def msstun_experts(pcap, extra=()):
    """(frame, severity, message) of every expert info msstun raised (PDML: the
    experts inside msstun's own layers, not those of RTP, TLS, ... in the same frame)"""
    import xml.etree.ElementTree as ET
    out = _run(["-n", "-2", "-r", capture(pcap), "-Y", "msstun", "-T", "pdml"] + list(extra))
    rows = []
    for pkt in ET.fromstring(out).iter("packet"):
        num = int(next(f for f in pkt.iter("field") if f.get("name") == "frame.number").get("show"))
        for proto in pkt.iter("proto"):
            if proto.get("name") != "msstun":
                continue
            for ex in proto.iter("field"):
                if ex.get("name") != "_ws.expert":
                    continue
                sub = {f.get("name"): f.get("show") for f in ex.iter("field")}
                rows.append((num, int(sub["_ws.expert.severity"]), sub.get("_ws.expert.message", "")))
    return rows


PI_WARN, PI_ERROR = 6291456, 8388608


@pytest.mark.parametrize("pcap", HEALTHY)
def test_one_pass_experts_equal_on_healthy_captures(pcap):
    # a healthy capture has no capture-wide verdicts, so one pass must show exactly what two passes show
    def summary(args):
        out = _run(["-n", "-r", capture(pcap), "-q", "-z", "expert"] + args)
        return sorted(l.strip() for l in out.splitlines() if re.match(r"\s+\d+\s+\S+\s+MSSTUN\s", l))
    assert summary([]) == summary(["-2"])


# vectors/malformed.pcap holds one deliberately broken message per frame; some of its experts
# (attribute order: MAGIC-COOKIE not first) are only checked when a tree is built, so the model,
# which must not depend on the view, does not see them
@pytest.mark.parametrize("pcap", [c for c in ALL_CAPTURES if c != "vectors/malformed.pcap"])
def test_every_expert_has_its_element(pcap):
    doc = diag_json(pcap)
    spans = {"OK": [], "WARNING": [], "FAILED": []}
    for el in doc["elements"]:
        for ev in el["events"]:
            spans[el["verdict"]].append((ev["frame"], ev["last_frame"]))
    failed_causes = {(el["cause"]["frame"], el["name"]) for el in doc["elements"] if el["verdict"] == "FAILED"}

    def covered(frame, verdicts):
        return any(a <= frame <= b for v in verdicts for a, b in spans[v])

    seen_failed = set()
    for frame, sev, msg in msstun_experts(pcap):
        if sev >= PI_ERROR:
            assert covered(frame, ["FAILED"]), (pcap, frame, msg)
            m = re.match(r"(.+?) FAILED: ", msg)
            if m:
                seen_failed.add((frame, m.group(1)))
        elif sev >= PI_WARN:
            assert covered(frame, ["WARNING", "FAILED"]), (pcap, frame, msg)
    # no FAILED element without its error expert on the frame of its cause
    assert failed_causes <= seen_failed, (pcap, failed_causes - seen_failed)


@pytest.mark.parametrize("pcap", ["coturn/denied-peer.pcap", "coturn/lost-responses.pcap",
                                  "libnice/ice-oc2007r2-oneway.pcap", "coturn/bad-connection-id.pcap"])
def test_experts_same_with_and_without_a_tree(pcap):
    def summary(args):
        out = _run(["-n", "-2", "-r", capture(pcap), "-q", "-z", "expert"] + args)
        rows = sorted(l.strip() for l in out.splitlines() if re.match(r"\s+\d+\s+\S+\s+MSSTUN\s", l))
        assert rows
        return rows
    assert summary([]) == summary(["-V"]) == summary(["-Y", "msstun"])
