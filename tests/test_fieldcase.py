# SPDX-License-Identifier: GPL-2.0-or-later
"""The field case (captures/fieldcase/README.md): a meeting server's RFC 6062
TCP allocation on coturn, and libnice's MS-ICE2 ICE-TCP checks relayed through
the data connection, RFC 4571-framed. Frames are found by their content, not
by number, so the tests hold when make-fieldcase.sh is run again."""
import re

import pytest

from conftest import _run, capture, fields

GOOD, ONEWAY = "fieldcase/fieldcase.pcap", "fieldcase/fieldcase-oneway.pcap"
GOOD_ALL, ONEWAY_ALL = "fieldcase/fieldcase-both-legs.pcap", "fieldcase/fieldcase-oneway-both-legs.pcap"
MEETING_SERVER = "127.0.0.4"
TURN_SERVER = "127.0.0.1"
RELAY = "127.0.0.2"
PEER = "127.0.0.3"

F = ["frame.number", "tcp.stream", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "msstun.type",
     "msstun.id", "msstun.att.connection_id", "msstun.rfc6062.connection_id", "msstun.rfc6062.announced_in",
     "msstun.rfc6062.bound_in", "msstun.att.ms.version.ice", "msstun.att.username", "msstun.response-in",
     "msstun.response-to", "msstun.reqduplicate", "msstun.ice.pair", "msstun.ice.answered",
     "msstun.ice.reverse.answered", "_ws.col.Info"]


def rows(pcap):
    return fields(pcap, F, filt="msstun")


def setup_frames(pcap):
    """(ConnectionAttempt row, ConnectionBind request row, ConnectionBind success row)"""
    r = rows(pcap)
    attempt = [x for x in r if x["msstun.type"] == "0x001c"]
    bind = [x for x in r if x["msstun.type"] == "0x000b"]
    bind_ok = [x for x in r if x["msstun.type"] == "0x010b"]
    assert len(attempt) == 1 and len(bind) == 1 and len(bind_ok) == 1, (attempt, bind, bind_ok)
    return attempt[0], bind[0], bind_ok[0]


def data_rows(pcap):
    """msstun rows on the data connection after the ConnectionBind success"""
    _, bind, bind_ok = setup_frames(pcap)
    return [x for x in rows(pcap)
            if x["tcp.stream"] == bind["tcp.stream"] and int(x["frame.number"]) > int(bind_ok["frame.number"])]


def checks(pcap):
    return [x for x in data_rows(pcap) if x["msstun.type"] == "0x0001"]


@pytest.mark.parametrize("pcap", [GOOD, ONEWAY, GOOD_ALL, ONEWAY_ALL])
def test_connectionbind_links_to_connection_attempt(pcap):
    attempt, bind, bind_ok = setup_frames(pcap)
    cid = attempt["msstun.att.connection_id"]
    assert cid and bind["msstun.att.connection_id"] == cid
    # the ConnectionAttempt came on the control connection, the bind on a new one
    assert attempt["tcp.stream"] != bind["tcp.stream"]
    assert attempt["ip.src"] == TURN_SERVER and bind["ip.src"] == MEETING_SERVER
    assert bind["msstun.rfc6062.announced_in"] == attempt["frame.number"]
    assert attempt["msstun.rfc6062.bound_in"] == bind["frame.number"]
    assert bind["msstun.response-in"] == bind_ok["frame.number"]
    assert int(bind_ok["msstun.rfc6062.connection_id"], 16) == int(cid, 16)


@pytest.mark.parametrize("pcap", [GOOD, ONEWAY])
def test_data_connection_is_peer_data_with_ms_ice2_checks(pcap):
    attempt, bind, _ = setup_frames(pcap)
    data = data_rows(pcap)
    assert data
    for x in data:
        # Info leads with what the peer sent (check or RTP), the connection follows
        cid = int(attempt["msstun.att.connection_id"], 16)
        assert x["_ws.col.Info"].endswith(f" (RFC 6062 data connection 0x{cid:08x})"), x
        assert x["_ws.col.Info"].startswith("Binding " if x["msstun.type"] else "PT="), x
        assert int(x["msstun.rfc6062.connection_id"], 16) == int(attempt["msstun.att.connection_id"], 16)
        assert x["msstun.rfc6062.announced_in"] == attempt["frame.number"]
        assert x["msstun.rfc6062.bound_in"] == bind["frame.number"]
    stun = [x for x in data if x["msstun.type"]]
    assert stun and all(x["msstun.att.ms.version.ice"] == "2" for x in stun)
    assert all(x["msstun.type"] in ("0x0001", "0x0101") for x in stun)
    # checks both ways inside the one data connection
    users = {(x["ip.src"], x["msstun.att.username"]) for x in checks(pcap)}
    assert users == {(TURN_SERVER, "msstunLufrag:msstunRufrag"), (MEETING_SERVER, "msstunRufrag:msstunLufrag")}


