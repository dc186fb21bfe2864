# SPDX-License-Identifier: GPL-2.0-or-later
"""Following the call: transactions, allocations, RFC 6062, ICE pairs, error
diagnosis and the -z reports, on captures made by coturn 4.6.1 and libnice
0.1.21 (scenarios and frame numbers: captures/coturn/README.md and
captures/libnice/README.md)."""
import re

import pytest

from conftest import _run, capture, fields


def report(pcap, which="diag"):
    out = _run(["-n", "-2", "-q", "-r", capture(pcap), "-z", f"msstun,{which}"])
    return [l.rstrip() for l in out.splitlines()]


def experts(pcap, filt):
    return {r["frame.number"]: r["_ws.expert.message"]
            for r in fields(pcap, ["frame.number", "_ws.expert.message"], filt=filt)}


# ---- error diagnosis --------------------------------------------------------------

def test_first_401_is_a_normal_challenge():
    e = experts("coturn/turn-udp.pcap", "msstun.diag.auth_challenge")
    assert sorted(e, key=int) == ["2", "8", "14"]
    assert e["2"] == "Allocate 401: the normal first challenge, the request carried no credentials; the client retries with them"
    assert experts("coturn/turn-udp.pcap", "msstun.diag.auth_failed") == {}


def test_wrong_password_is_an_error():
    e = experts("coturn/wrong-password.pcap", "msstun.diag.auth_failed")
    assert len(e) == 31          # every 401 after the first challenge
    assert "Allocate 401 after credentials were sent (request in frame 3)" in e["4"]
    assert experts("coturn/wrong-password.pcap", "msstun.diag.auth_challenge").keys() == {"2"}


def test_diagnosis_reaches_expert_tap_without_a_tree():
    # one pass, no tree: the diagnosis is formatted only because -z expert listens
    out = _run(["-n", "-q", "-r", capture("coturn/wrong-password.pcap"), "-z", "expert"])
    assert out.count("Allocate 401 after credentials were sent") == 31
    assert "the normal first challenge" in out


@pytest.mark.parametrize("filt,count", [
    ("msstun.diag.auth_failed", 31),                               # the expert's own field
    ('_ws.expert.message contains "after credentials"', 31),      # any expert
    ("msstun.att.crc32.status == 1", 64),                          # FINGERPRINT checked
    ('msstun.att.software contains "Coturn"', 32),                 # a value skipped unless asked for
])
def test_filter_only_tree_still_checks(filt, count):
    # tshark -Y without -V builds a tree only to run the filter: msstun skips the
    # expert text and the CRC unless the filter asks for them, so ask for them
    out = _run(["-n", "-r", capture("coturn/wrong-password.pcap"), "-Y", filt])
    assert len(out.splitlines()) == count


def test_stale_nonce_and_retry():
    # what one 438 means (the same in one and two passes), then whether a retry succeeded (two passes)
    ok = experts("coturn/stale-nonce.pcap", "msstun.diag.stale_nonce")
    assert ok["12"] == "Allocate 438 Stale Nonce: the nonce expired; the client retries with the new NONCE"
    bad = experts("coturn/stale-nonce.pcap", "msstun.diag.stale_nonce.failed")
    assert "Refresh 438 Stale Nonce" in bad["50"]


def test_forbidden_peer():
    e = experts("coturn/denied-peer.pcap", "msstun.diag.forbidden")
    assert set(e) == {"14", "28"}
    assert e["14"].startswith("ChannelBind 403 Forbidden")
    assert e["28"].startswith("CreatePermission 403 Forbidden")


def test_quota_and_tcp_relay_refused():
    assert "Allocate 486 Allocation Quota Reached" in experts("coturn/quota.pcap", "msstun.diag.quota")["10"]
    e = experts("coturn/no-tcp-relay.pcap", "msstun.diag.transport")
    assert set(e) == {"9", "21"}
    assert "the server offers no TCP (RFC 6062) relay" in e["9"]


def test_allocation_mismatch():
    e = experts("coturn/lost-responses-unseen.pcap", "msstun.diag.allocation_mismatch")
    assert set(e) == {"12", "22"} and e["12"].startswith("Refresh 437 Allocation Mismatch")


