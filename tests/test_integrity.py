# SPDX-License-Identifier: GPL-2.0-or-later
"""MESSAGE-INTEGRITY verification with credentials (issue 5): the
msstun_credentials UAT given on the command line, the msstun.password
preference, ICE passwords learned from SDP, the three HMAC input rules
(msstun.att.hmac.rule), USERHASH, and bad input that must not crash."""
import hashlib
import hmac
import os
import struct
import subprocess
import tempfile

import pytest

from conftest import AS_TSHARK_USER, WORK, fields

STATUS, RULE, CRED = "msstun.att.hmac.status", "msstun.att.hmac.rule", "msstun.att.hmac.credential"
EXPERT = "_ws.expert.message"
GOOD, BAD, UNVERIFIED = "1", "0", "2"


def uat(user, realm, password, key_hex=""):
    """The documented command-line form: -o 'uat:msstun_credentials:"u","r","p","k"'."""
    return ["-o", f'uat:msstun_credentials:"{user}","{realm}","{password}","{key_hex}"']


# RFC 5769 / 8489 credentials (shared/vectors/README.md)
RFC5769_SHORT = uat("evtj", "", "VOkJxbRl1RmTxUk/WvJxBt")
RFC5769_LONG = uat("マトリックス", "example.org", "TheMatrIX")
# libnice (captures/libnice/README.md)
ICE_L = uat("msstunLufrag", "", "msstunLpasswordLLLLLLLL")
ICE_R = uat("msstunRufrag", "", "msstunRpasswordRRRRRRRR")
# coturn (captures/coturn/README.md)
COTURN = uat("alice", "example.org", "secret")


# Wireshark 4.4+ hands STUN on SDP-negotiated RTP ports to its built-in STUN
# dissector (rtp.version0_type defaults to RFC 7983 multiplexing): keep 4.0's
# behaviour so msstun sees the checks on every version
RTP_NO_MUX = ["-o", "rtp.version0_type:Invalid or ZRTP packets"]


def mi_rows(pcap, extra, **kw):
    if pcap.startswith("sdp/"):
        extra = list(extra) + RTP_NO_MUX
    rows = fields(pcap, ["frame.number", STATUS, RULE, CRED, EXPERT], extra=extra, **kw)
    return [r for r in rows if r[STATUS]]


# ---- pcap helpers (bytes made at runtime under MSSTUN_TEST_WORK) ----------

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, "classic little-endian pcap expected"
    hdr, recs, off = data[:24], [], 24
    while off + 16 <= len(data):
        ts1, ts2, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        recs.append([ts1, ts2, bytearray(data[off + 16:off + 16 + incl]), orig])
        off += 16 + incl
    return hdr, recs


def write_pcap(hdr, recs):
    fd, path = tempfile.mkstemp(suffix=".pcap", dir=WORK)
    with os.fdopen(fd, "wb") as f:
        f.write(hdr)
        for ts1, ts2, data, orig in recs:
            f.write(struct.pack("<IIII", ts1, ts2, len(data), max(orig, len(data))) + bytes(data))
    os.chmod(path, 0o644)
    return path


def udp_payload_offset(frame):
    """Ethernet / IPv4 / UDP only (as the vector captures are)."""
    assert frame[12:14] == b"\x08\x00" and frame[23] == 17
    return 14 + (frame[14] & 0x0F) * 4 + 8


def mi_value_offset(stun, types=(0x0008, 0x001C)):
    off = 20
    while off + 4 <= len(stun):
        t, ln = struct.unpack("!HH", stun[off:off + 4])
        if t in types:
            return off + 4
        off += 4 + ln + (-ln % 4)
    return None


def mutated(pcap, frame_no):
    """Copy of a vector capture with one HMAC byte flipped in frame_no."""
    hdr, recs = read_pcap(os.path.join(WORK, "captures", pcap))
    frame = recs[frame_no - 1][2]
    p = udp_payload_offset(frame)
    v = mi_value_offset(bytes(frame[p:]))
    assert v is not None
    frame[p + v + 5] ^= 0x01
    return write_pcap(hdr, recs)


def udp_frame(payload, sport=40000, dport=3478):
    ip_src, ip_dst = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 20])
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, 64, 17, 0, ip_src, ip_dst)
    s = sum(struct.unpack("!10H", ip))
    s = (s & 0xFFFF) + (s >> 16)
    ip = ip[:10] + struct.pack("!H", ~s & 0xFFFF) + ip[12:]
    return b"\x02\x00\xc0\x00\x02\x14\x02\x00\xc0\x00\x02\x0a\x08\x00" + ip + udp


