#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the msstun test command (bash tests/run.sh) inside a chroot made by
# make-chroot.sh, i.e. against that suite's Wireshark.
# Usage (as root): bash versions/test-in-chroot.sh trixie|sid [pytest args]
#        bash versions/test-in-chroot.sh trixie|sid --build-only
#   (--build-only: only the two builds tests/run.sh makes, compiler output shown)
#
# The repository's working tree (without .git and build dirs) is copied to
# /src/msstun/main in the chroot, so the chroot's build/ and build-san/ never
# touch the host's; ../shared is bind-mounted read-only at /src/msstun/shared
# (tests/run.sh reads ../shared/vectors). /proc is mounted for ASan and
# setpriv. Everything mounted here is unmounted on exit.
set -euo pipefail
suite=${1:?usage: test-in-chroot.sh trixie|sid [pytest args]}
shift
[ "$(id -u)" = 0 ] || { echo "test-in-chroot.sh must run as root (chroot, mount)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=$(cd "$repo/../shared" 2>/dev/null && pwd || true)
base=${MSSTUN_CHROOTS:-/var/tmp/msstun-chroots}
dir="$base/$suite"

[ -f "$dir/.msstun-debootstrap-done" ] || bash "$here/make-chroot.sh" "$suite"

# one run per chroot at a time (the mounts and the copy are shared)
exec 9>"$base/.lock-$suite"
flock -w 1800 9 || { echo "another test-in-chroot.sh $suite is running" >&2; exit 1; }

mounted=()
cleanup() {
  local i
  for ((i=${#mounted[@]}-1; i>=0; i--)); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# fresh copy of the working tree; keep the chroot's own build dirs for speed
# (the copy gets the time of copying: sources older than an earlier build's
# objects would otherwise not be rebuilt)
dst="$dir/src/msstun/main"
mkdir -p "$dst" "$dir/src/msstun/shared"
find "$dst" -mindepth 1 -maxdepth 1 ! -name 'build' ! -name 'build-*' -exec rm -rf {} +
tar -C "$repo" --exclude=./.git --exclude='./build' --exclude='./build-*' \
    --exclude='__pycache__' -cf - . | tar -C "$dst" -xmf -   # -m: new mtimes, or make keeps stale objects

if [ -n "$shared" ]; then
  mount --bind "$shared" "$dir/src/msstun/shared"; mounted+=("$dir/src/msstun/shared")
  mount -o remount,bind,ro "$dir/src/msstun/shared" 2>/dev/null || true
fi
if ! mountpoint -q "$dir/proc"; then
  mount -t proc proc "$dir/proc"; mounted+=("$dir/proc")
fi
cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true

ws=$(chroot "$dir" pkg-config --modversion wireshark)
echo "== $suite: Wireshark $ws, gcc $(chroot "$dir" gcc -dumpfullversion)"
if [ "${1:-}" = --build-only ]; then
  cmd='cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j"$(nproc)" &&
       cmake -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DMSSTUN_SANITIZE=ON >/dev/null && cmake --build build-san -j"$(nproc)"'
  shift
else
  cmd='bash tests/run.sh "$@"'
fi
set +e
chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LANG=C.UTF-8 TERM=dumb \
  bash -c "cd /src/msstun/main && $cmd" run.sh "$@"
rc=$?
set -e
exit $rc
