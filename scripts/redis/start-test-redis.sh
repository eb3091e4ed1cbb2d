#!/usr/bin/env bash
# Starts a throwaway redis-server for the distributed-generation tests: loopback only, no
# persistence, daemonized with a pid file. Prints the URL to export as GPT4VIDEO_TEST_REDIS:
#
#   GPT4VIDEO_TEST_REDIS=$(scripts/redis/start-test-redis.sh) && export GPT4VIDEO_TEST_REDIS
#   ./mvnw -B -pl gpt4video-t2v -am test
#   scripts/redis/stop-test-redis.sh
#
# Usage: start-test-redis.sh [PORT]   (default 6390). Needs Debian's redis-server package.
set -euo pipefail

port=${1:-6390}
dir=${TMPDIR:-/tmp}/gpt4video-test-redis-$port
pidfile=$dir/redis.pid

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "start-test-redis: redis-server is not installed (apt-get install -y redis-server)" >&2
    exit 1
fi
mkdir -p "$dir"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "start-test-redis: already running (pid $(cat "$pidfile"))" >&2
    echo "redis://127.0.0.1:$port"
    exit 0
fi
if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    echo "start-test-redis: another server already answers on 127.0.0.1:$port; pick another port" >&2
    exit 1
fi

redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
    --save '' --appendonly no \
    --daemonize yes --pidfile "$pidfile" --dir "$dir" --logfile "$dir/redis.log"

for _ in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        echo "redis://127.0.0.1:$port"
        exit 0
    fi
    sleep 0.1
done
echo "start-test-redis: redis-server did not answer on 127.0.0.1:$port within 10 s; its log:" >&2
tail -n 20 "$dir/redis.log" >&2 || true
exit 1
