#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Native A/B of one tshark mode: msstun against the built-in on one capture,
# PAIRS alternating pairs (the first of each pair alternates too), then the
# ratio of each pair and of the median times. With CACHE=1 also one
# cachegrind run each (simulated cache and branch misses, which instruction
# counts do not show). Usage (as root, Debian 12, after bench/run.sh or
# bench/owncost.sh built build-bench):
#   bash bench/ab.sh CAPTURE [PAIRS=8] [tshark args, e.g. -V]
set -euo pipefail
cd "$(dirname "$0")/.."
cap=$(readlink -f "$1"); pairs=${2:-8}; shift; shift || true
W=$(mktemp -d /tmp/msstun-ab.XXXXXX); trap 'rm -rf "$W"' EXIT
wsver=$(pkg-config --modversion wireshark | cut -d. -f1,2)
mkdir -p "$W/home/.local/lib/wireshark/plugins/$wsver/epan"
cp build-bench/msstun.so "$W/home/.local/lib/wireshark/plugins/$wsver/epan/"
chmod -R a+rwX "$W"; chmod a+r "$cap"
OFF=(--disable-protocol stun --disable-protocol classicstun --disable-protocol turnchannel)
run() {  # prints user+sys seconds
  setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$W/home" TZ=UTC PATH=/usr/bin:/bin \
    /usr/bin/time -f "%U %S" tshark -n -r "$cap" "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'
}
for i in $(seq "$pairs"); do
  if [ $((i % 2)) = 1 ]; then a=$(run "${OFF[@]}" "$@"); b=$(run --disable-protocol msstun "$@")
  else b=$(run --disable-protocol msstun "$@"); a=$(run "${OFF[@]}" "$@"); fi
  echo "$a $b"
done > "$W/pairs.txt"
/usr/bin/python3 - "$W/pairs.txt" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
for i, (a, b) in enumerate(rows, 1):
    print("pair %d: msstun %.2f s, built-in %.2f s, ratio %.3f" % (i, a, b, a / b))
ma, mb = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
print("median: msstun %.2f s, built-in %.2f s, ratio %.3f (%d pairs)" % (ma, mb, ma / mb, len(rows)))
PY
if [ "${CACHE:-0}" = 1 ]; then
  for who in msstun builtin; do
    if [ $who = msstun ]; then opts=("${OFF[@]}"); else opts=(--disable-protocol msstun); fi
    setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$W/home" TZ=UTC PATH=/usr/bin:/bin \
      valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes --cachegrind-out-file=/dev/null \
      tshark -n -r "$cap" "${opts[@]}" "$@" 2>"$W/$who.err" >/dev/null || true
    echo "cachegrind $who:"; grep -E "I +refs|D1  misses|LL misses|Mispredicts" "$W/$who.err" | sed 's/^==[0-9]*== /  /'
  done
fi