def attr(t, v, pad=True):
    return struct.pack("!HH", t, len(v)) + v + (b"\0" * (-len(v) % 4) if pad else b"")


def stun(attrs, msg_type=0x0001, tid=b"\x11" * 12, length=None):
    body = b"".join(attrs)
    return struct.pack("!HHI", msg_type, len(body) if length is None else length, 0x2112A442) + tid + body


def crafted_pcap(messages):
    hdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    return write_pcap(hdr, [[1767225600 + i, 0, bytearray(udp_frame(m)), 0] for i, m in enumerate(messages)])


def rfc5389_mi(body_attrs, key, tid=b"\x22" * 12, sha256=False):
    """A Binding request with a correct RFC 5389 MI (the reference computation in Python)."""
    body = b"".join(body_attrs)
    mi_len = 32 if sha256 else 20
    head = struct.pack("!HHI", 0x0001, len(body) + 4 + mi_len, 0x2112A442) + tid + body
    mac = hmac.new(key, head, hashlib.sha256 if sha256 else hashlib.sha1).digest()
    return head + attr(0x001C if sha256 else 0x0008, mac)


# ---- Published vectors ----------------------------------------------------

def test_rfc5769_all_good():
    rows = mi_rows("vectors/rfc5769.pcap", RFC5769_SHORT + RFC5769_LONG)
    assert [(r["frame.number"], r[STATUS], r[RULE]) for r in rows] == [
        ("1", GOOD, "1"), ("2", GOOD, "1"), ("3", GOOD, "1"), ("4", GOOD, "1")]
    # responses carry no USERNAME: checked with the key of the request (same transaction ID)
    assert rows[1][CRED] == "UAT user evtj (from the request in frame 1)"
    assert rows[3][CRED] == "UAT user マトリックス"
    assert "msstun.att.hmac.bad" not in "".join(r[EXPERT] for r in rows)


# msstun.password is a password preference since issue 12, which Wireshark takes neither
# from -o nor from the preferences file (GUI only); a UAT row with an empty username and
# realm is the command-line "password to try" (same rule: tried, never "bad")
def test_password_to_try_short_term():
    rows = mi_rows("vectors/rfc5769.pcap", uat("", "", "VOkJxbRl1RmTxUk/WvJxBt"))
    # frame 4 is long-term (another password): the password to try does not fit it, which
    # says nothing about the message, so it stays unverified (was "bad" before issue 12)
    assert [r[STATUS] for r in rows] == [GOOD, GOOD, GOOD, UNVERIFIED]
    assert rows[0][CRED] == "UAT user (any)"
    assert "Bad MESSAGE-INTEGRITY" not in rows[3][EXPERT]


def test_password_to_try_long_term():
    rows = mi_rows("vectors/rfc5769.pcap", uat("", "", "TheMatrIX"))
    assert rows[3][STATUS] == GOOD and rows[3][CRED] == "UAT user (any)"


def test_rfc8489_b1_sha256_and_userhash():
    r = fields("vectors/rfc8489-b1.pcap", [STATUS, RULE, CRED, "msstun.att.userhash.user"], extra=RFC5769_LONG)[0]
    assert r == {STATUS: GOOD, RULE: "1", CRED: "UAT user マトリックス (USERHASH)",
                 "msstun.att.userhash.user": "マトリックス"}


def test_rfc8489_b1_as_published_does_not_verify():
    r = fields("vectors/rfc8489-b1-invalid.pcap", [STATUS, EXPERT], extra=RFC5769_LONG)[0]
    assert r[STATUS] != GOOD


@pytest.mark.parametrize("pcap,frame_no,creds", [
    ("vectors/rfc5769.pcap", 1, RFC5769_SHORT),
    ("vectors/rfc5769.pcap", 2, RFC5769_SHORT),
    ("vectors/rfc5769.pcap", 3, RFC5769_SHORT),
    ("vectors/rfc5769.pcap", 4, RFC5769_LONG),
    ("vectors/rfc8489-b1.pcap", 1, RFC5769_LONG),
])
def test_one_byte_change_fails(pcap, frame_no, creds):
    path = mutated(pcap, frame_no)
    rows = fields(path, ["frame.number", STATUS, RULE, EXPERT], extra=creds)
    r = [x for x in rows if x["frame.number"] == str(frame_no)][0]
    assert r[STATUS] == BAD and r[RULE] == ""
    assert "Bad MESSAGE-INTEGRITY" in r[EXPERT]


