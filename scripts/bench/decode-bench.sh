#!/usr/bin/env bash
# Video sampling throughput: frames sampled+preprocessed per second (T=4 and T=8 per video) on a 60 s
# 1080p H.264 clip, next to a full sequential decode of the same clip, in one run. Prints figures only.
# Needs Debian's ffmpeg CLI (libx264) to make the clip: apt-get install -y ffmpeg
# Usage: scripts/bench/decode-bench.sh [seconds=60] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/java-home.sh
if ! command -v ffmpeg >/dev/null; then
  echo "decode-bench needs the ffmpeg CLI with libx264 to make its clip: apt-get install -y ffmpeg" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# veryfast keeps the clip quick to make on 2 cores; x264's default GOP (keyint 250) and B-frames stay.
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=30" -t "${1:-60}" \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p "$tmp/clip-1080p.mp4"
./mvnw -B -q -pl gpt4video-abstractor -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$tmp/cp.txt" >/dev/null
exec "$JAVA_HOME/bin/java" -Xmx4g --enable-native-access=ALL-UNNAMED \
  -cp "gpt4video-abstractor/target/classes:$(cat "$tmp/cp.txt")" \
  dev.gpt4video.abstractor.bench.DecodeBenchmark "$tmp/clip-1080p.mp4" "${2:-3}"