def test_rfc6062_connection_exists_446():
    e = experts("vectors/rfc6062.pcap", "msstun.diag.rfc6062")
    assert e["14"].startswith("Connect 446 Connection Already Exists")


def test_bad_connection_id():
    e = experts("coturn/bad-connection-id.pcap", "msstun.rfc6062.unknown_connection_id")
    assert set(e) == {"50", "60", "66"}
    assert "CONNECTION-ID 0xdeadbe00" in e["60"]
    assert "ConnectionBind Request got no response in this capture" in e["60"]


def test_unanswered_send_request_not_flagged():
    # [MS-TURN] Send requests have no response by design
    assert experts("vectors/ms-turn-tcp.pcap", "msstun.expert.unanswered") == {}


HEALTHY = ["coturn/turn-udp.pcap", "coturn/turn-udp-send.pcap", "coturn/turn-tcp.pcap",
           "coturn/turn-tcp-relay-rfc6062.pcap", "coturn/turn-tcp-relay-passive.pcap", "coturn/stunclient.pcap",
           "libnice/ice-rfc5245-udp.pcap", "libnice/ice-rfc5245-tcp.pcap", "libnice/ice-oc2007-udp.pcap",
           "libnice/ice-oc2007-tcp.pcap", "libnice/msturn-allocate-oc2007-auth.pcap",
           "vectors/ms-turn-udp.pcap", "vectors/channeldata.pcap"]


@pytest.mark.parametrize("pcap", HEALTHY)
def test_no_error_verdict_on_healthy_capture(pcap):
    # (vectors/rfc5769.pcap is not here: its lone ICE check is never nominated and no media follows,
    # which the diagnosis calls a failed session; tests/test_diagnosis.py has the full list)
    rows = fields(pcap, ["frame.number", "_ws.expert.message"], filt="msstun && _ws.expert.severity == error")
    assert rows == []


# ---- ICE pairs ----------------------------------------------------------------------

def test_ice_pair_fields_both_ways():
    rows = fields("libnice/ice-rfc5245-udp.pcap", ["frame.number", "msstun.ice.pair", "msstun.ice.checks",
                                                   "msstun.ice.answered", "msstun.ice.reverse.answered",
                                                   "msstun.ice.nominated"], filt="msstun.type == 0x0001")
    assert rows and all(r["msstun.ice.pair"] == "1" for r in rows)
    assert all(r["msstun.ice.answered"] == "1" and r["msstun.ice.reverse.answered"] == "1" for r in rows)
    assert rows[0]["msstun.ice.nominated"] == "1"


def test_ice_one_way_verdict():
    e = experts("libnice/ice-oc2007r2-oneway.pcap", "msstun.ice.one_way")
    assert list(e) == ["1"]
    assert "checks 127.0.0.1:40000 -> 127.0.0.1:40002" not in e["1"]
    assert "ICE pair 1 works one way only" in e["1"]
    lines = report("libnice/ice-oc2007r2-oneway.pcap", "ice")
    assert "  ICE session msstunLufrag/msstunRufrag (MS-ICE2)" in lines
    assert ("    verdict: FAILED: ICE pair 1: works one way only: checks from 127.0.0.1:40002 to 127.0.0.1:40000 "
            "got no answer (frames 1-8)") in lines


def test_ice_report_ok():
    lines = report("libnice/ice-rfc5245-udp.pcap", "ice")
    assert lines[lines.index("ICE candidate pairs: 1") + 1:] [:6] == [
        "  ICE session msstunLufrag/msstunRufrag",
        "    pair 1 UDP 127.0.0.1:40000 <-> 127.0.0.1:40002",
        "      127.0.0.1:40000 -> 127.0.0.1:40002: 1 checks (0 retransmitted), 1 answered, 0 failed, nominated, "
        "controlling, keep-alives",
        "      127.0.0.1:40002 -> 127.0.0.1:40000: 1 checks (0 retransmitted), 1 answered, 0 failed, controlled, "
        "keep-alives",
        "    selected: pair 1, nominated in frame 4; 6 media frames on it",
        "    verdict: OK: pair 1 works in both directions",
    ]


def test_plain_stun_query_is_not_an_ice_pair():
    lines = report("vectors/rfc5769.pcap", "ice")
    assert "ICE candidate pairs: 1" in lines      # frame 1 only; frame 4 is a long-term-credential query


# ---- allocations and RFC 6062 in the reports ----------------------------------------

