#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: build msstun, install it into the personal plugin folder, and
# decode shipped captures with it.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
# as root the missing packages are installed; otherwise the build says what it lacks
[ "$(id -u)" != 0 ] || bash scripts/need-packages.sh tshark libwireshark-dev libglib2.0-dev libgcrypt20-dev \
  cmake gcc make pkg-config
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
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
