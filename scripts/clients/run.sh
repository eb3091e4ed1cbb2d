#!/usr/bin/env bash
# Starts the demo server, runs the official openai npm client checks and the 64-stream load run
# against it, and stops it. Used by .ci/run.   Usage: scripts/clients/run.sh [clients=64]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root/scripts/clients"
npm ci --silent --no-audit --no-fund
cd "$root"
source scripts/find-jdk.sh
JAVA_HOME=$(find_jdk21)
export JAVA_HOME JCMD="$JAVA_HOME/bin/jcmd"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d)
log="$data/server.log"
# Text-only traffic: the permissive gate keeps the figures about the language model.
scripts/run-demo.sh --server.port="$port" --gpt4video.storage.dir="$data" --gpt4video.safety.gate=permissive \
  --gpt4video.llm.max-batch-size=16 --gpt4video.llm.max-waiting=128 >"$log" 2>&1 &
wrapper=$!
cleanup() { kill "$wrapper" 2>/dev/null || true; wait "$wrapper" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
deadline=$((SECONDS + 180))
until curl -fsS "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1; do
  if ! kill -0 "$wrapper" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "clients: server did not become ready; log:" >&2; tail -n 40 "$log" >&2; exit 1
  fi
  sleep 0.5
done
pid=$(pgrep -f "java.*gpt4video-server.*--server.port=$port" | head -n 1)
node scripts/clients/openai-client.mjs "http://127.0.0.1:$port"
node scripts/clients/concurrent-streams.mjs "http://127.0.0.1:$port" "$pid" "${1:-64}"