def test_no_credentials_unverified_no_expert():
    rows = mi_rows("vectors/rfc5769.pcap", [])
    assert [r[STATUS] for r in rows] == [UNVERIFIED] * 4
    assert not any("MESSAGE-INTEGRITY" in r[EXPERT] for r in rows)


def test_expert_filter_names():
    rows = fields(mutated("vectors/rfc5769.pcap", 1), ["frame.number"], extra=RFC5769_SHORT,
                  filt="msstun.att.hmac.bad")
    assert [r["frame.number"] for r in rows] == ["1"]


# ---- Real captures ----------------------------------------------------------

def test_coturn_long_term_all_good():
    rows = mi_rows("coturn/turn-udp.pcap", COTURN)
    assert len(rows) >= 30
    assert {(r[STATUS], r[RULE]) for r in rows} == {(GOOD, "1")}


def test_coturn_wrong_password_client_bad():
    # uclient was run with -w wrong (README): with the right password its MIs fail
    rows = mi_rows("coturn/wrong-password.pcap", COTURN)
    assert len(rows) == 31
    assert {r[STATUS] for r in rows} == {BAD}
    # and with the password it actually used, they verify
    rows = mi_rows("coturn/wrong-password.pcap", uat("alice", "example.org", "wrong"))
    assert {r[STATUS] for r in rows} == {GOOD}


@pytest.mark.parametrize("pcap,rule", [
    ("libnice/ice-rfc5245-udp.pcap", "1"),
    ("libnice/ice-rfc5245-tcp.pcap", "1"),
    ("libnice/ice-oc2007r2-udp.pcap", "3"),   # [MS-ICE2] legacy: IMPLEMENTATION-VERSION 2
    ("libnice/ice-oc2007r2-tcp.pcap", "3"),
])
def test_libnice_ice(pcap, rule):
    rows = mi_rows(pcap, ICE_L + ICE_R)
    assert len(rows) >= 4
    assert {(r[STATUS], r[RULE]) for r in rows} == {(GOOD, rule)}


def test_libnice_ice_one_password_only():
    # only L's password: requests to L (USERNAME "msstunLufrag:...") and their responses verify
    rows = fields("libnice/ice-rfc5245-udp.pcap", ["msstun.att.username", STATUS, "msstun.type"], extra=ICE_L)
    for r in rows:
        if r[STATUS] and r["msstun.type"] == "0x0001":
            want = GOOD if r["msstun.att.username"].startswith("msstunLufrag:") else UNVERIFIED
            assert r[STATUS] == want


def test_libnice_msturn_allocate():
    rows = mi_rows("libnice/msturn-allocate-oc2007-auth.pcap", uat("msstunuser12", "msstun.test.", "msstunpass12"))
    got = {r["frame.number"]: (r[STATUS], r[RULE]) for r in rows}
    assert got["3"] == (GOOD, "2") and got["4"] == (GOOD, "2")


def test_synthetic_ms_turn_s04():
    rows = mi_rows("vectors/ms-turn-udp.pcap", uat("alice", "SIP Communications Service", "secret"))
    got = {r["frame.number"]: (r[STATUS], r[RULE]) for r in rows}
    assert got["4"] == (GOOD, "2")


def test_synthetic_rfc6062_connectionbind():
    rows = mi_rows("vectors/rfc6062.pcap", uat("George", "example.com", "secret"))
    got = {r["frame.number"]: (r[STATUS], r[RULE]) for r in rows}
    assert got["9"] == (GOOD, "1")


def test_key_hex_overrides():
    key = hashlib.md5("マトリックス:example.org:TheMatrIX".encode()).hexdigest()
    rows = mi_rows("vectors/rfc5769.pcap",
                   uat("evtj", "", "wrong", "VOkJxbRl1RmTxUk/WvJxBt".encode().hex())
                   + uat("マトリックス", "example.org", "wrong", ":".join(key[i:i + 2] for i in range(0, 32, 2))))
    assert [r[STATUS] for r in rows] == [GOOD] * 4


# ---- SDP learning ------------------------------------------------------------

def test_sdp_learned_ice_passwords():
    rows = mi_rows("sdp/sip-sdp-ice-rfc5245-udp.pcap", [])
    assert len(rows) == 4
    assert {(r[STATUS], r[RULE]) for r in rows} == {(GOOD, "1")}
    assert rows[0][CRED] == "SDP a=ice-pwd of ufrag msstunLufrag"     # media-level in the INVITE
    assert rows[1][CRED] == "SDP a=ice-pwd of ufrag msstunRufrag"     # session-level in the 200 OK


