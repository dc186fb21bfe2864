#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh - msstun against Wireshark's built-in STUN dissector:
#   CPU time and peak memory of tshark (summary, two-pass + filter, -V) and
#   callgrind instruction counts minus a do-nothing baseline plugin (own cost).
# Usage: bash bench/run.sh            (about 20-25 min on 2 cores)
#        QUICK=1 bash bench/run.sh    (under 5 min, smaller and fewer runs)
# Knobs: RUNS (3), COPIES (250 copies of all captures = 261k frames),
#        CG_FRAMES (20000 STUN-only frames under callgrind), KEEP=1 keeps the temp dir,
#        REV=<git rev> benchmarks that commit (git archive) instead of the work tree.
# Results: bench/out/report.txt (+ raw data in bench/out/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  RUNS=${RUNS:-1}; COPIES=${COPIES:-40}; CG_FRAMES=${CG_FRAMES:-3200}
else
  RUNS=${RUNS:-3}; COPIES=${COPIES:-250}; CG_FRAMES=${CG_FRAMES:-20000}
fi
FLAT=16                      # flatness: per-frame cost at CG_FRAMES/16 and CG_FRAMES
jobs=$(nproc)
t_start=$(date +%s)
log() { printf '[%4ds] %s\n' $(( $(date +%s) - t_start )) "$*" >&2; }

# ---- dependencies -----------------------------------------------------------
bash "$(dirname "$0")/../scripts/need-packages.sh" tshark wireshark-common libwireshark-dev libglib2.0-dev \
  libgcrypt20-dev cmake gcc make pkg-config python3 valgrind time

# ---- build --------------------------------------------------------------------
work=$(mktemp -d /tmp/msstun-bench.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then log "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
if [ -n "${REV:-}" ]; then
  log "building msstun from $REV ($(git rev-parse --short "$REV")) and the null plugin"
  mkdir -p "$work/src"; git archive "$REV" | tar -x -C "$work/src"
  src="$work/src"; bld="$work/build"; rev_desc="$REV = $(git rev-parse --short "$REV")"
else
  log "building msstun from the work tree (build-bench) and the null plugin (build-bench-null)"
  src=.; bld=build-bench; rev_desc="work tree on $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- plugin CMakeLists.txt || echo ' + local changes')"
fi
cmake -S "$src" -B "$bld" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$bld" -j"$jobs" >/dev/null
cmake -S bench/null-dissector -B build-bench-null -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-bench-null -j"$jobs" >/dev/null

out="$root/bench/out"
rm -rf "$out"; mkdir -p "$out"
wsver=$(pkg-config --modversion wireshark | cut -d. -f1,2)
# three private HOMEs: msstun (also used for the built-in, with msstun disabled), null
for h in msstun null; do mkdir -p "$work/home-$h/.local/lib/wireshark/plugins/$wsver/epan"; done
cp "$bld/msstun.so" "$work/home-msstun/.local/lib/wireshark/plugins/$wsver/epan/"
cp build-bench-null/nullstun.so "$work/home-null/.local/lib/wireshark/plugins/$wsver/epan/"
cp build-bench-null/fixseed.so "$work/"   # fixed hash seeds under callgrind (see the file)
mkdir -p "$work/cap" "$work/cg" "$work/tmp"

# tshark as root ignores personal plugins: run it as nobody with a private HOME.
asuser() {
  local home=$1; shift
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups \
      env -i HOME="$work/home-$home" TZ=UTC PATH=/usr/bin:/bin "$@"
  else
    env -i HOME="$work/home-$home" TZ=UTC PATH=/usr/bin:/bin "$@"
  fi
}
# the plugins must load, or every number below is meaningless
chmod -R a+rwX "$work"
for h in msstun:msstun null:nullstun; do
  if ! asuser "${h%%:*}" tshark -G protocols 2>"$work/tmp/load.txt" | grep -q "	${h#*:}$" \
     || grep -q "Couldn't load plugin" "$work/tmp/load.txt"; then
    cat "$work/tmp/load.txt" >&2; echo "${h#*:} does not load into tshark; aborting" >&2; exit 1
  fi
done

# configuration -> HOME and the options that leave exactly one STUN dissector
OFF_BUILTIN="--disable-protocol stun --disable-protocol classicstun --disable-protocol turnchannel"
cfg_home() { case $1 in msstun|builtin) echo msstun ;; null) echo null ;; esac; }
cfg_opts() { case $1 in msstun|null) echo "$OFF_BUILTIN" ;; builtin) echo "--disable-protocol msstun" ;; esac; }
cfg_proto() { case $1 in msstun) echo msstun ;; builtin) echo stun ;; null) echo nullstun ;; esac; }

