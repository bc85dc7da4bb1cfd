#!/usr/bin/env bash
# The whole test suite on a fresh machine: Python requirements, Chromium for the
# browser tests, lint, then pytest (unit, AppTest and end-to-end browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt

if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests (Debian package 'chromium')..."
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m ruff check .
python3 -m ruff format --check .
# One test process per core; a test file stays on one process (module fixtures such as the
# browser tests' server are started once). Files start in the order tests/conftest.py gives
# (the longest first), not xdist's default of the files with most tests first.
python3 -m pytest -n auto --dist loadfile --no-loadscope-reorder "$@"