def test_good_checks_are_paired_and_answered_both_ways():
    data = data_rows(GOOD)
    by_frame = {x["frame.number"]: x for x in data}
    reqs = checks(GOOD)
    assert len(reqs) == 4          # R->L check + its retransmission, L->R triggered check, L->R nomination
    for q in reqs:
        rsp = by_frame[q["msstun.response-in"]]
        assert rsp["msstun.type"] == "0x0101" and rsp["msstun.response-to"] in (q["frame.number"], q["msstun.reqduplicate"])
        assert rsp["ip.src"] == q["ip.dst"]
        assert rsp["msstun.att.username"] == q["msstun.att.username"]
        # second pass: the pair works in both directions
        assert int(q["msstun.ice.answered"]) >= 1 and int(q["msstun.ice.reverse.answered"]) >= 1, q
    assert len({q["msstun.ice.pair"] for q in reqs}) == 1
    # the media that follows the checks is peer data too
    assert sum(1 for x in data if not x["msstun.type"]) == 6


def test_oneway_checks_from_meeting_server_unanswered():
    reqs = checks(ONEWAY)
    to_peer = [q for q in reqs if q["ip.src"] == MEETING_SERVER]
    from_peer = [q for q in reqs if q["ip.src"] == TURN_SERVER]
    assert to_peer and from_peer
    for q in from_peer:
        assert q["msstun.response-in"] and q["msstun.ice.answered"] == "1", q
    for q in to_peer:
        assert not q["msstun.response-in"], q
        assert q["msstun.ice.answered"] == "0" and q["msstun.ice.reverse.answered"] == "1", q


def report(pcap, which):
    return _run(["-n", "-r", capture(pcap), "-2", "-q", "-z", f"msstun,{which}"])


@pytest.mark.parametrize("which", ["diag", "ice"])
def test_verdict_good(which):
    out = report(GOOD, which)
    assert re.search(r"ICE session msstunLufrag/msstunRufrag \(MS-ICE2\)", out)
    assert re.search(r"verdict: OK: pair \d+ works in both directions", out), out
    assert "FAILED" not in out, out
    if which == "diag":
        assert re.search(r"connection 0x[0-9a-f]{8}: peer 127\.0\.0\.3:\d+, allocation 1\n.*\n    verdict: OK\n", out), out
        assert re.search(r"allocation 1: client 127\.0\.0\.4:\d+ -> server 127\.0\.0\.1:3478 over TCP, TCP relay", out)
        assert "401 challenge x1" in out


@pytest.mark.parametrize("which", ["diag", "ice"])
def test_verdict_oneway(which):
    out = report(ONEWAY, which)
    m = re.search(r"\n    verdict: FAILED: ICE pair \d+: works one way only: checks from (\S+) to (\S+) got no answer "
                  r"\(frames \d+-\d+\)\n", out)
    assert m, out
    # the pair is named after what the data connection relays: the
    # allocation's relayed address (127.0.0.2) and the peer (127.0.0.3)
    assert m.group(1).startswith(RELAY + ":") and m.group(2).startswith(PEER + ":")
    assert "pair 1 TCP 127.0.0.2:" in out and "(relayed)" in out
    if which == "diag":
        assert re.search(r"^Verdict: FAILED: ICE pair 1: works one way only: checks from 127\.0\.0\.2:\d+ to "
                         r"127\.0\.0\.3:\d+ got no answer \(frames 31-33\)$", out, re.M), out
        # TURN itself is fine: the allocation and the RFC 6062 connection work
        assert re.search(r"connection 0x[0-9a-f]{8}: peer 127\.0\.0\.3:\d+, allocation 1\n.*\n    verdict: OK\n", out), out


def test_oneway_expert_info():
    hits = fields(ONEWAY, ["frame.number", "ip.src", "msstun.type", "_ws.expert.message"], filt="msstun.ice.one_way")
    assert hits
    for h in hits:
        assert h["ip.src"] == MEETING_SERVER and h["msstun.type"] == "0x0001"
        assert "works one way only" in h["_ws.expert.message"]
    assert not fields(GOOD, ["frame.number"], filt="msstun.ice.one_way")


@pytest.mark.parametrize("pcap", [GOOD, ONEWAY])
def test_fieldcase_under_sanitizers(pcap):
    _run(["-n", "-r", capture(pcap), "-2", "-V", "-q", "-z", "msstun,diag"], san=True)


# Captured on the TURN server's side (both legs: meeting server <-> TURN and
# peer <-> relayed address), each check is on the wire twice with one
# transaction ID. Each leg must be matched on its own (transactions per
# 5-tuple): before that, the copy on the second leg was taken for a
# retransmission of the first, and the healthy session was reported one-way.
def test_both_legs_each_copy_answered_on_its_own_leg():
    r = fields(GOOD_ALL, ["frame.number", "tcp.stream", "msstun.type", "msstun.response-in", "msstun.response-to"],
               filt="msstun.type == 0x0001 || msstun.type == 0x0101")
    by_frame = {x["frame.number"]: x for x in r}
    reqs = [x for x in r if x["msstun.type"] == "0x0001"]
    assert len(reqs) == 8          # 4 checks, each on both legs
    for q in reqs:
        rsp = by_frame[q["msstun.response-in"]]
        assert rsp["tcp.stream"] == q["tcp.stream"], (q, rsp)


def test_verdict_good_both_legs():
    out = report(GOOD_ALL, "ice")
    assert "works one way only" not in out, out
    assert re.search(r"verdict: OK: pair \d+ works in both directions", out), out


def test_verdict_oneway_both_legs():
    out = report(ONEWAY_ALL, "ice")
    assert re.search(r"verdict: FAILED: ICE pair \d+: works one way only", out), out
    assert "works in both directions" not in out, out
