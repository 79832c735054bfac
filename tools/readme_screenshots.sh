#!/usr/bin/env bash
# Regenerate the README's screenshots with the real app on a virtual display:
#   tools/readme_screenshots.sh [OUT_DIR]        (default docs/screenshots)
# Needs Xvfb (Debian/Ubuntu: apt-get install xvfb); the app's own pre-flight
# check installs the xcb libraries Qt needs. Takes a few minutes (it trains the
# seed CNN for 3 epochs).
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
command -v Xvfb >/dev/null || { echo "readme_screenshots: Xvfb is needed (apt-get install xvfb)" >&2; exit 1; }
d=95; while [ -e /tmp/.X$d-lock ]; do d=$((d+1)); done
Xvfb :$d -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
sleep 1
unset QT_QPA_PLATFORM
export DISPLAY=:$d NETBUILDER_CONFIG_DIR=$(mktemp -d)
PYTHONPATH=$PWD "$PY" -c "from netbuilder.cli.preflight import run_preflight; import sys; r = run_preflight(); r and sys.exit('readme_screenshots: ' + r)"
PYTHONPATH=$PWD "$PY" tools/readme_screenshots.py "${1:-docs/screenshots}"
