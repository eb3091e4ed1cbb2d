#!/usr/bin/env bash
# Browser playback check of the MP4 encoder: writes a colour-bar MP4 (64x48, 24 frames at 8 fps,
# so 3 s) with dev.gpt4video.t2v.video.Mp4DemoWriter and plays it in headless Debian Chromium via
# playwright-core. Installs what it needs: Chromium (apt, when missing and run as root) and the npm
# dependencies (npm ci from package-lock.json). Screenshot: target/e2e/mp4-playback.png.
#
# Usage: scripts/e2e/run-mp4-playback.sh [width=64] [height=48] [frames=24] [fps=8]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
source scripts/lib/java-home.sh

width=${1:-64}
height=${2:-48}
frames=${3:-24}
fps=${4:-8}
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "e2e: installing Debian chromium"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "e2e: $chromium is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM" >&2
        exit 1
    fi
fi

(cd scripts/e2e && npm ci --no-audit --no-fund --loglevel=error)

# Build the t2v module and its reactor dependencies (not the local repository's copies, which other
# branches may have installed), then run the writer on the module's runtime classpath.
out=target/e2e
mkdir -p "$out"
./mvnw -B -q -pl gpt4video-t2v -am compile dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$root/$out/t2v.classpath" >/dev/null
"$JAVA_HOME/bin/java" -cp "gpt4video-t2v/target/classes:$(cat "$out/t2v.classpath")" \
    dev.gpt4video.t2v.video.Mp4DemoWriter "$out/colour-bars.mp4" "$width" "$height" "$frames" "$fps"

# Odd sizes are padded to even ones by the encoder.
duration=$(awk -v f="$frames" -v r="$fps" 'BEGIN { printf "%.6f", f / r }')
CHROMIUM="$chromium" node scripts/e2e/mp4-playback.mjs "$out/colour-bars.mp4" \
    --width $((width + width % 2)) --height $((height + height % 2)) --duration "$duration" \
    --screenshot "$out/mp4-playback.png"
