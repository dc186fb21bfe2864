#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Own cost per frame of msstun and of the built-in STUN dissector, by
# callgrind instruction counts, as a SLOPE: (Ir at 2N frames - Ir at N frames) / N,
# which cancels tshark's start-up (registration, epan_new) exactly (hash seeds
# fixed by bench/null-dissector/fixseed.c, so counts repeat); the same
# slope for the null plugin (bench/null-dissector) is the framework's share.
# Usage (as root, Debian 12): bash bench/owncost.sh [N=1600] [extra tshark args, e.g. -V,
#   or -2 -Y PROTO.att.type: PROTO becomes msstun, stun or nullstun per run]
# KEEP=1 keeps the temp dir with the callgrind files (for callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1600}; shift || true
W=$(mktemp -d /tmp/msstun-owncost.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then echo "keeping $W (callgrind files *.out)" >&2; else trap 'rm -rf "$W"' EXIT; fi
wsver=$(pkg-config --modversion wireshark | cut -d. -f1,2)
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build-bench -j2 >/dev/null
cmake -S bench/null-dissector -B build-bench-null >/dev/null && cmake --build build-bench-null >/dev/null
for h in msstun null; do mkdir -p "$W/home-$h/.local/lib/wireshark/plugins/$wsver/epan"; done
cp build-bench/msstun.so "$W/home-msstun/.local/lib/wireshark/plugins/$wsver/epan/"
cp build-bench-null/nullstun.so "$W/home-null/.local/lib/wireshark/plugins/$wsver/epan/"
cp build-bench-null/fixseed.so "$W/"
# STUN-only frames from every shipped capture, 8 copies with distinct addresses
j=0; T0=1767225600
for f in captures/vectors/*.pcap captures/coturn/*.pcap captures/libnice/*.pcap; do
  j=$((j + 1)); s=$(capinfos -a -S -T -r "$f" | awk '{print $2}')
  editcap -F pcap -t "$(python3 -c "print('%.6f' % ($T0 + $j * 20 - $s))")" "$f" "$W/shift.pcap"
  python3 bench/replicate.py "$W/shift.pcap" "$W/p$(printf %03d $j).pcap" 1 1 "$j"
done
mergecap -a -F pcap -w "$W/base.pcap" "$W"/p[0-9]*.pcap
python3 bench/replicate.py "$W/base.pcap" "$W/big.pcap" 8 1 0 64
tshark -r "$W/big.pcap" -Y "stun || classicstun || turnchannel" -w "$W/stun.pcap" 2>/dev/null   # root: built-in only
editcap -r "$W/stun.pcap" "$W/n1.pcap" "1-$N"; editcap -r "$W/stun.pcap" "$W/n2.pcap" "1-$((2 * N))"
chmod -R a+rwX "$W"
OFF="--disable-protocol stun --disable-protocol classicstun --disable-protocol turnchannel"
run() {  # label home opts file [tshark args]
  local label=$1 home=$2 opts=$3 file=$4; shift 4
  # shellcheck disable=SC2086  # opts is a list of options
  setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$W/home-$home" TZ=UTC PATH=/usr/bin:/bin LD_PRELOAD="$W/fixseed.so" \
    valgrind --tool=callgrind --callgrind-out-file="$W/$label.out" tshark -n -r "$W/$file" $opts "$@" >/dev/null 2>&1 || true
  awk '/^totals:/ {print $2}' "$W/$label.out"
}
declare -A slope
for cfg in msstun:msstun:"$OFF" builtin:msstun:"--disable-protocol msstun" null:null:"$OFF"; do
  IFS=: read -r name home opts <<<"$cfg"
  # the word PROTO in the extra arguments becomes each run's protocol (msstun, stun, nullstun)
  proto=$(case $name in msstun) echo msstun ;; builtin) echo stun ;; null) echo nullstun ;; esac)
  args=(); for x in "$@"; do args+=("${x//PROTO/$proto}"); done
  a=$(run "$name-1" "$home" "$opts" n1.pcap "${args[@]}"); b=$(run "$name-2" "$home" "$opts" n2.pcap "${args[@]}")
  slope[$name]=$(( (b - a) / N ))
done
own_m=$(( ${slope[msstun]} - ${slope[null]} )); own_b=$(( ${slope[builtin]} - ${slope[null]} ))
echo "per frame (Ir): msstun ${slope[msstun]}, built-in ${slope[builtin]}, null ${slope[null]} ($*)"
echo "own cost per frame: msstun $own_m, built-in $own_b, ratio $(python3 -c "print('%.2f' % ($own_m / $own_b))")"
