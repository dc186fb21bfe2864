# SPDX-License-Identifier: GPL-2.0-or-later
"""The GUI table dialogs (Statistics > MS-STUN/TURN/ICE Diagnosis etc.; plugin/gui_tables.c)
through tshark's -z of the same tables: their rows say what the JSON report
(-z msstun,diag,json) says, element by element, for healthy and failing
captures, and they name the frames of each cause."""
import json

import pytest

from conftest import _run, capture

TABLES = ("msstun,diag_table", "msstun,alloc_table", "msstun,conns_table", "msstun,ice_table")


def table(pcap, cli, two_pass=True):
    """tshark's print of one stat_tap_table: (column names, rows as dicts)."""
    args = ["-n", "-r", capture(pcap), "-q", "-z", cli] + (["-2"] if two_pass else [])
    lines = _run(args).splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("# |"))
    cols = lines[start].split(" |")[:-1]
    rows = []
    # the header, then the table's title, then one line per row up to the rule
    for line in lines[start + 2:]:
        if line.startswith("====="):
            break
        cells = line.split(" |")
        assert cells[-1] == "" and len(cells) == len(cols) + 1, f"bad row {line!r} for {cols}"
        rows.append(dict(zip(cols, cells[:-1])))
    return cols, rows


def report(pcap):
    return json.loads(_run(["-n", "-r", capture(pcap), "-2", "-q", "-z", "msstun,diag,json"]))


def cause_of(el):
    """the table's Cause: the JSON cause without the element's own name in front"""
    c = el["cause"]
    if c is None:
        return ""
    text = c["text"]
    prefix = el["name"] + ": "
    if text.startswith(prefix):
        text = text[len(prefix):]
    return text + (" (another path carried the media)" if el["spare"] else "")


HEALTHY = ["fieldcase/fieldcase.pcap", "coturn/turn-tcp-relay-rfc6062.pcap", "libnice/ice-rfc5245-udp.pcap",
           "coturn/stunclient.pcap"]
FAILING = ["fieldcase/fieldcase-oneway.pcap", "coturn/denied-peer.pcap", "coturn/bad-connection-id.pcap",
           "libnice/ice-oc2007r2-oneway.pcap"]


@pytest.mark.parametrize("pcap", HEALTHY + FAILING)
def test_diagnosis_table_equals_json(pcap):
    rep = report(pcap)
    cols, rows = table(pcap, "msstun,diag_table")
    assert cols == ["#", "Element", "Verdict", "Frame", "Last frame", "Cause"]
    # the capture first, then every element in the model's order
    assert rows[0]["#"] == "0" and rows[0]["Element"] == "Capture"
    assert rows[0]["Verdict"] == rep["verdict"]
    if rep["cause"]:
        assert (int(rows[0]["Frame"]), int(rows[0]["Last frame"])) == \
            (rep["cause"]["frame"], rep["cause"]["last_frame"])
        assert rows[0]["Cause"].startswith(rep["cause"]["text"])
    assert [r["Element"] for r in rows[1:]] == [e["name"] for e in rep["elements"]]
    for row, el in zip(rows[1:], rep["elements"]):
        assert row["Verdict"] == el["verdict"], (row, el)
        assert row["Cause"] == cause_of(el), (row, el)
        if el["cause"]:
            assert (int(row["Frame"]), int(row["Last frame"])) == (el["cause"]["frame"], el["cause"]["last_frame"])
        elif el["kind"] != "other":
            # an element that is OK names the frames it covers (the model
            # keeps no frames for "Other STUN messages" without a problem)
            assert 0 < int(row["Frame"]) <= int(row["Last frame"]), row
    assert (rep["verdict"] == "OK") == (pcap in HEALTHY)


def by_name(rep, kind):
    return {e["name"]: e for e in rep["elements"] if e["kind"] == kind}


