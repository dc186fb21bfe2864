# SPDX-License-Identifier: GPL-2.0-or-later
"""docs/fields.md is the field reference, generated from `tshark -G fields`
with the plugin loaded. This test fails when it is out of date; regenerate
with: MSSTUN_UPDATE_DOCS=1 bash tests/run.sh -k docs"""
import os

from conftest import _run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "fields.md")


def generate():
    rows = []
    for line in _run(["-G", "fields"]).splitlines():
        f = line.split("\t")
        if len(f) >= 5 and f[0] == "F" and f[4] == "msstun":
            rows.append((f[2], f[1], f[3].replace("FT_", ""), f[7] if len(f) > 7 else ""))
    out = ["# msstun field reference", "",
           "Generated from `tshark -G fields` with the plugin loaded (tests/test_docs.py checks it is current).",
           "Fields whose name matches a built-in `stun.X` field carry the same value as it.", "",
           "| field | name | type | description |", "|---|---|---|---|"]
    seen = set()
    for abbrev, name, ftype, blurb in sorted(rows):
        if abbrev in seen:          # one field registered twice (IETF and [MS-TURN] names)
            continue
        seen.add(abbrev)
        out.append(f"| `{abbrev}` | {name} | {ftype} | {blurb.replace('|', '/')} |")
    return "\n".join(out) + "\n"


def test_field_reference_is_current():
    text = generate()
    if os.environ.get("MSSTUN_UPDATE_DOCS"):
        with open(DOC, "w", encoding="utf-8") as f:
            f.write(text)
    with open(DOC, encoding="utf-8") as f:
        assert f.read() == text, "docs/fields.md is out of date: MSSTUN_UPDATE_DOCS=1 bash tests/run.sh -k docs"
    assert text.count("\n| `msstun.") > 150
