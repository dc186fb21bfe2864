# SPDX-License-Identifier: GPL-2.0-or-later
"""Parity with Wireshark's built-in STUN dissector.

For every capture in captures/**/*.pcap, tshark runs twice in two-pass mode:
once with msstun disabled (the built-in `stun`, `classicstun` and
`turnchannel` dissectors) printing every built-in `stun.*` field, and once
with msstun enabled printing the same fields renamed `msstun.*`. Wherever the
built-in prints a value, msstun must print the same value (README: "every
stun.X field of the built-in has an msstun.X twin with the same value"), and
every frame the built-in decodes as stun / classicstun / turnchannel must
contain msstun.

Differences with a legitimate reason are listed in EXCEPTIONS (each with its
reason). Differences that are msstun bugs are listed in KNOWN_BUGS: they are
left out of the per-capture tests and each one gets a test of its own marked
xfail(strict=True), so that fixing the bug makes that test XPASS (= fail) and
the entry must then be deleted.

Each capture is run once per side (the results are cached for the module).
"""
import functools
import glob
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, FrozenSet, Optional

import pytest

from conftest import _run, fields

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPTURES = sorted(os.path.relpath(p, os.path.join(REPO, "captures"))
                  for p in glob.glob(os.path.join(REPO, "captures", "**", "*.pcap"), recursive=True))
BUILTIN_PROTOS = {"stun", "classicstun", "turnchannel"}


# ---- the field list ------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def registered_fields():
    """{abbrev: ftype} of every field registered with tshark (msstun loaded)."""
    out = _run(["-G", "fields"])
    reg = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if cols[0] == "F" and len(cols) >= 5:
            reg[cols[2]] = (cols[3], cols[4])
    return reg


@functools.lru_cache(maxsize=None)
def stun_fields():
    """The built-in's value-carrying fields: protocol column `stun`, not
    FT_NONE / FT_PROTOCOL (those are subtrees and expert-only items)."""
    names = sorted(n for n, (ft, proto) in registered_fields().items()
                   if proto == "stun" and ft not in ("FT_NONE", "FT_PROTOCOL"))
    assert len(names) > 50, "tshark -G fields lists too few stun.* fields"
    return tuple(names)


def twin(name):
    return "msstun" + name[len("stun"):]


# ---- running both sides once per capture --------------------------------------------

@functools.lru_cache(maxsize=None)
def both_sides(cap):
    """(builtin rows, msstun rows) for one capture; each row maps the stun.*
    name to its value (msstun side renamed back), plus frame.number,
    frame.protocols and `_proto`."""
    names = stun_fields()
    base = ["frame.number", "frame.protocols"]
    # Wireshark 4.4+ sends STUN on SDP-negotiated RTP ports to the built-in STUN
    # dissector (rtp.version0_type); both sides use 4.0's setting so they compare
    opts = ["-o", "rtp.version0_type:Invalid or ZRTP packets"]
    with ThreadPoolExecutor(max_workers=2) as ex:      # the two sides in parallel
        fb = ex.submit(fields, cap, base + list(names), extra=["--disable-protocol", "msstun"] + opts)
        fm = ex.submit(fields, cap, base + [twin(n) for n in names], extra=opts)
        b, m = fb.result(), fm.result()
    m = [dict(r, **{n: r[twin(n)] for n in names}) for r in m]
    assert len(b) == len(m), f"{cap}: {len(b)} frames with the built-in, {len(m)} with msstun"
    for rb, rm in zip(b, m):
        assert rb["frame.number"] == rm["frame.number"]
    return b, m


def vals(v):
    return v.split(",") if v else []


def types(row):
    """Attribute types of a row as ints (msstun side: all attributes)."""
    return {int(t, 16) for t in vals(row["stun.att.type"]) if t.startswith("0x")}


