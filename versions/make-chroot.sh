#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Create (idempotently) a Debian chroot in which msstun can be built and tested
# against another Wireshark version: trixie (Wireshark 4.4) or sid (4.6).
# Usage (as root): bash versions/make-chroot.sh trixie|sid
# The chroot goes to ${MSSTUN_CHROOTS:-/var/tmp/msstun-chroots}/SUITE (~1 GB).
set -euo pipefail
suite=${1:?usage: make-chroot.sh trixie|sid}
case "$suite" in trixie|sid) ;; *) echo "suite must be trixie or sid" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "make-chroot.sh must run as root (debootstrap, chroot)" >&2; exit 1; }
base=${MSSTUN_CHROOTS:-/var/tmp/msstun-chroots}
dir="$base/$suite"
mirror=${MSSTUN_MIRROR:-http://deb.debian.org/debian}
pkgs="tshark libwireshark-dev libglib2.0-dev libgcrypt20-dev cmake gcc make pkg-config python3 python3-pytest util-linux"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

mkdir -p "$base"
# A finished debootstrap leaves /var/lib/dpkg/status with apt in it; a half
# one (interrupted) is removed and redone.
if [ ! -x "$dir/usr/bin/apt-get" ] || [ ! -f "$dir/.msstun-debootstrap-done" ]; then
  if [ -e "$dir" ]; then
    # never rm -rf through a live bind mount
    if grep -q " $dir/" /proc/mounts; then echo "$dir has mounts; unmount first" >&2; exit 1; fi
    rm -rf "$dir"
  fi
  echo "debootstrap $suite -> $dir"
  debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$base/debootstrap-$suite.log" 2>&1 \
    || { echo "debootstrap failed, see $base/debootstrap-$suite.log" >&2; tail -20 "$base/debootstrap-$suite.log" >&2; exit 1; }
  touch "$dir/.msstun-debootstrap-done"
fi

if [ "$suite" = sid ]; then
  # a lagging mirror may serve a Release file past its Valid-Until
  echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99msstun-no-valid-until"
fi
echo 'APT::Install-Recommends "false";' >"$dir/etc/apt/apt.conf.d/99msstun-no-recommends"
cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true

missing=""
for p in $pkgs; do
  chroot "$dir" dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing in $suite:$missing"
  chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
    >"$base/apt-$suite.log" 2>&1 \
    || { echo "apt-get install failed, see $base/apt-$suite.log" >&2; tail -20 "$base/apt-$suite.log" >&2; exit 1; }
fi
chroot "$dir" sh -c 'command -v setpriv >/dev/null' || { echo "setpriv missing in $suite chroot" >&2; exit 1; }
ws=$(chroot "$dir" pkg-config --modversion wireshark)
gccv=$(chroot "$dir" gcc -dumpfullversion)
echo "$suite chroot ready at $dir: Wireshark $ws, gcc $gccv"
