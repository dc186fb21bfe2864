#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: build msstun, install it into the personal plugin folder, and
# decode shipped captures with it.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
# as root the missing packages are installed; another user gets the list of
# what to install and nothing is built (MSSTUN_NO_PACKAGE_CHECK=1 skips this,
# e.g. for a Wireshark built from source)
if [ -z "${MSSTUN_NO_PACKAGE_CHECK:-}" ]; then
  bash scripts/need-packages.sh tshark libwireshark-dev libglib2.0-dev libgcrypt20-dev cmake gcc make pkg-config
fi
# build/ is the personal build: MSSTUN_INSTALL_GLOBAL stays OFF here even if an
# earlier global install reused this folder (the global one has its own folder)
echo "== building msstun (first run: about a minute)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMSSTUN_INSTALL_GLOBAL=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
cmake --install build

show() {
  if [ "$(id -u)" = 0 ]; then
    # tshark run as root loads no personal plugins: run it as nobody
    h=$(mktemp -d /tmp/msstun-run.XXXXXX)
    v=$(pkg-config --modversion wireshark | cut -d. -f1,2)
    mkdir -p "$h/.local/lib/wireshark/plugins/$v/epan" "$h/c"
    cp build/msstun.so "$h/.local/lib/wireshark/plugins/$v/epan/"
    cp "$1" "$h/c/"
    chmod -R a+rX "$h"
    shift_file="$h/c/$(basename "$1")"; shift
    setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$h" TZ=UTC PATH=/usr/bin:/bin \
      tshark -n -r "$shift_file" "$@"
    rm -rf "$h"
  else
    f=$1; shift
    tshark -n -r "$f" "$@"
  fi
}
echo "== [MS-TURN] over UDP (synthetic vectors)"
show captures/vectors/ms-turn-udp.pcap
echo "== [MS-TURN] 2.1.4 TCP framing on port 443"
show captures/vectors/ms-turn-tcp.pcap -d tcp.port==443,msstun -Y msstun
echo "== RFC 6062: ConnectionAttempt, ConnectionBind, then RFC 4571-framed MS-ICE2 checks"
show captures/vectors/rfc6062.pcap -Y msstun
echo "== one [MS-TURN] Allocate response in detail"
show captures/vectors/ms-turn-udp.pcap -Y frame.number==4 -O msstun -V

if [ "$(id -u)" = 0 ]; then
  mm=$(pkg-config --modversion wireshark | cut -d. -f1,2)
  cat <<TXT
== done. Note: the copy above went into root's personal folder
   ($HOME/.local/lib/wireshark/plugins/$mm/epan/msstun.so), which root's
   tshark and Wireshark ignore (the captures above were decoded as nobody).
   Next, one of (README.md, "Installing"):
   - for your own user: run 'bash run.sh' again as that user;
   - for every user, root included: the Debian package, as root:
       (cd build && cpack -G DEB) && dpkg -i build/msstun_*.deb
   - or a global install from its own build folder, as root:
       cmake -S . -B build-global -DMSSTUN_INSTALL_GLOBAL=ON && cmake --build build-global && cmake --install build-global
   and remove root's copy: cmake --build build --target uninstall
TXT
else
  echo "== done: Wireshark and tshark started as $(id -un) now load msstun (Help > About Wireshark > Plugins)"
fi
