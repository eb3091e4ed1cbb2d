#!/usr/bin/env bash
# Runs the safety benchmark (docs/safety/benchmark/*.jsonl) through the default gate and writes a
# Table-4-style report to docs/safety/benchmark-report.md. The video stage runs when an nsfwjs model
# is installed (scripts/models/fetch-nsfwjs.sh) or given: scripts/safety-benchmark.sh [nsfwjs model dir]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/java-home.sh
nsfwjs="${1:-models/nsfwjs}"
# One reactor build, so the classpath points at this checkout's modules, not at ~/.m2.
./mvnw -B -q -pl gpt4video-safety -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
cp=$(cat gpt4video-safety/target/classpath.txt)
args=(--set docs/safety/benchmark --out docs/safety/benchmark-report.md)
if [ -d "$nsfwjs" ]; then args+=(--nsfwjs "$nsfwjs"); else echo "no nsfwjs model at $nsfwjs: text stages only" >&2; fi
exec "$JAVA_HOME/bin/java" -Xmx2g -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
  -cp "gpt4video-safety/target/classes:$cp" dev.gpt4video.safety.bench.SafetyBenchmark "${args[@]}"