@pytest.mark.parametrize("pcap,cli,kind,name", [
    ("fieldcase/fieldcase.pcap", "msstun,alloc_table", "allocation", "TURN allocation {}"),
    ("coturn/denied-peer.pcap", "msstun,alloc_table", "allocation", "TURN allocation {}"),
    ("coturn/turn-tcp-relay-rfc6062.pcap", "msstun,conns_table", "rfc6062_connection", "RFC 6062 connection {}"),
    ("coturn/bad-connection-id.pcap", "msstun,conns_table", "rfc6062_connection", "RFC 6062 connection {}"),
    ("fieldcase/fieldcase.pcap", "msstun,ice_table", "ice_pair", "ICE pair {}"),
    ("fieldcase/fieldcase-oneway.pcap", "msstun,ice_table", "ice_pair", "ICE pair {}"),
    ("libnice/ice-oc2007r2-oneway.pcap", "msstun,ice_table", "ice_pair", "ICE pair {}"),
])
def test_record_tables_equal_json(pcap, cli, kind, name):
    els = by_name(report(pcap), kind)
    cols, rows = table(pcap, cli)
    assert cols[:2] == ["#", "Verdict"] and cols[-3:] == ["Frame", "Last frame", "Cause"]
    assert len(rows) == len(els) > 0
    for row in rows:
        el = els[name.format(row["#"])]
        assert row["Verdict"] == el["verdict"], (row, el)
        assert row["Cause"] == cause_of(el), (row, el)
        if el["cause"]:
            assert int(row["Frame"]) == el["cause"]["frame"]


def test_denied_peer_allocations():
    """coturn refused a ChannelBind (allocation 2) and a CreatePermission
    (allocation 4) to a denied peer: the table names both frames"""
    _, rows = table("coturn/denied-peer.pcap", "msstun,alloc_table")
    got = {r["#"]: (r["Verdict"], r["Allocate in"], r["Allocated in"], r["Frame"], r["Cause"]) for r in rows}
    assert got == {
        "1": ("OK", "1", "4", "1", ""),
        "2": ("FAILED", "7", "10", "14", "ChannelBind refused, 403 Forbidden (frame 14, request in frame 13)"),
        "3": ("OK", "15", "18", "15", ""),
        "4": ("FAILED", "21", "24", "28", "CreatePermission refused, 403 Forbidden (frame 28, request in frame 27)"),
    }


def test_one_way_pair_directions():
    """fieldcase-oneway: the relayed MS-ICE2 pair's checks from the relayed
    address (frames 31-33) got no answer, the other way was answered"""
    _, rows = table("fieldcase/fieldcase-oneway.pcap", "msstun,ice_table")
    assert len(rows) == 1
    r = rows[0]
    assert (r["A"], r["B"], r["Transport"]) == ("127.0.0.2:50212", "127.0.0.3:44259", "TCP, relayed, MS-ICE2")
    assert (r["A->B checks"], r["A->B answered"], r["B->A checks"], r["B->A answered"]) == ("2", "0", "1", "1")
    assert (r["Verdict"], r["Frame"], r["Last frame"]) == ("FAILED", "31", "33")


def test_connection_table_fields():
    _, rows = table("fieldcase/fieldcase.pcap", "msstun,conns_table")
    assert len(rows) == 1
    r = rows[0]
    assert r["Verdict"] == "OK" and r["Allocation"] == "1" and r["Bind error"] == ""
    assert 0 < int(r["Announced in"]) < int(r["ConnectionBind in"]) < int(r["Bound in"])
    assert int(r["Data frames"]) > 0


@pytest.mark.parametrize("cli", TABLES)
def test_single_pass_says_it_needs_two(cli):
    """without -2 the model is not complete when the tap runs: one row says so
    instead of a verdict made from part of the file"""
    _, rows = table("fieldcase/fieldcase-oneway.pcap", cli, two_pass=False)
    assert len(rows) == 1
    assert "run tshark with -2" in rows[0]["Cause"]
    assert "FAILED" not in rows[0].values() and "OK" not in rows[0].values()


