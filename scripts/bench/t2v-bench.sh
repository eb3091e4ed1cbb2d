#!/usr/bin/env bash
# Text-to-video denoising speed and peak memory: seconds per step and VmHWM / JVM heap peak.
# Usage: scripts/bench/t2v-bench.sh [tinyDir]
#   tinyDir: a ZeroScope-layout folder with tiny weights (default: $GPT4VIDEO_FIXTURES/t2v-tiny,
#   i.e. ../shared/fixtures/t2v-tiny). Then a ZeroScope-shaped UNet with random weights at 1 frame,
#   40x72 latents (576x320 px), batch 2, on the default device.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/java-home.sh
./mvnw -B -q -pl gpt4video-t2v -am -DskipTests package >/dev/null
cp=$(./mvnw -B -q -pl gpt4video-t2v dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
tiny="${1:-${GPT4VIDEO_FIXTURES:-../shared/fixtures}/t2v-tiny}"
run() { "$JAVA_HOME/bin/java" -Xmx2g -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
  -cp "gpt4video-t2v/target/classes:gpt4video-core/target/classes:$cp" dev.gpt4video.t2v.bench.T2vBenchmark "$@" 2>&1 | grep -v -e WARNING -e '^\[main\] INFO'; }
if [ -d "$tiny" ]; then
  echo "== tiny pipeline ($tiny)"
  run tiny "$tiny" 2 8 8 5
  run tiny "$tiny" 1 40 72 3
else
  echo "== tiny pipeline skipped: $tiny not found"
fi
echo "== ZeroScope-shaped UNet, random weights"
run zeroscope 1 40 72 3
