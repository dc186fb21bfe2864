#!/bin/sh
# Regenerate the test-vector pcaps in this directory from ../../../shared/vectors.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/make-vector-pcaps.py" "$@"