def test_alloc_report_turn_udp():
    lines = report("coturn/turn-udp.pcap", "alloc")
    i = lines.index("TURN allocations: 3")
    assert lines[i + 5:i + 9] == [
        "  allocation 2: client 127.0.0.1:46761 -> server 127.0.0.1:3478 over UDP, UDP relay",
        "    steps: Allocate in frame 7, 401 challenge x1, allocated in frame 10: relayed 127.0.0.2:50075, "
        "reflexive 127.0.0.1:46761, lifetime 600 s",
        # channels 0x5718 (bound in frames 20 and 22) and 0x7cce (24, 26, 34): a
        # repeated ChannelBind refreshes its channel (RFC 8656 11.3)
        "    use: 3 refreshes, 1 permissions, 2 channels, 0 TCP connections, 6 relayed frames",
        "    verdict: OK, released by the client in frame 66",
    ]
    # allocation 3: 0x6b6f, bound in frame 28 and refreshed in frame 40
    assert lines[i + 11] == "    use: 4 refreshes, 1 permissions, 1 channels, 0 TCP connections, 6 relayed frames"


@pytest.mark.parametrize("pcap,verdict", [
    ("coturn/quota.pcap", "    verdict: FAILED: Allocate refused, 486 Allocation Quota Reached (frame 10, request in frame 9)"),
    ("coturn/wrong-password.pcap", "    verdict: FAILED: credentials rejected: 31 Allocate requests with credentials "
     "got 401 Unauthorized (frames 4-64)"),
    ("coturn/no-tcp-relay.pcap", "    verdict: FAILED: Allocate refused, 442 Unsupported Transport Protocol (frame 9, "
     "request in frame 8)"),
])
def test_alloc_failure_verdicts(pcap, verdict):
    assert verdict in report(pcap, "alloc")


def test_conns_report_rfc6062():
    lines = report("coturn/turn-tcp-relay-rfc6062.pcap", "conns")
    i = lines.index("RFC 6062 TCP connections: 2")
    assert lines[i + 1:i + 7] == [
        "  connection 0x86210e00: peer 127.0.0.2:50039, allocation 3",
        "    steps: announced in frame 44, ConnectionBind in frame 49, bound in frame 52, 4 peer data frames",
        "    verdict: OK",
        "  connection 0x74515700: peer 127.0.0.2:50737, allocation 2",
        "    steps: announced in frame 51, ConnectionBind in frame 57, bound in frame 59, 4 peer data frames",
        "    verdict: OK",
    ]


def test_allocation_shown_on_channeldata():
    rows = fields("coturn/turn-udp.pcap", ["frame.number", "msstun.alloc", "msstun.alloc.relayed"],
                  filt="msstun.channel")
    assert rows and {r["msstun.alloc.relayed"] for r in rows} <= {"127.0.0.2:50075", "127.0.0.2:50992"}


def test_stats_tree_counts():
    out = _run(["-n", "-2", "-q", "-r", capture("coturn/turn-udp.pcap"), "-z", "msstun,tree"])
    counts = {m.group(1).strip(): int(m.group(2)) for m in re.finditer(r"^ ?(\S[^\n]*?)\s{2,}(\d+)\s", out, re.M)}
    assert counts["Messages by type"] == 44
    assert counts["Allocate Request"] == 6 and counts["ChannelBind Request"] == 7
    assert counts["401 Unauthorized"] == 3
    assert counts["RFC-5389/8489"] == 44


def test_peer_leg_belongs_to_its_allocation():
    # capture on the TURN server: relayed address 127.0.0.2 <-> peer 127.0.0.3, after CreatePermission
    rows = fields("coturn/turn-udp-send.pcap", ["frame.number", "ip.src", "_ws.col.Info", "msstun.alloc"],
                  filt="ip.addr == 127.0.0.3")
    assert rows and {r["msstun.alloc"] for r in rows} == {"2", "3"}     # uclient's two relayed sessions
    assert all(r["_ws.col.Info"] == f"Relayed (allocation {r['msstun.alloc']}) | 100 bytes of data" for r in rows)
    # both directions: Wireshark 4.6 looks the port-wildcard conversation up one way only
    assert {r["ip.src"] for r in rows} == {"127.0.0.2", "127.0.0.3"}
