# SPDX-License-Identifier: GPL-2.0-or-later
"""STUN/TURN inside TLS and DTLS (decrypted with the key logs shipped next to
the pcaps), and [MS-TURN] 2.1.1 pseudo-TLS on TCP 443.

Captures and frame numbers: captures/tls/README.md. What is expected is
counted from the decrypted bytes themselves, as Wireshark's TLS/DTLS
dissectors print them (follow,tls,raw and the "Decrypted DTLS" data source
of -x), never from msstun's own output."""
import os
import re
import subprocess

import pytest

from conftest import WORK, _run, capture, fields

TLS_CAPS = ["tls/turn-tls.pcap", "tls/turn-tls-rfc6062.pcap", "tls/turn-tls-noalpn.pcap",
            "tls/turn-tls-rfc6062-ice.pcap"]
PTLS_CAPS = ["tls/pseudotls-oc2007r2.pcap", "tls/pseudotls-oc2007.pcap", "tls/pseudotls-google.pcap",
             "tls/pseudotls-standin.pcap"]


def keylog(pcap):
    return ["-o", "tls.keylog_file:" + capture(pcap[:-len(".pcap")] + ".keylog")]


def tls_fields(pcap, names, extra=(), **kw):
    return fields(pcap, names, extra=keylog(pcap) + list(extra), **kw)


# ---- what the decrypted bytes hold (from Wireshark's TLS/DTLS, not msstun) --------

def split_stream(data):
    """STUN messages and ChannelData frames of one direction of a TURN-over-TLS
    connection, in order: [("stun", type) | ("chan", channel)]. RFC 6062: after
    a ConnectionBind request / success the direction carries peer data, counted
    when it is RFC 4571-framed STUN (ICE checks)."""
    out, i = [], 0
    while i + 4 <= len(data):
        first, length = int.from_bytes(data[i:i + 2], "big"), int.from_bytes(data[i + 2:i + 4], "big")
        if first < 0x4000:
            out.append(("stun", first))
            i += 20 + length
            if first in (0x000B, 0x010B):
                while i + 10 <= len(data) and data[i + 6:i + 10] == bytes.fromhex("2112a442"):
                    out.append(("stun", int.from_bytes(data[i + 2:i + 4], "big")))
                    i += 2 + int.from_bytes(data[i:i + 2], "big")
                break
        elif first < 0x8000:
            out.append(("chan", first))
            i += 4 + length + (-length % 4)        # padded to 4 over TCP/TLS
        else:
            raise AssertionError(f"neither STUN nor ChannelData at stream offset {i}: {data[i:i + 8].hex()}")
    return out


def decrypted_tls_messages(pcap):
    streams = sorted({int(r["tcp.stream"]) for r in fields(pcap, ["tcp.stream"], two_pass=False) if r["tcp.stream"]})
    args = ["-n", "-q", "-r", capture(pcap)] + keylog(pcap)
    for s in streams:
        args += ["-z", f"follow,tls,raw,{s}"]
    out = _run(args + ["--disable-protocol", "msstun"])
    msgs = []
    for block in out.split("Follow: tls,raw")[1:]:
        sides = {0: bytearray(), 1: bytearray()}
        for line in block.splitlines():
            if re.fullmatch(r"\t?[0-9a-f]+", line):
                sides[1 if line.startswith("\t") else 0] += bytes.fromhex(line.strip())
        for side in sides.values():
            msgs += split_stream(bytes(side))
    return msgs


def decrypted_dtls_records(pcap):
    out = _run(["-n", "-r", capture(pcap), "-x", "--disable-protocol", "msstun"] + keylog(pcap))
    records, cur = [], None
    for line in out.splitlines():
        if line.startswith("Decrypted DTLS"):
            cur = bytearray()
            records.append(cur)
        elif cur is not None and re.match(r"[0-9a-f]{4}  ", line):
            cur += bytes.fromhex(line[6:53].replace(" ", ""))
        else:
            cur = None
    return [bytes(r) for r in records]


def msstun_counts(pcap):
    rows = tls_fields(pcap, ["msstun.type", "msstun.channel"], filt="tls || dtls")
    stun = sum(len(r["msstun.type"].split(",")) for r in rows if r["msstun.type"])
    chan = sum(len(r["msstun.channel"].split(",")) for r in rows if r["msstun.channel"])
    return stun, chan


# ---- TLS and DTLS -------------------------------------------------------------------

