#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build and test msstun against every Wireshark reachable here and print a
# summary: 4.0 natively (Debian 12), 4.4 in a trixie chroot, 4.6 in a sid chroot.
# Usage (as root): bash versions/matrix.sh [bookworm|native] [trixie] [sid] [-- pytest args]
# With no suite named, all three run. Logs go to ${MSSTUN_MATRIX:-/var/tmp/msstun-matrix}/.
#
# The native run works in a copy of the working tree (like the chroot runs), so
# it never touches the repository's own build/ and build-san/ directories.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${MSSTUN_MATRIX:-/var/tmp/msstun-matrix}
mkdir -p "$out"

suites=(); pyargs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; pyargs=("$@"); break ;;
    native|bookworm) suites+=(native) ;;
    trixie|sid) suites+=("$1") ;;
    *) echo "unknown suite $1 (native, trixie, sid)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#suites[@]} -gt 0 ] || suites=(native trixie sid)
# the tree as copied (others may commit while the tests run)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')
[ -n "$(git -C "$repo" status --porcelain -- plugin tests CMakeLists.txt 2>/dev/null)" ] && commit="$commit + local changes"

native_copy() {   # $1 = command for the copy's root ("build-only" or "test")
  local top="$out/native" dst="$out/native/main"
  mkdir -p "$dst"
  find "$dst" -mindepth 1 -maxdepth 1 ! -name 'build' ! -name 'build-*' -exec rm -rf {} +
  tar -C "$repo" --exclude=./.git --exclude='./build' --exclude='./build-*' \
      --exclude='__pycache__' -cf - . | tar -C "$dst" -xf -
  [ -d "$repo/../shared" ] && ln -sfn "$(cd "$repo/../shared" && pwd)" "$top/shared"
  cd "$dst" || return 1
  if [ "$1" = build-only ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j"$(nproc)" &&
    cmake -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DMSSTUN_SANITIZE=ON >/dev/null &&
    cmake --build build-san -j"$(nproc)"
  else
    bash tests/run.sh "${pyargs[@]}"
  fi
}

declare -A ws gccv build summary secs
for s in "${suites[@]}"; do
  blog="$out/$s-build.log"; tlog="$out/$s-test.log"
  echo "== $s: building (log $blog)"
  t0=$(date +%s)
  if [ "$s" = native ]; then
    ws[$s]=$(pkg-config --modversion wireshark 2>/dev/null || echo "?")
    gccv[$s]=$(gcc -dumpfullversion 2>/dev/null || echo "?")
    ( native_copy build-only ) >"$blog" 2>&1; brc=$?
  else
    bash "$here/make-chroot.sh" "$s" >"$out/$s-chroot.log" 2>&1 \
      || { echo "   chroot failed, see $out/$s-chroot.log"; build[$s]="no chroot"; summary[$s]="-"; secs[$s]=0; continue; }
    d=${MSSTUN_CHROOTS:-/var/tmp/msstun-chroots}/$s
    ws[$s]=$(chroot "$d" pkg-config --modversion wireshark)
    gccv[$s]=$(chroot "$d" gcc -dumpfullversion)
    bash "$here/test-in-chroot.sh" "$s" --build-only >"$blog" 2>&1; brc=$?
  fi
  if [ $brc -ne 0 ]; then
    build[$s]="FAIL"; summary[$s]="not run"; secs[$s]=$(( $(date +%s) - t0 ))
    grep -E "error:|Error" "$blog" | head -5 | sed 's/^/   /'
    continue
  fi
  build[$s]="ok"
  echo "== $s: testing (log $tlog)"
  if [ "$s" = native ]; then
    ( native_copy test ) >"$tlog" 2>&1
  else
    bash "$here/test-in-chroot.sh" "$s" "${pyargs[@]}" >"$tlog" 2>&1
  fi
  secs[$s]=$(( $(date +%s) - t0 ))
  # pytest's last line: "3 failed, 40 passed, 1 skipped in 12.3s"
  line=$(grep -E "[0-9]+ (passed|failed|errors?|skipped).* in [0-9.]+s" "$tlog" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')
  summary[$s]=${line:-"no pytest summary (see log)"}
done

echo
echo "msstun matrix, finished $(date -u '+%Y-%m-%d %H:%M UTC'), tree at start: commit $commit"
printf '| %-9s | %-9s | %-6s | %-10s | %-55s | %5s |\n' suite Wireshark gcc build tests secs
printf '|%s|%s|%s|%s|%s|%s|\n' ----------- ----------- -------- ------------ --------------------------------------------------------- -------
for s in "${suites[@]}"; do
  name=$s; [ "$s" = native ] && name="bookworm"
  printf '| %-9s | %-9s | %-6s | %-10s | %-55s | %5s |\n' "$name" "${ws[$s]:-?}" "${gccv[$s]:-?}" "${build[$s]:-?}" "${summary[$s]:-?}" "${secs[$s]:-?}"
done
rc=0
for s in "${suites[@]}"; do
  tlog="$out/$s-test.log"
  [ "${build[$s]:-}" = ok ] || { rc=1; continue; }
  f=$(grep -E "^(FAILED|ERROR) " "$tlog" || true)
  case "${summary[$s]}" in *failed*|*error*|"no pytest"*) rc=1 ;; esac
  if [ -n "$f" ]; then echo; echo "$s failures ($tlog):"; echo "$f" | cut -c1-200 | sed 's/^/  /'; fi
done
exit $rc
