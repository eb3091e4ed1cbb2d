#!/usr/bin/env bash
# Vision throughput on CPU with random real-size weights: a CLIP ViT-L/14 tower (frames/s) and the
# full mPLUG-Owl video pipeline, tower + abstractor at T=4 (videos/s). Prints figures only.
# Usage: scripts/bench/vision-bench.sh [iterations=3] [framesPerBatch=4] [videosPerBatch=1] [clip|mplug|all]
# Needs about 6 GB of RAM and 1 GB of temporary disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/find-jdk.sh
JAVA_HOME=$(find_jdk21)
export JAVA_HOME
./mvnw -B -q -pl gpt4video-abstractor -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
cp=$(cat gpt4video-abstractor/target/classpath.txt)
exec "$JAVA_HOME/bin/java" -Xmx6g -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
  -cp "gpt4video-abstractor/target/classes:$cp" dev.gpt4video.abstractor.bench.VisionBenchmark "$@"