def test_sdp_learning_one_pass():
    rows = mi_rows("sdp/sip-sdp-ice-rfc5245-udp.pcap", [], two_pass=False)
    assert {r[STATUS] for r in rows} == {GOOD}


def test_sdp_learning_off():
    rows = mi_rows("sdp/sip-sdp-ice-rfc5245-udp.pcap", ["-o", "msstun.learn_sdp:FALSE"])
    assert {r[STATUS] for r in rows} == {UNVERIFIED}


def test_sdp_capture_layout():
    rows = fields("sdp/sip-sdp-ice-rfc5245-udp.pcap", ["frame.number", "_ws.col.Protocol"])
    assert [r["_ws.col.Protocol"] for r in rows[:3]] == ["SIP/SDP", "SIP/SDP", "STUN"]


# ---- Bad input ------------------------------------------------------------------

@pytest.mark.parametrize("san", [False, True])
def test_odd_keys_never_crash(san):
    for creds in (uat("evtj", "", ""), uat("", "", "x" * 20000, "ab" * 600),
                  uat("マトリックス", "example.org", ""), uat("", "example.org", "p" * 5000)):
        rows = mi_rows("vectors/rfc5769.pcap", creds, san=san)
        assert len(rows) == 4 and GOOD not in {r[STATUS] for r in rows}


def test_empty_password_is_a_valid_key():
    # HMAC with an empty key (ASan-safe path): a message made with key b"" verifies
    msg = rfc5389_mi([attr(0x0006, b"empty:x")], b"")
    rows = mi_rows(crafted_pcap([msg]), uat("empty", "", ""))
    assert rows[0][STATUS] == GOOD


def test_invalid_key_hex_rejected():
    # a bad key_hex row is refused when the UAT is loaded: tshark says why and exits
    home = os.path.join(WORK, "home-plain")
    p = subprocess.run(AS_TSHARK_USER + ["env", "-i",
                        f"HOME={home}", "TZ=UTC", "PATH=/usr/bin:/bin", "tshark", "-n", "-r",
                        os.path.join(WORK, "captures", "vectors/rfc5769.pcap")] + uat("a", "", "", "zz"),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode != 0 and "key_hex must be an even number of hex digits" in p.stderr


@pytest.mark.parametrize("san", [False, True])
def test_crafted_bad_mi(san):
    key = b"pw"
    user = attr(0x0006, b"u:v")
    good = rfc5389_mi([user], key, tid=b"\x01" * 12)
    good256 = rfc5389_mi([user], key, tid=b"\x02" * 12, sha256=True)
    msgs = [
        good,                                                          # 1 good
        stun([user, attr(0x0008, b"\xaa" * 24)], tid=b"\x03" * 12),    # 2 MI of 24 bytes
        stun([user, attr(0x8028, b"\0\0\0\0"), attr(0x0008, b"\xbb" * 20)], tid=b"\x04" * 12),  # 3 MI after FP
        stun([user, attr(0x0008, b"\xcc" * 20)], tid=b"\x05" * 12, length=200),  # 4 length past the end
        stun([user, attr(0x0008, b"\xdd" * 19)], tid=b"\x06" * 12),    # 5 MI too short
        stun([user, attr(0x001C, b"\xee" * 16)], tid=b"\x07" * 12),    # 6 truncated SHA-256, wrong
        good256,                                                       # 7 32-byte 0x001C good
        stun([user, attr(0x0008, b"\xaa" * 20), attr(0x001C, b"\xbb" * 32),
              attr(0x0008, b"\xcc" * 32)], tid=b"\x08" * 12),          # 8 three MIs
        stun([attr(0x0008, b"")], tid=b"\x09" * 12),                   # 9 empty MI
    ]
    rows = fields(crafted_pcap(msgs), ["frame.number", STATUS, RULE, EXPERT], extra=uat("u", "", "pw"), san=san)
    got = {r["frame.number"]: r for r in rows}
    assert got["1"][STATUS] == GOOD and got["1"][RULE] == "1"
    assert got["2"][STATUS] == UNVERIFIED and "neither HMAC-SHA1" in got["2"][EXPERT]
    assert got["3"][STATUS] == BAD
    assert got["7"][STATUS] == GOOD
    assert got["6"][STATUS] == BAD
    assert got["8"][STATUS] == ",".join([BAD] * 3)
    assert got["5"][STATUS] == "" and got["9"][STATUS] == ""
    assert len(rows) == 9
