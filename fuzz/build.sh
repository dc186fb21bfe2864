#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the libFuzzer harness: fuzz/build.sh [output-dir]   (default fuzz/out)
# clang, ASan + UBSan + libFuzzer; the plugin's sources (all of plugin/*.c but
# plugin.c) are compiled into the binary and instrumented, libwireshark is not.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/fuzz/out}
mkdir -p "$out"

bash "$root/scripts/need-packages.sh" clang libclang-rt-14-dev libwireshark-dev libglib2.0-dev libgcrypt20-dev pkg-config

# the plugin's sources as CMakeLists.txt lists them, minus plugin.c (the
# harness registers the protocol itself). MSSTUN_SRC=dir fuzzes another tree
# (e.g. a `git archive HEAD | tar -x -C dir` snapshot).
src=${MSSTUN_SRC:-$root}
srcs=()
for f in $(grep -o 'plugin/[A-Za-z0-9_]*\.c' "$src/CMakeLists.txt" | sort -u); do
  [ "$f" = plugin/plugin.c ] || srcs+=("$src/$f")
done
CC=${CC:-clang}
# shellcheck disable=SC2046
"$CC" -g -O1 -std=gnu11 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Wall -Wno-missing-field-initializers \
  -DMSSTUN_VERSION='"fuzz"' \
  $(pkg-config --cflags wireshark glib-2.0) -I"$src/plugin" \
  "$root/fuzz/fuzz_msstun.c" "${srcs[@]}" \
  -o "$out/fuzz_msstun" \
  $(pkg-config --libs wireshark glib-2.0) -lwiretap -lwsutil -lgcrypt
echo "$out/fuzz_msstun"