# ---- exception and known-bug tables ---------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One accepted difference (or known bug).

    captures: None = any capture, else the set of capture names it applies to.
    frames:   None = any frame, else a set of frame numbers.
    when:     optional predicate (builtin_row, msstun_row) -> bool on top of frames.
    fields:   the stun.* names it covers.
    kind:     "missing": accepted only if msstun's list of values is the
              built-in's with some items left out (nothing changed or added);
              "extra": only if the built-in's list is msstun's with items left out;
              None: any difference.
    reason:   why (for a bug: what is wrong, built-in value vs msstun value).
    must_match: the rule must cover at least one difference (else it is stale).
    """
    key: str
    fields: FrozenSet[str]
    reason: str
    captures: Optional[FrozenSet[str]] = None
    frames: Optional[FrozenSet[int]] = None
    when: Optional[Callable] = None
    kind: Optional[str] = None
    must_match: bool = True

    def covers(self, cap, rb, rm, name):
        if self.fields is not ANY_FIELD and name not in self.fields:
            return False
        if self.captures is not None and cap not in self.captures:
            return False
        if self.frames is not None and int(rb["frame.number"]) not in self.frames:
            return False
        if self.when is not None and not self.when(rb, rm):
            return False
        if self.kind == "missing" and not is_sublist(vals(rm[name]), vals(rb[name])):
            return False
        if self.kind == "extra" and not is_sublist(vals(rb[name]), vals(rm[name])):
            return False
        return True


def is_sublist(small, big):
    """small is big with items left out (order kept), and shorter than big."""
    it = iter(big)
    return len(small) < len(big) and all(any(x == y for y in it) for x in small)


def msturn(rb, rm):
    """msstun decodes the frame as [MS-TURN] (legacy header, network_version 1)."""
    return "1" in vals(rm["stun.network_version"])


def has_attr(*ts):
    return lambda rb, rm: bool(types(rm) & set(ts))


F = frozenset
ANY_FIELD = F({"*"})   # a rule for every stun.* field


def nested_stun(rb, rm):
    """msstun decodes more STUN messages in the frame than the built-in: the
    ones relayed inside a Send / Data indication's DATA attribute."""
    return len(vals(rm["stun.type"])) > len(vals(rb["stun.type"]))
ADDR_FIELDS = F({"stun.att.family", "stun.att.ipv4", "stun.att.ipv6", "stun.att.port", "stun.att.ipv4-xord",
                 "stun.att.ipv6-xord", "stun.att.port-xord", "stun.att.reserved"})
ATTR_WALK = F({"stun.attribute", "stun.att.type", "stun.att.type.comprehension", "stun.att.type.assignment",
               "stun.att.length", "stun.att.padding"})