# ---- captures ----------------------------------------------------------------
# base: every shipped capture, each moved to its own 20 s slot (editcap -t) and
# given its own addresses (replicate.py), concatenated (mergecap -a); big: COPIES
# copies of base, each shifted in time and in its addresses (distinct conversations).
log "building captures ($COPIES copies)"
T0=1767225600; j=0
for f in captures/vectors/*.pcap captures/coturn/*.pcap captures/libnice/*.pcap; do
  j=$((j + 1))
  s=$(capinfos -a -S -T -r "$f" | awk '{print $2}')
  d=$(python3 -c "print('%.6f' % ($T0 + $j * 20 - $s))")
  editcap -F pcap -t "$d" "$f" "$work/tmp/shift.pcap"
  python3 bench/replicate.py "$work/tmp/shift.pcap" "$work/tmp/$(printf %03d $j).pcap" 1 1 "$j"
done
[ "$j" -lt 64 ] || { echo "more than 63 captures: raise the stride in run.sh" >&2; exit 1; }
mergecap -a -F pcap -w "$work/cap/base.pcap" "$work"/tmp/[0-9]*.pcap
python3 bench/replicate.py "$work/cap/base.pcap" "$work/cap/big.pcap" "$COPIES" 1 0 64
chmod -R a+rwX "$work"
# STUN-only: the frames the built-in decodes as STUN/TURN
asuser msstun tshark -r "$work/cap/big.pcap" --disable-protocol msstun \
  -Y "stun || classicstun || turnchannel" -w "$work/cap/stunonly.pcap"
editcap -r "$work/cap/stunonly.pcap" "$work/cap/cg.pcap" "1-$CG_FRAMES"
editcap -r "$work/cap/stunonly.pcap" "$work/cap/cg-small.pcap" "1-$((CG_FRAMES / FLAT))"
# mixed: the first CG_FRAMES frames of big.pcap (STUN and everything around it), whole runs under callgrind
editcap -r "$work/cap/big.pcap" "$work/cap/mix.pcap" "1-$CG_FRAMES"
chmod -R a+rwX "$work"
frames() { capinfos -c -M "$1" | awk '/Number of packets/ {print $NF}'; }
big_n=$(frames "$work/cap/big.pcap"); stun_n=$(frames "$work/cap/stunonly.pcap")
cg_n=$(frames "$work/cap/cg.pcap"); cgs_n=$(frames "$work/cap/cg-small.pcap"); mix_n=$(frames "$work/cap/mix.pcap")
log "big: $big_n frames, $stun_n of them STUN/TURN; callgrind slices $cg_n and $cgs_n frames"
cat > "$out/captures.txt" <<EOT
msstun: $rev_desc; $(tshark --version | head -1); $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
big.pcap       $big_n frames ($stun_n STUN/TURN per the built-in: $(( 100 * stun_n / big_n ))%)
stunonly.pcap  $stun_n frames
cg.pcap        $cg_n frames (first of stunonly, for callgrind)
cg-small.pcap  $cgs_n frames (1/$FLAT of cg.pcap, flatness)
mix.pcap       $mix_n frames (first of big.pcap, whole runs under callgrind)
EOT

# ---- native runs: CPU time and peak RSS --------------------------------------
mode_args() {  # mode cfg
  case $1 in
    summary) echo "" ;;
    twopass) echo "-2 -Y $(cfg_proto "$2").att.type" ;;
    detail)  echo "-V" ;;
  esac
}
timed() {  # cfg mode run
  local cfg=$1 mode=$2 run=$3 lines
  # shellcheck disable=SC2046
  asuser "$(cfg_home "$cfg")" /usr/bin/time -f "%e %U %S %M" -o "$work/tmp/time.txt" \
    tshark -r "$work/cap/big.pcap" $(cfg_opts "$cfg") $(mode_args "$mode" "$cfg") \
    > "$work/tmp/stdout.txt"
  lines=$(wc -l < "$work/tmp/stdout.txt")
  echo "$cfg $mode $run $(tail -1 "$work/tmp/time.txt") $lines" >> "$out/native.txt"
  log "  $cfg $mode run $run: $(tail -1 "$work/tmp/time.txt") (elapsed user sys maxrss-KiB)"
}
log "native runs: $RUNS x {msstun, built-in} x {summary, two-pass, -V} on big.pcap"
asuser msstun tshark -r "$work/cap/big.pcap" -c 1000 > /dev/null   # warm the page cache
: > "$out/native.txt"
for run in $(seq 1 "$RUNS"); do
  for mode in summary twopass detail; do
    if [ $((run % 2)) = 1 ]; then order="msstun builtin"; else order="builtin msstun"; fi
    [ "$mode" = summary ] && order="$order null"
    for cfg in $order; do timed "$cfg" "$mode" "$run"; done
  done
done

# ---- callgrind ------------------------------------------------------------------
log "callgrind runs (up to $jobs at once)"
: > "$work/tmp/cg-jobs"
cgjob() {  # name cfg file extra-args
  local name=$1 cfg=$2 file=$3; shift 3
  {
    echo "set -e; $(declare -f asuser); work='$work'; OFF_BUILTIN='$OFF_BUILTIN'"
    echo "asuser $(cfg_home "$cfg") env LD_PRELOAD=$work/fixseed.so valgrind --tool=callgrind --callgrind-out-file=$work/cg/$name.out" \
         "tshark -r $work/cap/$file $(cfg_opts "$cfg") $* > /dev/null 2> $work/cg/$name.log"
  } > "$work/tmp/job-$name.sh"
  echo "$work/tmp/job-$name.sh" >> "$work/tmp/cg-jobs"
}
# longest first
cgjob msstun-detail  msstun  cg.pcap -V
cgjob builtin-detail builtin cg.pcap -V
cgjob msstun-summary msstun  cg.pcap
cgjob builtin-summary builtin cg.pcap
cgjob null-detail    null    cg.pcap -V
cgjob null-summary   null    cg.pcap
# whole runs on the mixed slice: CPU in instructions, repeatable where times are not
cgjob mix-msstun-detail  msstun  mix.pcap -V
cgjob mix-builtin-detail builtin mix.pcap -V
cgjob mix-msstun-twopass  msstun  mix.pcap -2 -Y msstun.att.type
cgjob mix-builtin-twopass builtin mix.pcap -2 -Y stun.att.type
cgjob mix-msstun-summary  msstun  mix.pcap
cgjob mix-builtin-summary builtin mix.pcap
if [ "$QUICK" != 1 ]; then   # flatness (skipped by QUICK=1)
  cgjob msstun-small msstun  cg-small.pcap
  cgjob null-small   null    cg-small.pcap
fi
chmod -R a+rwX "$work"
xargs -P "$jobs" -n 1 bash < "$work/tmp/cg-jobs"
for f in "$work"/cg/*.out; do
  n=$(basename "$f" .out)
  echo "$n $(awk '/^totals:/ {print $2}' "$f")" >> "$out/callgrind.txt"
  cp "$f" "$out/callgrind.$n.out"
done

# hot spots: msstun functions in the msstun runs
for m in summary detail; do
  for inc in no yes; do
    callgrind_annotate --inclusive=$inc --threshold=100 "$work/cg/msstun-$m.out" 2>/dev/null \
      | grep 'msstun' | grep -v 'PROGRAM TOTALS\|Profile' \
      | sed -e 's# \[[^]]*msstun\.so\]##' | awk 'NR <= 25' > "$out/hot-$m-inclusive-$inc.txt"
  done
done

python3 bench/summarize.py "$out" "$cg_n" "$cgs_n" "$RUNS" "$mix_n" | tee "$out/report.txt"
log "done; report in bench/out/report.txt"
