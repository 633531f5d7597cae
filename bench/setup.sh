#!/usr/bin/env bash
# Benchmark prerequisites: GCIDE dictionary text (Debian dict-gcide) and matplotlib.
# Usage: bash bench/setup.sh   (as root, or with sudo available)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-$here/../../venv/bin/python}"
[ -x "$python" ] || python="$(command -v python3)"

if ! dpkg -s dict-gcide >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    # dictd itself is not needed: make_corpus.py reads the .dict.dz (gzip) directly.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends dict-gcide
fi

"$python" -m pip install --quiet "matplotlib>=3.7"
echo "bench ready: $(dpkg -L dict-gcide | grep 'gcide.dict.dz$'), matplotlib for $python"
