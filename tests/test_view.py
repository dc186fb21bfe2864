# SPDX-License-Identifier: GPL-2.0-or-later
"""How the packet details and the columns show what msstun decodes (issue 14 item 1).

Read from `tshark -T pdml`, which keeps the tree's order and marks hidden items
hide="yes": Request In / Response In / Time lead the message as in the built-in,
the allocation, RFC 6062 and ICE pair lines expand into visible frame links,
[MS-TURN] fixed message types carry no IETF class/method bits, method fields
have names, each layer has its own top-level line, and Info leads with the
message."""
import xml.etree.ElementTree as ET

from conftest import _run, capture, fields, frame


def pdml(pcap, num, extra=()):
    """The <packet> element of frame num (two-pass)."""
    out = _run(["-n", "-2", "-r", capture(pcap), "-Y", f"frame.number == {num}", "-T", "pdml"] + list(extra))
    packets = ET.fromstring(out).findall("packet")
    assert len(packets) == 1, f"frame {num} of {pcap}: {len(packets)} packets"
    return packets[0]


def protos(pkt, name):
    return [p for p in pkt.findall("proto") if p.get("name") == name]


def message(pkt):
    """The msstun top-level item that holds the STUN message (it has msstun.type)."""
    msgs = [p for p in protos(pkt, "msstun") if p.find("field[@name='msstun.type']") is not None]
    assert len(msgs) == 1, [p.get("showname") for p in protos(pkt, "msstun")]
    return msgs[0]


def child_names(el):
    return [f.get("name") for f in el.findall("field")]


def field(el, name):
    """The one field called name anywhere below el."""
    found = [f for f in el.iter("field") if f.get("name") == name]
    assert len(found) == 1, f"{name}: {len(found)} items"
    return found[0]


def assert_visible(f):
    assert f.get("hide") != "yes", f"{f.get('name')} is hidden: {f.get('showname')}"


# ---- Request In / Response In / Time first, as the built-in places them ---------------

def test_response_in_leads_the_request():
    msg = message(pdml("coturn/turn-udp.pcap", 9))
    names = child_names(msg)
    assert names[0] == "msstun.response-in", names
    assert field(msg, "msstun.response-in").get("show") == "10"
    assert names.index("msstun.response-in") < names.index("msstun.type") < names.index("msstun.attributes")


def test_request_in_and_time_lead_the_response():
    msg = message(pdml("coturn/turn-udp.pcap", 10))
    names = child_names(msg)
    assert names[:3] == ["msstun.response-to", "msstun.time", "msstun.type"], names
    assert field(msg, "msstun.response-to").get("show") == "9"
    assert float(field(msg, "msstun.time").get("show")) > 0


def test_transaction_items_in_the_builtins_order():
    """The same frame decoded by the built-in: its tracking items sit where ours do."""
    ours = child_names(message(pdml("coturn/turn-udp.pcap", 10)))
    pkt = pdml("coturn/turn-udp.pcap", 10, ["--disable-protocol", "msstun"])
    theirs = child_names(protos(pkt, "stun")[0])
    assert [n[len("msstun."):] for n in ours[:3]] == [n[len("stun."):] for n in theirs[:3]], (ours, theirs)


def test_retransmission_links_lead_the_message():
    # rfc6062.pcap: frame 12 repeats the check of frame 11 (same bytes), answered in 13
    first = message(pdml("vectors/rfc6062.pcap", 11))
    assert child_names(first)[:2] == ["msstun.response-in", "msstun.retransmissions"]
    again = message(pdml("vectors/rfc6062.pcap", 12))
    names = child_names(again)
    assert names[:2] == ["msstun.response-in", "msstun.reqduplicate"], names
    assert field(again, "msstun.reqduplicate").get("show") == "11"


# ---- expandable lines with clickable frame numbers ---------------------------------------

def test_allocation_line_expands_into_visible_frame_links():
    msg = message(pdml("coturn/turn-udp.pcap", 10))
    alloc = field(msg, "msstun.alloc")
    assert alloc.get("showname").startswith("TURN allocation 2, relayed 127.0.0.2:50075, requested in frame 7")
    inside = {f.get("name"): f for f in alloc.findall("field")}
    assert set(inside) == {"msstun.alloc.requested_in", "msstun.alloc.success_in", "msstun.alloc.relayed",
                           "msstun.alloc.deleted_in"}
    for name in ("msstun.alloc.requested_in", "msstun.alloc.success_in", "msstun.alloc.deleted_in"):
        assert_visible(inside[name])
    # the relayed address is in the line's text; the field is there for filters
    assert inside["msstun.alloc.relayed"].get("show") == "127.0.0.2:50075"
    assert inside["msstun.alloc.requested_in"].get("show") == "7"
    assert inside["msstun.alloc.success_in"].get("show") == "10"
    assert inside["msstun.alloc.deleted_in"].get("show") == "66"
    # the same values the filters see
    r = frame("coturn/turn-udp.pcap", 10, ["msstun.alloc.requested_in", "msstun.alloc.success_in"])
    assert (r["msstun.alloc.requested_in"], r["msstun.alloc.success_in"]) == ("7", "10")


