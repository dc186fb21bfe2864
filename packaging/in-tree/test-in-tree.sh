#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build msstun inside a real Wireshark source tree, as Windows and macOS users
# do (packaging/README.md), and load the result in the installed tshark.
#
#   bash packaging/in-tree/test-in-tree.sh [WORKDIR]     (default /tmp/msstun-in-tree)
#
# 1. fetches the source package of the installed Wireshark (same Debian
#    version as tshark) with `apt-get source`, through a private apt
#    configuration in WORKDIR/apt that lists the system's own archives as
#    deb-src: /etc/apt and /var/lib/apt/lists are not touched;
# 2. copies plugin/*.[ch] and packaging/in-tree/CMakeLists.txt into
#    plugins/epan/msstun, lists it in CMakeListsCustom.txt;
# 3. configures with Wireshark's own CMake (Ninja; programs, Lua, capture
#    off, -DMSSTUN_WERROR=ON) and builds the plugin:
#    MODE=full (default): `ninja msstun`, which first builds the libraries it
#      links (wsutil, wiretap, epan: 1,827 steps on 4.0.17, 33 min on 2 cores);
#    MODE=quick: runs the compile commands Wireshark's build generated for
#      msstun's objects (ninja -t commands) and its link command, with the
#      tree's libwireshark/libwiretap/libwsutil replaced by the installed
#      ones of the very same version (minutes; what it does not test is
#      linking against libraries built from the tree);
# 4. copies run/plugins/<major.minor>/epan/msstun.so into a private personal
#    plugin folder and checks that the installed tshark (same major.minor)
#    lists it in `-G plugins`, decodes the [MS-TURN] vectors with it and
#    knows its `-z msstun,...` reports.
# Root installs the build packages (list below) with apt-get; another user
# gets the list. Times: packaging/README.md. KEEP=1 keeps an existing
# WORKDIR/src and build folder (re-runs configure, build and check).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/msstun-in-tree}
jobs=${JOBS:-$(nproc)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
t0=$(date +%s)
say() { echo "== [$(( $(date +%s) - t0 ))s] $*"; }

bash "$root/scripts/need-packages.sh" dpkg-dev tshark cmake ninja-build gcc g++ make flex bison perl python3 \
  pkg-config libglib2.0-dev libgcrypt20-dev libc-ares-dev

pkg=$(dpkg-query -W -f='${source:Package}' tshark)
ver=$(dpkg-query -W -f='${source:Version}' tshark)
upstream=${ver%%-*}
mm=$(echo "$upstream" | cut -d. -f1,2)
say "installed tshark: source package $pkg $ver (plugins for $mm)"

src=$work/src
if [ -z "${KEEP:-}" ] || [ ! -f "$src/CMakeLists.txt" ]; then
  # a private apt: the system's archives, as deb-src, in files of our own
  apt=$work/apt
  rm -rf "$apt" "$src"
  mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
  : > "$apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >> "$apt/sources.list"
  done
  n=0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed 's/^Types:.*$/Types: deb-src/' "$f" > "$apt/sources.list.d/src$n.sources"
    n=$((n + 1))
  done
  aptopt=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/sources.list.d"
          -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Dir::Cache::pkgcache=
          -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User="$(id -un)" -o Debug::NoLocking=1)
  say "apt-get update (private source lists)"
  apt-get -q "${aptopt[@]}" update >"$work/apt-update.log" 2>&1 || { tail "$work/apt-update.log" >&2; exit 1; }
  say "apt-get source $pkg=$ver"
  (cd "$work" && apt-get -q "${aptopt[@]}" source --download-only "$pkg=$ver" >"$work/apt-source.log" 2>&1) ||
    { tail "$work/apt-source.log" >&2; exit 1; }
  (cd "$work" && dpkg-source --no-check -x "${pkg}_${ver#*:}.dsc" "$src" >/dev/null)
fi