@pytest.mark.parametrize("pcap", TLS_CAPS)
def test_every_decrypted_tls_message_is_decoded(pcap):
    msgs = decrypted_tls_messages(pcap)
    stun = sum(1 for k, _ in msgs if k == "stun")
    chan = sum(1 for k, _ in msgs if k == "chan")
    assert stun >= (6 if "noalpn" in pcap else 20)
    assert msstun_counts(pcap) == (stun, chan)
    if pcap == "tls/turn-tls.pcap":
        assert chan >= 6          # uclient -t: ChannelData over TLS, padded
    if pcap == "tls/turn-tls-rfc6062-ice.pcap":
        assert [t for k, t in msgs].count(0x0001) >= 6      # ICE checks in the data connection


def test_every_decrypted_dtls_record_is_decoded():
    recs = decrypted_dtls_records("tls/turn-dtls.pcap")
    kind = []
    for r in recs:
        first, length = int.from_bytes(r[:2], "big"), int.from_bytes(r[2:4], "big")
        if first < 0x4000 and 20 + length == len(r):
            kind.append("stun")
        elif 0x4000 <= first < 0x8000 and 4 + length <= len(r) <= 4 + length + 3:
            kind.append("chan")
        else:        # the encrypted handshake's Finished (type 20, 12 bytes of verify data), an alert
            assert (r[0] == 20 and len(r) == 16 + 8) or len(r) == 2, r.hex()
            kind.append("other")
    stun, chan = kind.count("stun"), kind.count("chan")
    assert stun >= 20 and chan >= 6
    assert msstun_counts("tls/turn-dtls.pcap") == (stun, chan)


@pytest.mark.parametrize("pcap", TLS_CAPS + ["tls/turn-dtls.pcap"])
def test_msstun_owns_the_session_not_turnchannel(pcap):
    rows = tls_fields(pcap, ["frame.protocols"], filt="(tls.app_data || dtls.app_data) && !tls.reassembled_in")
    assert rows
    protos = [r["frame.protocols"].split(":") for r in rows]
    assert all("msstun" in p and "turnchannel" not in p and "stun" not in p for p in protos)


@pytest.mark.parametrize("pcap", TLS_CAPS + ["tls/turn-dtls.pcap"])
def test_transactions_and_allocations_over_tls(pcap):
    rows = tls_fields(pcap, ["frame.number", "msstun.type", "msstun.response-in", "msstun.response-to"],
                      filt="msstun.type")
    requests = [r for r in rows if (int(r["msstun.type"].split(",")[0], 16) & 0x0110) == 0]
    assert requests and all(r["msstun.response-in"] for r in requests), \
        [r["frame.number"] for r in requests if not r["msstun.response-in"]]
    # the allocations the report lists are the Allocate successes on the wire
    succ = sum(r["msstun.type"].split(",").count("0x0103") for r in rows)
    out = _run(["-n", "-2", "-q", "-r", capture(pcap), "-z", "msstun,alloc"] + keylog(pcap))
    assert f"TURN allocations: {succ}" in out
    assert len(re.findall(r"verdict: OK", out)) == succ
    assert "over TCP" in out if "dtls" not in pcap else "over UDP" in out


@pytest.mark.parametrize("pcap", TLS_CAPS + ["tls/turn-dtls.pcap"])
def test_diagnosis_over_tls(pcap):
    rows = tls_fields(pcap, ["frame.number", "_ws.expert.message"], filt="msstun.diag.auth_challenge")
    assert rows
    assert all("the normal first challenge, the request carried no credentials; the client retries with them"
               in r["_ws.expert.message"] for r in rows)
    assert tls_fields(pcap, ["frame.number"], filt="msstun.diag.auth_failed || msstun.att.crc32.status == 0") == []


def test_channeldata_padding_over_tls():
    rows = tls_fields("tls/turn-tls.pcap", ["msstun.channel", "msstun.length", "msstun.channel.padding",
                                            "_ws.expert.message"], filt="msstun.channel")
    assert rows
    for r in rows:
        length = int(r["msstun.length"].split(",")[0])
        if length % 4:
            assert r["msstun.channel.padding"] == str(-length % 4)
        assert "padded" not in r["_ws.expert.message"] and "after the channel data" not in r["_ws.expert.message"]
    assert any(int(r["msstun.length"].split(",")[0]) % 4 for r in rows)
    # MTU 1000 in the capture: each 1001-byte ChannelData record spans two TCP segments
    split = tls_fields("tls/turn-tls.pcap", ["frame.number"], filt="msstun.channel && tcp.segments")
    assert len(split) >= 6


