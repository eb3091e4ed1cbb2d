#!/usr/bin/env bash
# LLM throughput on a random stories110M-shaped LLaMA: prefill, single-stream decode, aggregate
# decode at several concurrent streams through the batch scheduler, time to first token.
# Usage: scripts/bench/llm-bench.sh [maxTokens=128] [streams=1,4,8,16]
# THREADS=n sets PyTorch's intra-op threads (default: DJL's choice, one per core).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/java-home.sh
# One reactor build, so gpt4video-core comes from this tree (not from ~/.m2); the llm module is
# built last and its classpath file wins.
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -q -pl gpt4video-llm -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile="$cpfile" >/dev/null
cp=$(cat "$cpfile")
threads=()
if [ -n "${THREADS:-}" ]; then
  threads=(-Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1)
  export OMP_NUM_THREADS="$THREADS"
fi
"$JAVA_HOME/bin/java" -Xmx3g -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED "${threads[@]}" \
  -cp "gpt4video-llm/target/classes:$cp" dev.gpt4video.llm.bench.LlmBenchmark "${1:-128}" "${2:-1,4,8,16}"