EXCEPTIONS = [
    Rule("msturn-header",
         F({"stun.cookie", "stun.id", "stun.network_version"}),
         "[MS-TURN] messages (msstun.network_version == 1) have a 128-bit transaction ID and no cookie field; "
         "the built-in reads the first 4 TID bytes 2112a442 as an RFC 5389 cookie (network_version 3) "
         "and a 96-bit ID (also malformed.pcap item f, s01 with a wrong MAGIC-COOKIE value, which msstun "
         "keeps decoding as [MS-TURN] and flags with msstun.att.magic_cookie.bad)",
         when=msturn),
    Rule("msturn-attribute-walk",
         ATTR_WALK | F({"stun.att.nonce", "stun.att.realm"}),
         "[MS-TURN] attributes are not padded and REALM = 0x0015 / NONCE = 0x0014 ([MS-TURN] 2.2.2); the "
         "built-in assumes RFC 5389 padding (its attribute walk goes out of step: 'bogus' lengths, extra "
         "Padding items) and uses the RFC 5389 numbers (NONCE 0x0015 shows the realm text)",
         when=msturn),
    Rule("msturn-remote-address",
         ADDR_FIELDS,
         "[MS-TURN] 0x0012 is REMOTE-ADDRESS, a plain address ([MS-TURN] 2.2.2.11); the built-in XOR-decodes "
         "it as RFC 5766 XOR-PEER-ADDRESS (s05: 225.18.166.92:12954 instead of 192.0.2.30:5000)",
         when=msturn),
    Rule("msturn-transactions",
         F({"stun.response-in", "stun.response-to", "stun.time", "stun.reqduplicate"}),
         "the built-in matches [MS-TURN] messages by a 96-bit ID that all MS vectors share and reads the "
         "0x0115 Data Indication as an error response (so it links it to the Allocate); msstun matches "
         "by the 128-bit ID and an indication answers nothing",
         when=msturn),
    Rule("msturn-fixed-types",
         F({"stun.type.class", "stun.type.method", "stun.type.method-assignment"}),
         "[MS-TURN] 2.2.1 fixed message types (0x0004 Send, 0x0115 Data Indication, 0x0006 Set Active "
         "Destination and their responses) are not class/method encoded: msstun shows no IETF class/method "
         "bits for them (0x0115 would read as an Error Response of method 0x005)",
         when=lambda rb, rm: msturn(rb, rm) and bool(set(vals(rm["stun.type"])) & {
             "0x0004", "0x0104", "0x0114", "0x0115", "0x0006", "0x0106", "0x0116"}),
         kind="missing"),
    Rule("msturnbwm-0x8058-order",
         F({"stun.att.bandwidth_rsv_amount.misb", "stun.att.bandwidth_rsv_amount.masb",
            "stun.att.bandwidth_rsv_amount.mirb", "stun.att.bandwidth_rsv_amount.marb"}),
         "[MS-TURNBWM] 2.2.3 BANDWIDTH-RESERVATION-AMOUNT starts with Minimum Send Bandwidth (msstun: MinSend, "
         "MaxSend, MinRecv, MaxRecv); the built-in reads MaxSend, MinSend, MaxRecv, MinRecv "
         "(shared/reference/protocol.md: Wireshark bug)",
         when=has_attr(0x8058)),
    Rule("rfc8656-icmp-layout",
         F({"stun.att.icmp.type", "stun.att.icmp.code"}),
         "RFC 8656 18.13 ICMP (0x8004): Reserved (2 bytes), then type (7 bits) and code (9 bits); the built-in "
         "reads type and code from bytes 0 and 1",
         when=has_attr(0x8004), must_match=False),
    Rule("rfc5780-response-port",
         ADDR_FIELDS,
         "0x0027 is RFC 5780 RESPONSE-PORT (port + 2 reserved bytes); the built-in decodes it as the old draft's "
         "XOR-RESPONSE-TARGET address (family 0xbe, port 8466 from the reserved bytes)",
         when=has_attr(0x0027)),
    Rule("unknown-attributes-typed",
         F({"stun.attribute", "stun.att.type", "stun.att.type.comprehension", "stun.att.type.assignment"}),
         "the built-in adds no type items for attributes it does not know (0x0031, 0xC0FF: only an "
         "'Unknown attribute' expert); msstun lists every attribute's type",
         captures=F({"vectors/malformed.pcap"}), frames=F({8}), kind="extra"),
    Rule("fingerprint-not-last",
         F({"stun.att.crc32.status"}),
         "FINGERPRINT followed by MESSAGE-INTEGRITY (malformed.pcap item e): RFC 5389 15.5 says FINGERPRINT "
         "is last, so msstun flags it (msstun.att.crc32.not_last) and leaves the CRC unverified (2) "
         "instead of checking it over a message that continues after it (built-in: Good)",
         captures=F({"vectors/malformed.pcap"}), frames=F({5})),
    Rule("stun-inside-data",
         ANY_FIELD,
         "ICE checks relayed by TURN (webrtcbin through coturn): msstun also decodes the STUN message inside a "
         "Send / Data indication's DATA attribute (README: TURN payloads are handed on); the built-in shows "
         "those bytes as data, so every field lists the outer message's values, then the inner one's",
         when=nested_stun, kind="extra"),
    Rule("msice2-legacy-fingerprint",
         F({"stun.att.crc32.status"}),
         "the second copy of a libnice [MS-ICE2] check carries the legacy FINGERPRINT (CRC-32 table entry "
         "0x5A = 0x08bbe8ea, protocol.md f.5): msstun verifies it as variant 2 (tests/test_dialects.py), the "
         "built-in calls it bad",
         captures=F({"libnice/ice-oc2007r2-udp.pcap", "libnice/ice-oc2007r2-tcp.pcap",
                     "libnice/ice-oc2007r2-no-nomination.pcap"}), frames=F({2, 4, 13})),
]

# msstun bugs: each was reported to the lead; each gets an xfail(strict=True) test.
KNOWN_BUGS = [
    # none open. The last, "peer-leg-between-two-allocations" (a check between two allocations' relayed
    # addresses on one host went out on one leg and came back on the other, so it was not matched), was
    # fixed 2026-12-02: turn.c pin_peer_leg; test_realworld.py checks frame 48 -> 51.
]

# Twins registered with another field type: name -> reason.
TYPE_EXCEPTIONS = {
    "stun.att.icmp.code": "RFC 8656 18.13: the ICMP code is 9 bits wide (FT_UINT16 in msstun); the built-in "
                          "reads one byte (FT_UINT8). Filters such as msstun.att.icmp.code == 3 port unchanged.",
}

