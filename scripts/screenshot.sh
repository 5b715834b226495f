#!/bin/sh
# Renders an HTML file (a lab report, a site page) to a PNG with headless Chromium, the way a reader would see it.
#
#   scripts/screenshot.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT]
#
# WIDTH defaults to 1000 (use 390 for a phone); HEIGHT to 2400. Needs Debian's `chromium` package.
set -eu
html=${1:?usage: scripts/screenshot.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT]}
out=${2:-${html%.html}.png}
width=${3:-1000}
height=${4:-2400}
[ -f "$html" ] || { echo "screenshot.sh: $html: no such file" >&2; exit 2; }
command -v chromium >/dev/null || { echo "screenshot.sh: chromium not installed (apt-get install chromium)" >&2; exit 2; }
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="$width,$height" --screenshot="$out" "file://$abs" >/dev/null 2>&1
[ -s "$out" ] || { echo "screenshot.sh: chromium wrote no image" >&2; exit 1; }
echo "$out"
