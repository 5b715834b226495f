#!/bin/sh
# Renders an HTML file (a lab report, a site page) to a PNG with headless Chromium, the way a reader would see it.
#
#   scripts/screenshot.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT] [TOP]
#
# With TOP, the page is rendered TOP+HEIGHT tall and OUT.png is the HEIGHT-tall slice starting TOP pixels down
# (to look at one part of a long report; the slice is cut by a second Chromium pass, no image tools needed).
# WIDTH defaults to 1000 (use 390 for a phone); HEIGHT to 2400. Needs Debian's `chromium` package.
set -eu
html=${1:?usage: scripts/screenshot.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT]}
out=${2:-${html%.html}.png}
width=${3:-1000}
height=${4:-2400}
top=${5:-0}
[ -f "$html" ] || { echo "screenshot.sh: $html: no such file" >&2; exit 2; }
command -v chromium >/dev/null || { echo "screenshot.sh: chromium not installed (apt-get install chromium)" >&2; exit 2; }
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shot() {  # url width height out
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size="$2,$3" --screenshot="$4" "$1" >/dev/null 2>&1
  [ -s "$4" ] || { echo "screenshot.sh: chromium wrote no image" >&2; exit 1; }
}
if [ "$top" -gt 0 ]; then
  shot "file://$abs" "$width" $((top + height)) "$profile/full.png"
  printf '<body style="margin:0"><div style="width:%spx;height:%spx;overflow:hidden"><img src="full.png" style="display:block;margin-top:-%spx"></div></body>' \
    "$width" "$height" "$top" > "$profile/slice.html"
  shot "file://$profile/slice.html" "$width" "$height" "$out"
else
  shot "file://$abs" "$width" "$height" "$out"
fi
echo "$out"
