#!/usr/bin/env bash
# The real-X-server test (tests/editor/test_xvfb_e2e.py) needs Xvfb, a window manager, xdotool
# and Qt's xcb libraries: install those that are missing (Debian/Ubuntu, as root), else say so.
set -euo pipefail
need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v openbox >/dev/null || need+=(openbox)
for lib in libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1; do
    dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "xvfb.sh: missing ${need[*]} (not root or no apt-get): the X server test will skip" >&2
    exit 0
fi
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