def test_tables_under_sanitizers():
    """all four tables and the tree at once on the ASan+UBSan build"""
    args = ["-n", "-r", capture("fieldcase/fieldcase-oneway.pcap"), "-2", "-q"]
    for c in TABLES + ("msstun_diag,tree",):
        args += ["-z", c]
    out = _run(args, san=True)
    assert out.count("=====\n") >= 2 * len(TABLES) + 1
    assert out.count("works one way only") >= 5


def tree_items(pcap, two_pass=True):
    """tshark's print of the Diagnosis stats_tree: (depth, item, count, min, max)"""
    args = ["-n", "-r", capture(pcap), "-q", "-z", "msstun_diag,tree"] + (["-2"] if two_pass else [])
    lines = _run(args).splitlines()
    head = next(i for i, l in enumerate(lines) if l.startswith("Topic / Item"))
    cols = [lines[head].index(c) for c in ("Count", "Average", "Min Val", "Max Val", "Rate (ms)")]

    def num(line, k):
        v = line[cols[k]:cols[k + 1]].strip()
        return int(v) if v else None

    items = []
    for line in lines[head + 2:]:
        if line.startswith("-----"):
            break
        if not line.strip():
            continue
        name = line[:cols[0]].rstrip()
        depth = len(name) - len(name.lstrip(" "))
        items.append((depth, name.strip(), num(line, 0), num(line, 2), num(line, 3)))
    return items


@pytest.mark.parametrize("pcap", ["fieldcase/fieldcase.pcap", "fieldcase/fieldcase-oneway.pcap",
                                  "coturn/denied-peer.pcap", "libnice/ice-oc2007r2-oneway.pcap"])
def test_diagnosis_tree_equals_json(pcap):
    """Statistics > MS-STUN/TURN/ICE > Diagnosis (the stats_tree beside
    Messages): the capture's verdict, then "<element>: <verdict>[: cause]"
    for every element (pairs under their session), Min/Max Val its frames"""
    rep = report(pcap)
    items = tree_items(pcap)
    top = items[0]
    want = "Capture: " + rep["verdict"] + (": " + rep["cause"]["text"] if rep["cause"] else "")
    assert top[0] == 0 and top[1] == want
    if rep["cause"]:
        assert (top[3], top[4]) == (rep["cause"]["frame"], rep["cause"]["last_frame"])
    names = {i[1]: i for i in items}
    for el in rep["elements"]:
        cause = cause_of(el)
        line = f"{el['name']}: {el['verdict']}" + (f": {cause}" if cause else "")
        assert line in names, (line, list(names))
        depth = names[line][0]
        assert depth == (1 if el["kind"] == "ice_pair" else 0)
        if el["kind"] not in ("other", "ice_session"):
            assert names[line][2] > 0 and 0 < names[line][3] <= names[line][4]
        if el["cause"]:
            # the cause is an item under the element, at its frames
            sub = f"{el['cause']['level']}: {el['cause']['text'][len(el['name']) + 2:]}" \
                if el["cause"]["text"].startswith(el["name"] + ": ") else None
            if sub:
                assert sub in names and names[sub][3] == el["cause"]["frame"], sub


def test_diagnosis_tree_single_pass():
    items = tree_items("fieldcase/fieldcase-oneway.pcap", two_pass=False)
    assert len(items) == 1 and "run tshark with -2" in items[0][1]


@pytest.mark.parametrize("cli,title", [("msstun,diag_table", "MS-STUN/TURN/ICE Diagnosis"),
                                       ("msstun,alloc_table", "MS-STUN/TURN/ICE TURN Allocations"),
                                       ("msstun,conns_table", "MS-STUN/TURN/ICE RFC 6062 Connections"),
                                       ("msstun,ice_table", "MS-STUN/TURN/ICE ICE Pairs")])
def test_table_titles_read_as_names(cli, title):
    """Qt lists a plugin's tables flat in the Statistics menu with these
    titles (only the Tools menu splits on "/"): a name, not a path"""
    out = _run(["-n", "-r", capture("fieldcase/fieldcase-oneway.pcap"), "-2", "-q", "-z", cli])
    assert title + ":" in out.splitlines(), out[:400]
