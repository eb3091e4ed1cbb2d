#!/usr/bin/env bash
# Stops the redis-server that start-test-redis.sh started on PORT (default 6390), by its pid file,
# and removes its folder. Does nothing when it is not running.
set -euo pipefail

port=${1:-6390}
dir=${TMPDIR:-/tmp}/gpt4video-test-redis-$port
pidfile=$dir/redis.pid

if [ ! -f "$pidfile" ]; then
    exit 0
fi
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "stop-test-redis: pid $pid did not stop within 10 s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
fi
rm -rf "$dir"