# Frames the built-in decodes as stun/classicstun/turnchannel that msstun may
# leave alone: (capture, frame number) -> reason. None so far.
DECODE_EXCEPTIONS = {
    ("webrtc/not-stun.pcap", 5): "a blob with first bits 00 that fills the datagram but whose attributes do not "
                                 "tile: msstun claims only STUN (issue: RFC 7983 demultiplexing); the built-in "
                                 "classicstun takes it, as it does without msstun",
}

for _r in EXCEPTIONS + KNOWN_BUGS:
    assert _r.reason.strip() and _r.fields, _r.key
assert all(r.strip() for r in list(DECODE_EXCEPTIONS.values()) + list(TYPE_EXCEPTIONS.values()))


def differences(cap):
    """[(frame, field, builtin value, msstun value, rule or None)]"""
    b, m = both_sides(cap)
    out = []
    for rb, rm in zip(b, m):
        for n in stun_fields():
            if rb[n] and rb[n] != rm[n]:
                rule = next((r for r in EXCEPTIONS + KNOWN_BUGS if r.covers(cap, rb, rm, n)), None)
                out.append((int(rb["frame.number"]), n, rb[n], rm[n], rule))
    return out


def fmt(cap, diffs, limit=40):
    lines = [f"{cap} frame {f} {n}: built-in {vb!r} msstun {vm!r}" for f, n, vb, vm, _ in diffs[:limit]]
    if len(diffs) > limit:
        lines.append(f"... and {len(diffs) - limit} more")
    return "\n".join(lines)


# ---- tests -----------------------------------------------------------------------------

def test_parity_captures_found():
    assert len(CAPTURES) >= 20, CAPTURES
    assert {c.split("/")[0] for c in CAPTURES} >= {"vectors", "coturn", "libnice"}


def test_parity_every_stun_field_has_a_twin():
    reg = registered_fields()
    missing = [n for n in stun_fields() if twin(n) not in reg]
    assert not missing, f"no msstun twin registered for {missing}"
    wrong = [n for n in stun_fields() if reg[twin(n)][0] != reg[n][0] and n not in TYPE_EXCEPTIONS]
    assert not wrong, "twins of another field type: " + ", ".join(
        f"{n} {reg[n][0]} / {twin(n)} {reg[twin(n)][0]}" for n in wrong)


@pytest.mark.parametrize("cap", CAPTURES, ids=CAPTURES)
def test_parity_field_values(cap):
    bad = [d for d in differences(cap) if d[4] is None]
    assert not bad, "msstun differs from the built-in (no exception, no known bug):\n" + fmt(cap, bad)


@pytest.mark.parametrize("cap", CAPTURES, ids=CAPTURES)
def test_parity_frames_decoded(cap):
    b, m = both_sides(cap)
    bad = []
    for rb, rm in zip(b, m):
        pb = set(rb["frame.protocols"].split(":"))
        if pb & BUILTIN_PROTOS and "msstun" not in rm["frame.protocols"].split(":") \
                and (cap, int(rb["frame.number"])) not in DECODE_EXCEPTIONS:
            bad.append(f"frame {rb['frame.number']}: built-in {rb['frame.protocols']} / "
                       f"msstun run {rm['frame.protocols']}")
    assert not bad, f"{cap}: frames the built-in decodes but msstun does not:\n" + "\n".join(bad[:40])


def test_parity_exceptions_still_needed():
    """An exception that covers no difference any more hides nothing: delete it."""
    used = {r.key for cap in CAPTURES for *_, r in differences(cap) if r is not None}
    stale = [r.key for r in EXCEPTIONS if r.must_match and r.key not in used]
    assert not stale, f"exceptions that match no difference: {stale}"


@pytest.mark.parametrize("bug", [pytest.param(r, id=r.key, marks=pytest.mark.xfail(strict=True, reason=r.reason))
                                 for r in KNOWN_BUGS])
def test_parity_known_bug(bug):
    diffs = [(cap, d) for cap in CAPTURES for d in differences(cap) if d[4] is bug]
    assert not diffs, bug.reason + "\n" + "\n".join(fmt(cap, [d]) for cap, d in diffs[:40])
