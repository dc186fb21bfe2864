#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded fuzz run (the CI one): build the harness, make the seed corpus,
# fuzz for N seconds. Usage: bash fuzz/run.sh [seconds] [extra libFuzzer args]
# Environment: FUZZ_OUT (default fuzz/out), FUZZ_JOBS (parallel workers,
# default 1: plain libFuzzer processes sharing one corpus, each with its own
# data folder and log), MSSTUN_SRC (plugin tree to build, default this checkout),
# FUZZ_PROGRESS=N (a line with the input count and rate every N seconds).
# Exit status: 0 when nothing was found, 1 when libFuzzer saved a crash,
# leak, timeout or out-of-memory input (paths printed at the end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
out=${FUZZ_OUT:-$root/fuzz/out}
jobs=${FUZZ_JOBS:-1}
mkdir -p "$out"

bash "$root/fuzz/build.sh" "$out" >/dev/null
if [ ! -d "$out/seeds" ] || [ -z "$(ls -A "$out/seeds" 2>/dev/null)" ]; then
  python3 "$root/fuzz/make_corpus.py" "$out/seeds"
fi
# a data folder per worker: datadir, datadir2, ...
datadirs=("$out/datadir")
for n in $(seq 2 "$jobs"); do datadirs+=("$out/datadir$n"); done
mkdir -p "$out/corpus" "$out/artifacts" "${datadirs[@]}"

# As root, Wireshark ignores WIRESHARK_DATA_DIR (root counts as "special
# privileges"), so every epan session would re-read manuf/services/
# enterprises: 20x slower. Fuzz as nobody instead, like tests/run.sh's tshark.
run=()
if [ "$(id -u)" = 0 ]; then
  chmod a+rx "$out" "$out/fuzz_msstun"
  chown -R 65534:65534 "$out/corpus" "$out/artifacts" "${datadirs[@]}"
  chmod -R a+rX "$out/seeds" "$root/fuzz/msstun.dict"
  run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
args=(-max_total_time="$secs" -detect_leaks=0 -timeout=20 -rss_limit_mb=3072 -max_len=16384
      -dict="$root/fuzz/msstun.dict" -artifact_prefix="$out/artifacts/" -print_final_stats=1)

# findings: crash-, leak-, timeout-, oom- files (slow-unit- files are not:
# on a busy machine any input can take longer than -report_slow_units)
findings() { find "$out/artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort; }
before=$(findings | wc -l)
# One worker: libFuzzer's own output, filtered. More: plain processes on the
# same corpus (libFuzzer's -fork restarts its children every few hundred
# inputs, which costs each one its epan start-up: 3-4x fewer inputs per
# second), their lines prefixed with the worker's number.
worker() {  # worker N: runs in the foreground, logs to fuzz.log (N=1) or fuzz-N.log
  local n=$1 data=${datadirs[$1 - 1]} log=$out/fuzz.log
  shift
  [ "$n" -gt 1 ] && log=$out/fuzz-$n.log
  "${run[@]}" env -i PATH=/usr/bin:/bin HOME="$data" TMPDIR="$data" \
    WIRESHARK_DATA_DIR="$data" FUZZ_MSSTUN_PROGRESS="${FUZZ_PROGRESS:-0}" \
    ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1" UBSAN_OPTIONS="print_stacktrace=1" \
    "$out/fuzz_msstun" "${args[@]}" "$@" "$out/corpus" "$out/seeds" 2>&1 | tee "$log" \
    | grep -E "^#[0-9]+.*(pulse|DONE)|^fuzz_msstun: [0-9]|ERROR|SUMMARY|Test unit written|stat::"
}
set +e
if [ "$jobs" -le 1 ]; then
  worker 1 "$@"
else
  pids=()
  for n in $(seq 1 "$jobs"); do
    worker "$n" "$@" | sed -u "s/^/[worker $n] /" &
    pids+=($!)
  done
  trap 'pkill -TERM -f "$out/fuzz_msstun "' INT TERM
  wait "${pids[@]}"
  trap - INT TERM
fi
set -e
after=$(findings | wc -l)
if [ "$after" -gt "$before" ]; then
  echo "fuzz: new findings in $out/artifacts:" >&2
  ls -t $(findings) | head -n $((after - before)) | sed "s|^|  |" >&2
  echo "reproduce: FUZZ_MSSTUN_SESSION_INPUTS=1 $out/fuzz_msstun FILE   or   python3 fuzz/to_pcap.py FILE x.pcap && tshark -2 -r x.pcap" >&2
  exit 1
fi
echo "fuzz: no findings in ${secs}s (corpus: $(ls "$out/corpus" | wc -l) inputs)"