def test_channeldata_parity_with_builtin_turnchannel():
    """The built-in decodes no STUN inside these sessions, only ChannelData
    (turnchannel, through ALPN): msstun shows the same channels and lengths."""
    pcap = "tls/turn-tls.pcap"
    b = tls_fields(pcap, ["frame.number", "turnchannel.id", "turnchannel.length", "stun.type"],
                   extra=["--disable-protocol", "msstun"])
    assert not any(r["stun.type"] for r in b)
    m = {r["frame.number"]: r for r in tls_fields(pcap, ["frame.number", "msstun.channel", "msstun.length"])}
    seen = 0
    for r in b:
        if r["turnchannel.id"]:
            seen += 1
            assert m[r["frame.number"]]["msstun.channel"] == r["turnchannel.id"]
            assert m[r["frame.number"]]["msstun.length"].split(",")[0] == r["turnchannel.length"].split(",")[0]
    assert seen >= 6


def test_rfc6062_over_tls_end_to_end():
    pcap = "tls/turn-tls-rfc6062.pcap"
    rows = tls_fields(pcap, ["frame.number", "tcp.stream", "msstun.type", "msstun.att.connection_id",
                             "msstun.rfc6062.connection_id", "msstun.rfc6062.announced_in",
                             "msstun.rfc6062.bound_in"], filt="msstun")
    binds = [r for r in rows if r["msstun.type"] == "0x000b"]
    assert len(binds) == 2
    for b in binds:
        cid = b["msstun.att.connection_id"]
        assert b["msstun.rfc6062.announced_in"]            # ConnectionAttempt / Connect success
        data = [r for r in rows if r["tcp.stream"] == b["tcp.stream"] and r["msstun.rfc6062.connection_id"]]
        assert len(data) >= 3 and all(set(r["msstun.rfc6062.connection_id"].split(",")) == {cid} for r in data)
    out = _run(["-n", "-2", "-q", "-r", capture(pcap), "-z", "msstun,conns"] + keylog(pcap))
    assert out.count("verdict: OK") == 2, out


def test_tls_without_alpn_by_heuristic_and_by_port():
    """No ALPN: the msstun_tls heuristic takes the session, and without it the
    tls.port 5349 entry; with neither (Decode As gives 5349 to HTTP) nothing."""
    pcap = "tls/turn-tls-noalpn.pcap"
    assert not tls_fields(pcap, ["tls.handshake.extensions_alpn_str"], filt="tls.handshake.extensions_alpn_str")

    def types(*extra):
        return [r["msstun.type"] for r in tls_fields(pcap, ["msstun.type"], extra=extra, filt="msstun.type")]
    want = ["0x0001", "0x0101", "0x0003", "0x0113", "0x0003", "0x0103", "0x0004", "0x0104"]
    assert types() == want
    assert types("-d", "tls.port==5349,http") == want
    assert types("--disable-heuristic", "msstun_tls") == want
    assert types("--disable-heuristic", "msstun_tls", "-d", "tls.port==5349,http") == []
    # the client wrote the Binding request in two TLS records and each Allocate in three
    pieces = tls_fields(pcap, ["frame.number", "tls.reassembled_in"], filt="tls.reassembled_in")
    assert len(pieces) >= 3
    done = {r["frame.number"]: r["msstun.type"] for r in tls_fields(pcap, ["frame.number", "msstun.type"])}
    assert all(done[r["tls.reassembled_in"].split(",")[0]] for r in pieces)


def test_ice_checks_in_rfc6062_data_connection_over_tls():
    pcap = "tls/turn-tls-rfc6062-ice.pcap"
    rows = tls_fields(pcap, ["frame.number", "msstun.type", "msstun.response-in", "msstun.rfc6062.connection_id",
                             "msstun.tcp_frame_length", "msstun.att.crc32.status"],
                      filt="tls && msstun.rfc6062.connection_id")
    checks = [r for r in rows if "0x0001" in r["msstun.type"].split(",")]
    assert len(checks) == 6 and all(r["msstun.response-in"] and r["msstun.tcp_frame_length"] for r in checks)
    assert all(set(r["msstun.att.crc32.status"].split(",")) == {"1"} for r in rows)
    out = _run(["-n", "-2", "-q", "-r", capture(pcap), "-z", "msstun,diag"] + keylog(pcap))
    # the scripted peers check both ways but never nominate and send no media: the diagnosis says so
    assert ("127.0.0.2:50542 -> 127.0.0.3:3481: 6 checks (0 retransmitted), 6 answered, 0 failed, controlling"
            in out), out
    assert ("    verdict: FAILED: no candidate pair was nominated (no check with USE-CANDIDATE succeeded) and no "
            "media followed, although pair 1 works") in out, out
    assert "(relayed)" in out and out.count("verdict: OK") == 2, out      # allocation, connection


