#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# need-packages.sh PKG...: install the Debian packages that are missing (as
# root, with apt-get), or say which are missing, how to install them, and fail
# (as another user). Shared by run.sh, tests/run.sh, bench/run.sh and fuzz/build.sh.
set -euo pipefail
missing=""
for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  {
    echo "msstun: missing Debian packages:$missing"
    echo "install them as root, then run this again as $(id -un):"
    echo "    apt-get install$missing"
  } >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086  # a list of package names
apt-get install -y -qq --no-install-recommends $missing >/dev/null
