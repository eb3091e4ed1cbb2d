#!/usr/bin/env bash
# Runs a vision checkpoint on a float32 .npy pixel tensor and writes its outputs as JSON
# (last_hidden_state, pooler_output, image_embeds / visual_embeddings), for comparison with the
# Python reference. See docs/abstractor.md.
# Usage: scripts/vision-parity.sh CHECKPOINT_DIR PIXELS.npy [--mode mplug-owl-video|paper] [--out OUT.json]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/find-jdk.sh
JAVA_HOME=$(find_jdk21)
export JAVA_HOME
# One reactor build: packages core and the abstractor and writes the abstractor's classpath (core
# from its freshly built jar, so nothing is installed into ~/.m2).
./mvnw -B -q -pl gpt4video-abstractor -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
cp=$(cat gpt4video-abstractor/target/classpath.txt)
cd - >/dev/null
exec "$JAVA_HOME/bin/java" -Xmx4g -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
  -cp "$root/gpt4video-abstractor/target/classes:$cp" dev.gpt4video.abstractor.cli.VisionParityCli "$@"