def test_tls_preferences_and_tables():
    out = _run(["-G", "currentprefs"])
    assert "#msstun.pseudotls: TRUE" in out
    dec = _run(["-G", "decodes"])
    assert "tls.port\t5349\tmsstun" in dec and "dtls.port\t5349\tmsstun" in dec
    # the port preferences exist (Decode As tls.port / dtls.port, 443 and others)
    _run(["-n", "-r", capture("tls/turn-tls.pcap"), "-c", "1", "-o", "msstun.tls.port:443,5349",
          "-o", "msstun.dtls.port:5349,4443"])


# ---- [MS-TURN] pseudo-TLS --------------------------------------------------------

def ptls_rows(pcap, extra=()):
    return fields(pcap, ["frame.number", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "frame.protocols",
                         "msstun.pseudotls.form", "msstun.pseudotls.handshake_type", "msstun.type",
                         "_ws.col.Info", "_ws.expert.message"],
                  extra=keylog(pcap) + list(extra), filt="tcp.len > 0")


@pytest.mark.parametrize("pcap", PTLS_CAPS)
def test_pseudotls_handshake_labelled_not_tls(pcap):
    rows = [r for r in ptls_rows(pcap) if r["ip.src"] == r["ip.dst"] == "127.0.0.1"]
    hellos = [r for r in rows if r["msstun.pseudotls.form"]]
    conns = {(r["tcp.srcport"], r["tcp.dstport"]) for r in hellos}
    assert len(hellos) == 2 * len({frozenset(c) for c in conns}) >= 2
    for r in rows:                          # the whole connection: no TLS, no TLS errors
        p = r["frame.protocols"].split(":")
        assert "tls" not in p and "ssl" not in p and "msstun" in p, r
    for r in hellos:
        assert "[MS-TURN] pseudo-TLS" in r["_ws.col.Info"]
    # each hello links to the other side's
    links = fields(pcap, ["frame.number", "msstun.pseudotls.peer_in"], filt="msstun.pseudotls.form",
                   extra=keylog(pcap))
    peer = {r["frame.number"]: r["msstun.pseudotls.peer_in"] for r in links}
    assert all(peer[peer[f]] == f for f in peer), peer
    forms = {r["msstun.pseudotls.form"] for r in hellos}
    if pcap.endswith("google.pcap"):
        assert forms == {"2", "5"}          # SSLv2 CLIENT-HELLO; ServerHello only
        assert "(SSLv2 form)" in hellos[0]["_ws.col.Info"]
    elif pcap.endswith("standin.pcap"):
        assert forms == {"1", "2", "4", "5"}
    else:
        assert forms == {"1", "4"}          # libnice's MSOC form both ways
        assert hellos[0]["msstun.pseudotls.handshake_type"] == "1"
        assert hellos[1]["msstun.pseudotls.handshake_type"] == "2,14"
        assert "(MSOC form)" in hellos[0]["_ws.col.Info"]


@pytest.mark.parametrize("pcap", ["tls/pseudotls-oc2007r2.pcap", "tls/pseudotls-oc2007.pcap"])
def test_libnice_msturn_after_pseudotls(pcap):
    rows = [r for r in ptls_rows(pcap) if r["ip.dst"] == "127.0.0.1" and r["msstun.type"]]
    types = [r["msstun.type"] for r in rows]
    assert types.count("0x0003") >= 2 and types.count("0x0113") >= 2      # Allocate, 401 (no Decode As)
    for r in rows:
        if r["msstun.type"] == "0x0003":      # libnice leaves 2.1.4's length out
            assert "[MS-TURN] 2.1.4 frame without its length field" in r["_ws.expert.message"]
    f = fields(pcap, ["msstun.response-in", "msstun.network_version"], filt="msstun.type == 0x0003",
               extra=keylog(pcap))
    assert all(r["msstun.response-in"] and r["msstun.network_version"] == "1" for r in f)


def test_standin_msturn_full_tracking():
    pcap = "tls/pseudotls-standin.pcap"
    rows = fields(pcap, ["frame.number", "msstun.type", "msstun.msturn_frame.type", "msstun.response-in",
                         "msstun.att.hmac.status"],
                  filt="msstun.type || msstun.msturn_frame.type", extra=keylog(pcap) + [
                      "-o", 'uat:msstun_credentials:"msstunuser12","msstun.test.","msstunpass12",""'])
    types = [r["msstun.type"] for r in rows if r["msstun.type"]]
    assert types == ["0x0003", "0x0113", "0x0003", "0x0103"] * 2
    assert all(r["msstun.response-in"] for r in rows if r["msstun.type"] == "0x0003")
    assert [r["msstun.att.hmac.status"] for r in rows if r["msstun.type"] in ("0x0003", "0x0103")
            and r["msstun.att.hmac.status"]] == ["1", "1"] * 2
    assert [r["msstun.msturn_frame.type"] for r in rows if not r["msstun.type"]] == ["0x03", "0x03"]
    out = _run(["-n", "-2", "-q", "-r", capture(pcap), "-z", "msstun,alloc"])
    assert "TURN allocations: 2" in out and out.count("over TCP ([MS-TURN])") == 2
    assert out.count("verdict: OK") == 2


