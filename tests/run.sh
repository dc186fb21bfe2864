#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test command: installs what it needs, builds the plugin twice (plain and
# ASan+UBSan), installs each into a private HOME for tshark (run as nobody
# when root, as the current user otherwise), and runs the capture tests. Usage: bash tests/run.sh [pytest args]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/need-packages.sh tshark libwireshark-dev libglib2.0-dev libgcrypt20-dev cmake gcc make pkg-config \
  python3 python3-pytest

# a global copy (the .deb or a global install) would be loaded besides the
# build under test ("found in multiple directories"): stop and say so
global="$(pkg-config --variable=plugindir wireshark)/epan/msstun.so"
if [ -e "$global" ]; then
  echo "tests/run.sh: msstun is installed globally ($global); tshark would load it besides the" \
    "build under test. Remove it first (as root: dpkg -r msstun, or cmake --build build-global --target uninstall)." >&2
  exit 1
fi

jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" >/dev/null
cmake -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DMSSTUN_SANITIZE=ON >/dev/null
cmake --build build-san -j"$jobs" >/dev/null

# Each build gets a fresh HOME whose personal plugin folder holds it. tshark
# run as root ignores personal plugins, so as root the tests run tshark as
# nobody (captures copied where nobody can read them); as another user they
# run it as that user.
work=$(mktemp -d /tmp/msstun-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT
wsver=$(pkg-config --modversion wireshark | cut -d. -f1,2)
for kind in plain san; do
  dir="$work/home-$kind/.local/lib/wireshark/plugins/$wsver/epan"
  mkdir -p "$dir"
  if [ $kind = plain ]; then cp build/msstun.so "$dir/"; else cp build-san/msstun.so "$dir/"; fi
  # Wireshark 4.4 gave TCP port 40000 to SAP NI, where the libnice captures'
  # controlling agent listens: Decode As, as a user would (README, "Ports")
  if [ "$(printf '%s\n' 4.4 "$wsver" | sort -V | head -1)" = 4.4 ]; then
    mkdir -p "$work/home-$kind/.config/wireshark"
    echo "decode_as_entry: tcp.port,40000,SAPNI,MS-STUN/TURN/ICE over TCP (msstun plugin)" \
      >"$work/home-$kind/.config/wireshark/decode_as_entries"
  fi
done
cp -r captures "$work/captures"
cp scripts/need-packages.sh "$work/"
cp -r ../shared/vectors "$work/vectors" 2>/dev/null || true
chmod -R a+rwX "$work"
export MSSTUN_TEST_WORK="$work" MSSTUN_WS_VERSION="$wsver"
# as root (CI) the package test installs the .deb, decodes with root tshark, and removes it
[ "$(id -u)" = 0 ] && export MSSTUN_TEST_INSTALL_DEB=1
export MSSTUN_ASAN_LIB="$(gcc -print-file-name=libasan.so)" MSSTUN_UBSAN_LIB="$(gcc -print-file-name=libubsan.so)"
[ -n "${MSSTUN_UPDATE_DOCS:-}" ] && export MSSTUN_UPDATE_DOCS
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests "$@"
