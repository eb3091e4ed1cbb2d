#!/usr/bin/env bash
# Browser check of the web chat page: starts the demo server (scripts/run-demo.sh) on a free port
# with a throwaway storage folder and a random API key, waits for readiness, and drives the page in
# headless Debian Chromium with scripts/e2e/chat-page.mjs (key prompt, upload, streamed reply,
# generated video playing, and a refusal when the standard safety gate is complete). The server is
# always stopped on exit.
# Installs what it needs: Chromium and ffmpeg (apt, when missing and run as root) and the npm
# dependencies (npm ci from package-lock.json). Screenshots and the server log: target/e2e/.
#
# Usage: scripts/e2e/run-chat-page.sh
#   NSFWJS_DIR=...  the converted nsfwjs model for the standard safety gate (default: models/nsfwjs,
#                   else ../shared/models/nsfwjs-mobilenet-v2); without one the server runs the
#                   permissive gate, since the standard gate fails closed and would withhold every
#                   generated video, and the refusal step is skipped.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
# shellcheck source=scripts/find-jdk.sh
source scripts/find-jdk.sh
JAVA_HOME=$(find_jdk21)
export JAVA_HOME

chromium=${CHROMIUM:-/usr/bin/chromium}
out=target/e2e
ready_timeout=120

install_debian() { # command package
    command -v "$1" >/dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "e2e: installing Debian $2"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    else
        echo "e2e: $1 is missing: install Debian's $2 (apt-get install $2)" >&2
        exit 1
    fi
}
install_debian "$chromium" chromium
install_debian ffmpeg ffmpeg
(cd scripts/e2e && npm ci --no-audit --no-fund --loglevel=error)

# The same staleness rule as run-demo.sh, so the readiness wait below never includes a build.
jar=$(find gpt4video-server/target -maxdepth 1 -name 'gpt4video-server-*.jar' ! -name '*-tests.jar' \
    ! -name '*-sources.jar' 2>/dev/null | head -n 1 || true)
if [ -z "$jar" ] || [ -n "$(find pom.xml ./*/pom.xml ./*/src -newer "$jar" -type f -print -quit)" ]; then
    echo "e2e: building the server jar"
    ./mvnw -B -q -pl gpt4video-server -am -DskipTests package
fi

mkdir -p "$out"
rm -f "$out"/chat-reply.png "$out"/generated-video.png "$out"/chat-refusal.png "$out"/chat-page-failure.png
work=$(mktemp -d "${TMPDIR:-/tmp}/chat-page-e2e.XXXXXX")
server_pid=
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        # Graceful shutdown takes a few seconds; do not leave a server behind if it hangs.
        for _ in $(seq 60); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -9 "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# The clip to upload and ask about (MPEG-4 Part 2, which Chromium cannot play: the page shows a
# "no preview" box) and one in H.264 for the local preview check.
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=8 -t 2 -c:v mpeg4 "$work/clip.mp4"
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=160x120:rate=8 -t 2 -c:v libx264 -pix_fmt yuv420p \
    "$work/clip-h264.mp4"

nsfwjs=${NSFWJS_DIR:-}
if [ -z "$nsfwjs" ]; then
    for candidate in models/nsfwjs "${GPT4VIDEO_FIXTURES:-../shared/fixtures}/../models/nsfwjs-mobilenet-v2"; do
        if [ -f "$candidate/model.safetensors" ]; then
            nsfwjs=$candidate
            break
        fi
    done
fi
safety_args=()
page_args=()
if [ -n "$nsfwjs" ]; then
    safety_args=("--gpt4video.safety.nsfwjs-dir=$(cd "$nsfwjs" && pwd)")
    page_args=(--refusals)
else
    echo "e2e: no nsfwjs model found: running the permissive safety gate, skipping the refusal check" >&2
    safety_args=(--gpt4video.safety.gate=permissive)
fi

port=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
url="http://127.0.0.1:$port/"
# With a key the whole check runs through the page's key field (Bearer on fetch, ?api_key= on the
# socket and media URLs); health stays public.
api_key="e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
echo "e2e: starting the demo server on port $port (log: $out/chat-page-server.log)"
scripts/run-demo.sh "--server.port=$port" "--gpt4video.storage.dir=$work/data" "--gpt4video.api.keys=$api_key" \
    "${safety_args[@]}" \
    >"$out/chat-page-server.log" 2>&1 &
server_pid=$!

deadline=$((SECONDS + ready_timeout))
until curl -sf -o /dev/null "${url}actuator/health/readiness"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "e2e: the server exited before it was ready; last log lines:" >&2
        tail -n 30 "$out/chat-page-server.log" >&2
        exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "e2e: the server was not ready within ${ready_timeout} s; last log lines:" >&2
        tail -n 30 "$out/chat-page-server.log" >&2
        exit 1
    fi
    sleep 1
done
echo "e2e: server ready"

CHROMIUM="$chromium" node scripts/e2e/chat-page.mjs --url "$url" --video "$work/clip.mp4" \
    --preview-video "$work/clip-h264.mp4" --api-key "$api_key" --out "$out" "${page_args[@]}"