@pytest.mark.parametrize("pcap", PTLS_CAPS)
def test_https_on_443_stays_tls(pcap):
    https = [r for r in ptls_rows(pcap) if "127.0.0.5" in (r["ip.src"], r["ip.dst"])]
    assert len(https) >= 6
    for r in https:
        p = r["frame.protocols"].split(":")
        if p[-1] == "tcp":          # a TCP retransmission of a TLS segment
            continue
        assert "msstun" not in p and "tls" in p, r
    hs = fields(pcap, ["tls.handshake.type"], filt="ip.addr == 127.0.0.5 && tls.handshake.type", extra=keylog(pcap))
    assert {"1", "2"} <= {t for r in hs for t in r["tls.handshake.type"].split(",")}
    http = fields(pcap, ["http.response.code"], filt="ip.addr == 127.0.0.5 && http.response", extra=keylog(pcap))
    assert [r["http.response.code"] for r in http] == ["200"]


def test_pseudotls_capture_started_after_the_handshake():
    """No hello seen (the capture began later): a 2.1.4 control frame with STUN
    inside as the first bytes on 443 is taken as [MS-TURN] 2.1.4, not TLS."""
    cut = os.path.join(WORK, "pseudotls-midstream.pcap")
    subprocess.run(["editcap", "-r", capture("tls/pseudotls-standin.pcap"), cut, "32-43"], check=True)
    os.chmod(cut, 0o644)
    rows = fields(cut, ["frame.protocols", "msstun.type", "msstun.msturn_frame.type"], filt="tcp.len > 0")
    assert [r["msstun.type"] for r in rows] == ["0x0003", "0x0113", "0x0003", "0x0103", ""]
    assert rows[-1]["msstun.msturn_frame.type"] == "0x03"
    assert not any("tls" in r["frame.protocols"].split(":") for r in rows)


def test_pseudotls_switch_off():
    pcap = "tls/pseudotls-standin.pcap"
    rows = ptls_rows(pcap, extra=["-o", "msstun.pseudotls:FALSE"])
    assert not any(r["msstun.pseudotls.form"] for r in rows)
    first = [r for r in rows if r["ip.src"] == r["ip.dst"] == "127.0.0.1"][0]
    assert "tls" in first["frame.protocols"].split(":")


def test_https_stays_tls_with_msstun_disabled():
    """msstun stands in front of TLS on 443; disabled, it must not take 443 away."""
    pcap = "tls/pseudotls-oc2007r2.pcap"
    hs = fields(pcap, ["tls.handshake.type"], filt="tls.handshake.type", extra=["--disable-protocol", "msstun"])
    assert len(hs) >= 4          # HTTPS and the pseudo-TLS hellos, all TLS for the built-in


@pytest.mark.parametrize("pcap", PTLS_CAPS)
def test_pseudotls_single_pass(pcap):
    """Without -2 the same frames are labelled (decided on the first pass)."""
    filt = "ip.src == 127.0.0.1 && ip.dst == 127.0.0.1"
    one = fields(pcap, ["msstun.pseudotls.form", "msstun.type"], extra=keylog(pcap), filt=filt, two_pass=False)
    two = fields(pcap, ["msstun.pseudotls.form", "msstun.type"], extra=keylog(pcap), filt=filt)
    assert one == two and any(r["msstun.pseudotls.form"] for r in one)


def test_pseudotls_shaped_hello_rejected_by_a_real_tls_server_is_tls():
    """The stand-in's MSOC hello to the HTTPS server draws a TLS alert: that
    connection is TLS (the whole of it with two passes)."""
    rows = fields("tls/pseudotls-standin.pcap", ["frame.protocols", "tls.handshake.type", "tls.alert_message.desc"],
                  filt="ip.addr == 127.0.0.5 && tcp.len > 0 && frame.number > 40")
    assert [r["tls.handshake.type"] for r in rows] == ["1", ""]
    assert rows[1]["tls.alert_message.desc"] == "40"               # handshake_failure
    assert not any("msstun" in r["frame.protocols"].split(":") for r in rows)