say "msstun into $src/plugins/epan/msstun"
rm -rf "$src/plugins/epan/msstun"
mkdir -p "$src/plugins/epan/msstun"
cp "$root"/plugin/*.c "$root"/plugin/*.h "$root/packaging/in-tree/CMakeLists.txt" "$src/plugins/epan/msstun/"
printf 'set(CUSTOM_PLUGIN_SRC_DIR\n    plugins/epan/msstun\n)\n' > "$src/CMakeListsCustom.txt"

build=$work/build
[ -n "${KEEP:-}" ] || rm -rf "$build"
mkdir -p "$build"
off=()
for p in wireshark logray tshark tfshark rawshark dumpcap text2pcap mergecap reordercap editcap capinfos captype \
         randpkt dftest dcerpcidl2wrs androiddump sshdump ciscodump dpauxmon randpktdump wifidump sdjournal \
         udpdump sharkd mmdbresolve fuzzshark; do
  off+=("-DBUILD_$p=OFF")
done
say "configure (Wireshark's CMake, log in $work/configure.log)"
(cd "$build" && cmake -G Ninja "$src" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${off[@]}" -DENABLE_PCAP=OFF \
   -DENABLE_LUA=OFF -DENABLE_SMI=OFF -DENABLE_KERBEROS=OFF -DENABLE_SINSP=OFF -DMSSTUN_WERROR=ON \
   >"$work/configure.log" 2>&1) || { tail -30 "$work/configure.log" >&2; exit 1; }
[ -f "$build/plugins/epan/msstun/CMakeFiles/msstun.dir/build.make" ] || [ -d "$build/plugins/epan/msstun/CMakeFiles/msstun.dir" ] ||
  { echo "in-tree: Wireshark's CMake did not pick up plugins/epan/msstun" >&2; exit 1; }

so=$build/run/plugins/$mm/epan/msstun.so
rm -f "$so"
if [ "${MODE:-full}" = full ]; then
  say "ninja msstun (-j$jobs, log in $work/build.log)"
  nice ninja -C "$build" -j"$jobs" msstun >"$work/build.log" 2>&1 || { grep -B2 -A8 -m5 'error' "$work/build.log" >&2; exit 1; }
else
  say "quick: msstun's own compile and link commands from Wireshark's build.ninja (log in $work/build.log)"
  libdir=$(dirname "$(dpkg -L "$(dpkg-query -W -f='${Depends}' tshark | grep -o 'libwireshark[0-9]*' | head -1)" |
                     grep -m1 '/libwireshark\.so\.')")
  : > "$work/build.log"
  objs=$(cd "$build" && ninja -t query "run/plugins/$mm/epan/msstun.so" | sed -n 's/^ *\(plugins\/epan\/msstun\/.*\.o\)$/\1/p')
  [ -n "$objs" ] || { echo "in-tree: no msstun objects in build.ninja" >&2; exit 1; }
  for o in $objs; do
    c=$(cd "$build" && ninja -t commands -s "$o")
    echo "$c" >> "$work/build.log"
    (cd "$build" && nice sh -c "$c") >>"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
  done
  l=$(cd "$build" && ninja -t commands -s "run/plugins/$mm/epan/msstun.so")
  for lib in $(echo "$l" | grep -o 'run/lib[a-z]*\.so\.[0-9.]*'); do
    [ -f "$libdir/${lib#run/}" ] || { echo "in-tree: the installed Wireshark has no ${lib#run/} (not $upstream?)" >&2; exit 1; }
    l=${l//$lib/$libdir/${lib#run/}}
  done
  mkdir -p "$(dirname "$so")"
  echo "$l" >> "$work/build.log"
  (cd "$build" && sh -c "$l") >>"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
fi
grep -E 'msstun/.*warning' "$work/build.log" >&2 && { echo "in-tree: warnings in msstun" >&2; exit 1; }
(cd "$build" && ninja -t commands -s plugins/epan/msstun/CMakeFiles/msstun.dir/plugin.c.o) | grep -qE -- '(^| )-Werror( |$)' ||
  { echo "in-tree: MSSTUN_WERROR=ON did not add -Werror" >&2; exit 1; }
[ -f "$so" ] || { echo "in-tree: no $so" >&2; exit 1; }
say "built $so"

# the installed tshark loads it as a personal plugin (root's tshark ignores
# personal plugins, so as root the check runs as nobody)
h=$(mktemp -d /tmp/msstun-in-tree-home.XXXXXX)
trap 'rm -rf "$h"' EXIT
mkdir -p "$h/.local/lib/wireshark/plugins/$mm/epan"
cp "$so" "$h/.local/lib/wireshark/plugins/$mm/epan/"
cp "$root/captures/vectors/ms-turn-udp.pcap" "$h/"
chmod -R a+rwX "$h"
as=()
[ "$(id -u)" != 0 ] || as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
ts() { "${as[@]}" env -i HOME="$h" TZ=UTC PATH=/usr/bin:/bin tshark "$@"; }
ts -G plugins | grep -E "^msstun\.so[[:space:]]" || { echo "in-tree: tshark does not list msstun.so" >&2; exit 1; }
n=$(ts -n -r "$h/ms-turn-udp.pcap" -Y 'msstun.att.ms.version' -T fields -e frame.number | wc -l)
[ "$n" -gt 0 ] || { echo "in-tree: no [MS-TURN] MS-VERSION decoded" >&2; exit 1; }
ts -z help 2>&1 | grep -q 'msstun,diag' || { echo "in-tree: no -z msstun,diag" >&2; exit 1; }
ts -n -r "$h/ms-turn-udp.pcap" -Y msstun | head -8
say "in-tree build of msstun on Wireshark $upstream ($pkg $ver): PASS ($n frames with MS-VERSION)"
