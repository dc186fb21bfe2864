#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes docs/msturn-data-indication.png and docs/rfc6062-relayed-check.png
# (one frame with its msstun tree expanded) and docs/gui-*.png (the
# Statistics menu, the Diagnosis and ICE Pairs dialogs, the Expert
# Information dialog): Wireshark (Qt) with the msstun plugin, run under Xvfb
# as an unprivileged user (Wireshark run as root ignores personal plugins)
# with the plugin in that user's personal plugin folder. Run as root on Debian 12: installs wireshark-qt, xvfb, xdotool and
# imagemagick with apt-get. Uses build/msstun.so (built if missing) or $MSSTUN_SO.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ "$(id -u)" = 0 ] || { echo "run as root (installs packages, runs Wireshark as nobody)" >&2; exit 1; }

pkgs="wireshark-qt xvfb xdotool imagemagick fonts-dejavu-core libwireshark-dev libglib2.0-dev libgcrypt20-dev cmake gcc make pkg-config"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  # wireshark-common asks whether non-root users may capture: keep the default (no)
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

so=${MSSTUN_SO:-build/msstun.so}
if [ ! -f "$so" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$(nproc)" >/dev/null
  so=build/msstun.so
fi

wsver=$(pkg-config --modversion wireshark | cut -d. -f1,2)
uid=65534 gid=65534   # nobody
work=$(mktemp -d /tmp/msstun-shots.XXXXXX)
xvfb_pid="" ws_pid=""
cleanup() {
  [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

home="$work/home"
mkdir -p "$home/.local/lib/wireshark/plugins/$wsver/epan" "$home/.config/wireshark" "$home/run" "$work/c"
cp "$so" "$home/.local/lib/wireshark/plugins/$wsver/epan/msstun.so"
cp captures/vectors/ms-turn-udp.pcap captures/vectors/rfc6062.pcap captures/fieldcase/fieldcase-oneway.pcap \
   captures/coturn/denied-peer.pcap "$work/c/"
# window size and pane split (recent_common / recent are Wireshark's remembered GUI state)
cat > "$home/.config/wireshark/recent_common" <<'R'
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: 1280
gui.geometry_main_height: 900
gui.geometry_main_maximized: FALSE
privs.warn_if_elevated: FALSE
R
cat > "$home/.config/wireshark/recent" <<'R'
gui.geometry_main_upper_pane: 300
gui.geometry_main_lower_pane: 0
gui.packet_list_show: TRUE
gui.tree_view_show: TRUE
gui.byte_view_show: FALSE
gui.statusbar_show: TRUE
gui.toolbar_show: TRUE
gui.filter_toolbar_show: TRUE
R
cat > "$home/.config/wireshark/preferences" <<'R'
gui.update.enabled: FALSE
gui.column.format: "No.", "%m", "Time", "%t", "Source", "%s", "Destination", "%d", "Protocol", "%p", "Length", "%L", "Info", "%i"
R
chown -R "$uid:$gid" "$work"
chmod 700 "$home/run"

disp=:$(( 90 + RANDOM % 100 ))
Xvfb "$disp" -screen 0 1680x1050x24 -nolisten tcp -ac >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.2; done

# shot PCAP FRAME OUT: open PCAP at FRAME, expand the first msstun tree, save OUT
shot() {
  local pcap=$1 frame=$2 out=$3 win
  setpriv --reuid=$uid --regid=$gid --clear-groups env -i HOME="$home" TZ=UTC LANG=C.UTF-8 \
    PATH=/usr/bin:/bin DISPLAY="$disp" XDG_RUNTIME_DIR="$home/run" QT_QPA_PLATFORM=xcb \
    wireshark -n -r "$work/c/$pcap" -g "$frame" >"$work/ws.log" 2>&1 &
  ws_pid=$!
  win=$(DISPLAY=$disp timeout 60 xdotool search --sync --onlyvisible --name "$pcap" | head -1)
  sleep 4
  DISPLAY=$disp xdotool windowmove "$win" 0 0 windowsize "$win" 1280 900
  sleep 2
  # the details pane sits below the 300-pixel packet list: click into it, expand
  # everything, then fold Frame / Ethernet / IP / transport back up so the
  # first msstun tree (5th top-level item) is in view, expanded
  DISPLAY=$disp xdotool mousemove --window "$win" 400 560 click 1
  sleep 0.5
  DISPLAY=$disp xdotool key --window "$win" --delay 150 ctrl+Right Home \
    Left Down Left Down Left Down Left Down
  sleep 2
  DISPLAY=$disp import -window root "$work/raw.png"
  kill "$ws_pid"; wait "$ws_pid" 2>/dev/null || true; ws_pid=""
  convert "$work/raw.png" -crop 1280x900+0+0 +repage -strip -colors 256 PNG8:"$out"
  echo "$out: $(stat -c %s "$out") bytes"
}

shot ms-turn-udp.pcap 6 docs/msturn-data-indication.png
shot rfc6062.pcap 11 docs/rfc6062-relayed-check.png

# start_ws PCAP [ARGS]: Wireshark on PCAP as nobody, main window 1280x900 at 0,0
start_ws() {
  local pcap=$1; shift
  setpriv --reuid=$uid --regid=$gid --clear-groups env -i HOME="$home" TZ=UTC LANG=C.UTF-8 \
    PATH=/usr/bin:/bin DISPLAY="$disp" XDG_RUNTIME_DIR="$home/run" QT_QPA_PLATFORM=xcb \
    wireshark -n -r "$work/c/$pcap" "$@" >"$work/ws.log" 2>&1 &
  ws_pid=$!
  main_win=$(DISPLAY=$disp timeout 60 xdotool search --sync --onlyvisible --name "^$pcap" | head -1)
  DISPLAY=$disp xdotool windowmove "$main_win" 0 0 windowsize "$main_win" 1280 900
}
stop_ws() { kill "$ws_pid"; wait "$ws_pid" 2>/dev/null || true; ws_pid=""; }
save() { convert "$1" -strip -colors 256 PNG8:"$2"; echo "$2: $(stat -c %s "$2") bytes"; }

# dialog PCAP Z TITLE W H OUT [X Y]: open the dialog of "-z Z" (what the
# Statistics menu entry opens), size it WxH, optionally click at X,Y in it
# (expand a row), and save the dialog window alone
dialog() {
  local pcap=$1 z=$2 title=$3 w=$4 h=$5 out=$6 win
  start_ws "$pcap" -z "$z"
  win=$(DISPLAY=$disp timeout 60 xdotool search --sync --onlyvisible --name "$title" | head -1)
  sleep 3
  DISPLAY=$disp xdotool windowmove "$win" 10 30 windowsize "$win" "$w" "$h"
  sleep 2
  if [ $# -ge 8 ]; then
    DISPLAY=$disp xdotool mousemove --window "$win" "$7" "$8" click 1
    sleep 1
  fi
  DISPLAY=$disp import -window "$win" "$work/raw.png"
  stop_ws
  save "$work/raw.png" "$out"
}

# the Statistics menu: the four table dialogs, and the MS-STUN/TURN/ICE
# submenu (stats_tree plugins: Messages and Diagnosis) opened with the keyboard
start_ws fieldcase-oneway.pcap
sleep 4
DISPLAY=$disp xdotool mousemove 325 10 click 1
sleep 1
DISPLAY=$disp xdotool key Up Right
sleep 2
DISPLAY=$disp import -window root "$work/raw.png"
# ... then Return opens the Diagnosis tree (the stats_tree has no -z in Wireshark)
DISPLAY=$disp xdotool key Return
win=$(DISPLAY=$disp timeout 60 xdotool search --sync --onlyvisible --name "Diagnosis" | head -1)
sleep 3
DISPLAY=$disp xdotool windowmove "$win" 10 30 windowsize "$win" 1640 300
sleep 2
DISPLAY=$disp import -window "$win" "$work/tree.png"
stop_ws
convert "$work/raw.png" -crop 600x880+290+15 +repage "$work/menu.png"
save "$work/menu.png" docs/gui-statistics-menu.png
save "$work/tree.png" docs/gui-diagnosis-tree.png

dialog fieldcase-oneway.pcap msstun,diag_table "MS-STUN/TURN/ICE Diagnosis" 1300 260 docs/gui-diagnosis.png
dialog fieldcase-oneway.pcap msstun,ice_table "MS-STUN/TURN/ICE ICE Pairs" 1660 200 docs/gui-ice-pairs.png
dialog denied-peer.pcap msstun,alloc_table "MS-STUN/TURN/ICE TURN Allocations" 1660 260 docs/gui-turn-allocations.png
# Expert Information: expand the first group (the failed steps of the media path)
dialog fieldcase-oneway.pcap expert "Expert Information" 1300 420 docs/gui-expert-info.png 21 42