def test_ice_pair_line_expands_into_frame_links():
    rows = fields("libnice/ice-rfc5245-udp.pcap",
                  ["frame.number", "msstun.type", "msstun.ice.answered", "msstun.ice.answered_in",
                   "msstun.ice.reverse.answered_in", "msstun.ice.nominated", "msstun.ice.nominated_in"],
                  filt="msstun.ice.pair")
    by = {r["frame.number"]: r for r in rows}
    req = next(r for r in rows if r["msstun.type"] == "0x0001" and r["msstun.ice.answered_in"])
    # the links point at success responses of the pair
    assert by[req["msstun.ice.answered_in"]]["msstun.type"] == "0x0101"
    assert by[req["msstun.ice.reverse.answered_in"]]["msstun.type"] == "0x0101"
    assert req["msstun.ice.answered_in"] != req["msstun.ice.reverse.answered_in"]
    nom = next(r for r in rows if r["msstun.ice.nominated_in"])
    assert int(nom["msstun.ice.nominated"]) >= 1 and by[nom["msstun.ice.nominated_in"]]["msstun.type"] == "0x0101"

    pair = field(message(pdml("libnice/ice-rfc5245-udp.pcap", int(req["frame.number"]))), "msstun.ice.pair")
    inside = {f.get("name"): f for f in pair.findall("field")}
    for name in ("msstun.ice.answered_in", "msstun.ice.reverse.answered_in"):
        assert name in inside, (name, list(inside))
        assert_visible(inside[name])
    assert inside["msstun.ice.answered_in"].get("show") == req["msstun.ice.answered_in"]
    # the counts are in the line's text ("this way 1/1 answered"); the fields are there for filters
    assert inside["msstun.ice.answered"].get("show") == req["msstun.ice.answered"]
    assert f"this way {req['msstun.ice.answered']}/" in pair.get("showname")


# ---- message type and method --------------------------------------------------------------

def test_msturn_data_indication_has_no_contradicting_class_or_method():
    msg = message(pdml("vectors/ms-turn-udp.pcap", 6))
    t = field(msg, "msstun.type")
    assert t.get("showname") == "Message Type: 0x0115 (Data Indication)"
    assert child_names(t) == ["msstun.ms.msg_type"]
    assert field(t, "msstun.ms.msg_type").get("showname") == "MS-TURN Message Type: Data Indication (0x0115)"
    names = {f.get("name") for f in msg.iter("field")}
    assert not names & {"msstun.type.class", "msstun.type.method", "msstun.type.method-assignment"}
    # Set Active Destination (0x0006) is a fixed code too, not "Send Request"
    t = field(message(pdml("vectors/ms-turn-udp.pcap", 5)), "msstun.type")
    assert child_names(t) == ["msstun.ms.msg_type"]


def test_msturn_class_method_type_keeps_its_bits():
    t = field(message(pdml("vectors/ms-turn-udp.pcap", 4)), "msstun.type")
    assert child_names(t) == ["msstun.ms.msg_type", "msstun.type.class", "msstun.type.method",
                              "msstun.type.method-assignment"]
    assert field(t, "msstun.type.class").get("showname").endswith("Message Class: Success Response (0x10)")
    assert field(t, "msstun.type.method").get("showname").endswith("Message Method: Allocate (0x0003)")


def test_method_field_shows_the_method_name():
    t = field(message(pdml("coturn/turn-udp.pcap", 9)), "msstun.type")
    assert field(t, "msstun.type.method").get("showname") == "..00 000. 000. 0011 = Message Method: Allocate (0x0003)"
    t = field(message(pdml("vectors/rfc6062.pcap", 9)), "msstun.type")
    assert field(t, "msstun.type.method").get("showname").endswith("Message Method: ConnectionBind (0x000b)")
    # the value filters and -T fields see is unchanged (the built-in's stun.type.method)
    assert frame("vectors/rfc6062.pcap", 9, ["msstun.type.method"])["msstun.type.method"] == "0x000b"


# ---- one top-level line per layer, Info leads with the message ---------------------------

def test_rfc6062_relayed_check_has_distinctly_named_layers():
    pkt = pdml("vectors/rfc6062.pcap", 11)
    tops = [p.get("showname") for p in protos(pkt, "msstun")]
    assert len(tops) == 3 and len(set(tops)) == 3, tops
    conn, framing, msg = protos(pkt, "msstun")
    assert conn.get("showname") == \
        "TURN RFC 6062 data connection, CONNECTION-ID 0x12345678, peer 192.0.2.210:49191"
    assert int(conn.get("size")) == 110          # around the whole relayed stream segment
    links = {f.get("name"): f for f in conn.findall("field")}
    assert links["msstun.rfc6062.announced_in"].get("show") == "4"
    assert links["msstun.rfc6062.bound_in"].get("show") == "9"
    for f in links.values():
        assert_visible(f)
    assert framing.get("showname") == "RFC 4571 framing (msstun plugin)"
    assert msg.get("showname") == "MS-STUN/TURN/ICE (msstun plugin), Binding Request"
    assert msg.find("field[@name='msstun.type']") is not None


def test_info_leads_with_the_relayed_message():
    rows = fields("vectors/rfc6062.pcap", ["frame.number", "_ws.col.Info"])
    info = {int(r["frame.number"]): r["_ws.col.Info"] for r in rows}
    assert info[11] == "Binding Request user: REMOTEUF:LOCALUF (RFC 6062 data connection 0x12345678)"
    assert info[12] == info[11]
    assert info[13] == ("Binding Success Response XOR-MAPPED-ADDRESS: 192.0.2.10:50101 "
                        "(RFC 6062 data connection 0x12345678)")


def test_stats_tree_title_names_the_plugin():
    out = _run(["-n", "-q", "-r", capture("vectors/rfc6062.pcap"), "-z", "msstun,tree"])
    assert "\nMS-STUN, TURN and ICE Messages (msstun plugin):\n" in out
