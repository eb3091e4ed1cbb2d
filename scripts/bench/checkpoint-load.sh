#!/usr/bin/env bash
# Checkpoint load throughput vs a raw sequential read of the same file (one run, ratios printed).
# Usage: scripts/bench/checkpoint-load.sh [sizeMiB=1024] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/java-home.sh
./mvnw -B -q -pl gpt4video-core -am -DskipTests package >/dev/null
cp=$(./mvnw -B -q -pl gpt4video-core dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
exec "$JAVA_HOME/bin/java" -Xmx6g -Dai.djl.offline=true -cp "gpt4video-core/target/classes:$cp" \
  dev.gpt4video.core.bench.CheckpointLoadBenchmark "${1:-1024}" "${2:-3}"
