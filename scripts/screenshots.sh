#!/usr/bin/env bash
# Writes PNG screenshots of every studio page into docs/screenshots/ (or the folder given as $1).
# Runs the real studio under a virtual X server: it opens the bundled sample dataset and the tiny CPU demo preset,
# trains 30 demo steps for the Train and Samples pages, saves one PNG per page and exits (a few minutes on a laptop).
# Needs xvfb-run (Debian/Ubuntu: sudo apt-get install -y xvfb; ImageMagick's `identify`, from `imagemagick`, is
# used only to print the sizes when present). Settings and runs go to a temporary folder; the demo model is built
# in (or reused from) the normal cache folder.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
out="$(readlink -f "${1:-$root/docs/screenshots}")"
if ! command -v xvfb-run >/dev/null; then
  echo "screenshots: xvfb-run is missing; install it with: sudo apt-get install -y xvfb imagemagick" >&2
  exit 1
fi
work="$(mktemp -d -t cogforge-screenshots.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
COGFORGE_CONFIG_DIR="$work/config" COGFORGE_RUNS_DIR="$work/runs" \
COGFORGE_JAVA_OPTS="${COGFORGE_JAVA_OPTS:-} -Dcogforge.screenshots=$out -Dprism.order=sw" \
  xvfb-run --auto-servernum --server-args="-screen 0 1400x900x24" "$root/cogforge" studio
chmod a+r "$out"/*.png  # written through temp files, which are private
if command -v identify >/dev/null; then
  identify "$out"/*.png
fi
