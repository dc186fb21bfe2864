#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn bench/out/{native,callgrind}.txt into the report bench/run.sh prints.
Usage: summarize.py OUT_DIR CG_FRAMES CG_SMALL_FRAMES RUNS MIX_FRAMES"""
import statistics
import sys
from pathlib import Path

out, cg_n, cgs_n, runs = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
mix_n = int(sys.argv[5])
MODES = [("summary", "summary lines (-r F)"), ("twopass", "two-pass + filter (-2 -Y X.att.type)"),
         ("detail", "full detail (-V > /dev/null)")]
lines = ["msstun vs Wireshark built-in STUN dissector", ""]
lines += (out / "captures.txt").read_text().splitlines() + [""]

nat = {}
for row in (out / "native.txt").read_text().split("\n"):
    if not row.strip():
        continue
    cfg, mode, _run, el, us, sy, rss, nlines = row.split()
    nat.setdefault((cfg, mode), []).append((float(us) + float(sy), int(rss), float(el), int(nlines)))

lines.append("native tshark on big.pcap, median of %s runs (CPU = user+sys seconds, RSS = max KiB)" % runs)
lines.append("%-38s %10s %10s %7s   %10s %10s %7s" % ("mode", "msstun CPU", "built-in", "ratio",
                                                      "msstun RSS", "built-in", "ratio"))
for mode, label in MODES:
    m, b = nat.get(("msstun", mode)), nat.get(("builtin", mode))
    if not m or not b:
        continue
    mc, bc = statistics.median(x[0] for x in m), statistics.median(x[0] for x in b)
    mr, br = statistics.median(x[1] for x in m), statistics.median(x[1] for x in b)
    lines.append("%-38s %10.2f %10.2f %7.3f   %10d %10d %7.3f" % (label, mc, bc, mc / bc, mr, br, mr / br))
    if mode == "twopass":
        lines.append("%-38s %10d %10d" % ("  (frames matching the filter)", m[0][3], b[0][3]))
nu = nat.get(("null", "summary"))
if nu:
    nc = statistics.median(x[0] for x in nu)
    mc = statistics.median(x[0] for x in nat[("msstun", "summary")])
    bc = statistics.median(x[0] for x in nat[("builtin", "summary")])
    lines.append("%-38s %10.2f  (own CPU over null: msstun %.2f s, built-in %.2f s, ratio %s)" % (
        "  null plugin, summary", nc, mc - nc, bc - nc,
        "%.2f" % ((mc - nc) / (bc - nc)) if bc - nc > 0.05 else "n/a (built-in within noise of null)"))
lines.append("")

ir = {}
for row in (out / "callgrind.txt").read_text().split("\n"):
    if row.strip():
        name, val = row.split()
        ir[name] = int(val)
lines.append("callgrind on cg.pcap (%d STUN-only frames): Ir = instructions; own = run - null run" % cg_n)
lines.append("%-10s %16s %16s %16s %14s %14s %8s" % ("mode", "msstun Ir", "built-in Ir", "null Ir",
                                                 "msstun own/fr", "built-in own/fr", "ratio"))
ratios = {}
for mode in ("summary", "detail"):
    m, b, n = ir["msstun-" + mode], ir["builtin-" + mode], ir["null-" + mode]
    mo, bo = (m - n) / cg_n, (b - n) / cg_n
    ratios[mode] = mo / bo
    lines.append("%-10s %16d %16d %16d %14.0f %14.0f %8.3f" % (mode if mode == "summary" else "-V",
                                                             m, b, n, mo, bo, mo / bo))
lines.append("targets: summary <= 0.8 -> %s; -V <= 1.0 -> %s" % (
    "MET" if ratios["summary"] <= 0.8 else "NOT MET", "MET" if ratios["detail"] <= 1.0 else "NOT MET"))
lines.append("")
if "mix-msstun-summary" in ir:
    lines.append("callgrind whole runs on mix.pcap (%d frames of big.pcap, tshark start-up included)" % mix_n)
    lines.append("%-38s %16s %16s %8s" % ("mode", "msstun Ir", "built-in Ir", "ratio"))
    for mode, label in MODES:
        m, b = ir.get("mix-msstun-" + mode), ir.get("mix-builtin-" + mode)
        if m and b:
            lines.append("%-38s %16d %16d %8.3f" % (label, m, b, m / b))
    lines.append("")
if "msstun-small" not in ir:
    ir["msstun-small"] = None
s_own = None if ir["msstun-small"] is None else (ir["msstun-small"] - ir["null-small"]) / cgs_n
l_own = (ir["msstun-summary"] - ir["null-summary"]) / cg_n
if s_own is None:
    lines.append("flatness: skipped (QUICK=1)")
else:
  lines.append("flatness, msstun summary mode, own Ir per frame: %d frames %.0f, %d frames %.0f (x%.2f);"
             % (cgs_n, s_own, cg_n, l_own, l_own / s_own))
  lines.append("  total Ir per frame incl. tshark start-up: %.0f vs %.0f" % (
    ir["msstun-small"] / cgs_n, ir["msstun-summary"] / cg_n))
lines.append("")
for mode in ("summary", "detail"):
    for inc, what in (("no", "self"), ("yes", "inclusive")):
        p = out / ("hot-%s-inclusive-%s.txt" % (mode, inc))
        if p.exists():
            lines.append("top msstun functions, %s mode, %s Ir (whole run, %d frames):" % (
                "summary" if mode == "summary" else "-V", what, cg_n))
            lines += ["  " + x for x in p.read_text().splitlines()[:15]]
            lines.append("")
print("\n".join(lines))
