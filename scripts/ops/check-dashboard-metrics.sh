#!/usr/bin/env bash
# Checks that every metric the Grafana dashboard (and the alert rules) query exists in a live
# scrape of the server's /actuator/prometheus.
#
#   scripts/ops/check-dashboard-metrics.sh http://127.0.0.1:8080    # a running server
#   scripts/ops/check-dashboard-metrics.sh --start-demo             # starts scripts/run-demo.sh on a
#                                                                   # free port, checks, stops it
#
# Counters with tags are registered on their first event, so it first drives a little traffic:
# a chat completion, a POST /v1/videos on the default (placeholder) backend polled to the end, an
# upload of that MP4 and two chats about it (video decode/encode, embedding-cache hit), and a
# POST /v1/moderations. Every request is bounded in time. GPT4VIDEO_API_KEY is sent as a bearer key
# when set.
#
# Not required in the scrape, and listed as skipped:
# - exporter metrics the server cannot export: NVIDIA DCGM (DCGM_FI_DEV_*) from the dcgm-exporter;
# - `up`, which Prometheus makes itself;
# - gpt4video_safety_classifier_available when the server runs the permissive gate (it has no
#   classifiers, so the gauge is not registered); with the standard gate it is required.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dashboard=$root/docker/grafana/dashboards/gpt4video.json
alerts=$root/docker/prometheus/alerts.yml
EXPORTER_METRICS=(DCGM_FI_DEV_FB_USED DCGM_FI_DEV_FB_FREE DCGM_FI_DEV_GPU_UTIL up)

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
[ $# -eq 1 ] || usage

demo_pid=""
work=$(mktemp -d)
cleanup() {
    if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
        kill -TERM "$demo_pid" 2>/dev/null || true
        wait "$demo_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ "$1" = "--start-demo" ]; then
    port=""
    for p in $(shuf -i 20000-45000 -n 50); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
    done
    [ -n "$port" ] || { echo "check: no free port" >&2; exit 1; }
    echo "check: starting scripts/run-demo.sh on port $port (permissive gate, storage in $work/data)"
    "$root/scripts/run-demo.sh" --server.port="$port" --gpt4video.storage.dir="$work/data" \
        --gpt4video.safety.gate=permissive >"$work/server.log" 2>&1 &
    demo_pid=$!
    url=http://127.0.0.1:$port
    deadline=$((SECONDS + 180))
    until curl -fsS --max-time 5 "$url/actuator/health/readiness" >/dev/null 2>&1; do
        if ! kill -0 "$demo_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            echo "check: the demo server did not become ready; its log:" >&2
            tail -n 40 "$work/server.log" >&2
            exit 1
        fi
        sleep 1
    done
else
    url=${1%/}
fi

auth=()
[ -n "${GPT4VIDEO_API_KEY:-}" ] && auth=(-H "Authorization: Bearer $GPT4VIDEO_API_KEY")
# json FILE EXPR: evaluates a Python expression over the parsed JSON file (bound to j).
json() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
post_json() { # post_json PATH BODY OUT -> HTTP status
    curl -sS --max-time 120 "${auth[@]}" -o "$3" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "$2" "$url$1"
}

echo "check: server $url"
curl -fsS --max-time 10 "${auth[@]}" "$url/actuator/health/readiness" >/dev/null \
    || { echo "check: $url is not ready (/actuator/health/readiness)" >&2; exit 1; }
curl -fsS --max-time 10 "${auth[@]}" -o "$work/models.json" "$url/v1/models"
model=$(json "$work/models.json" 'j["data"][0]["id"]')
components=$(json "$work/models.json" '" ".join(j["data"][0].get("components", {}))')
echo "check: model $model (components: ${components:-none})"

# -- traffic ------------------------------------------------------------------------------------
has() { [[ " $components " == *" $1 "* ]]; }

if has llm; then
    status=$(post_json /v1/chat/completions \
        "{\"model\": \"$model\", \"max_tokens\": 8, \"messages\": [{\"role\": \"user\", \"content\": \"Describe a calm beach.\"}]}" \
        "$work/chat.json")
    echo "check: traffic: POST /v1/chat/completions -> $status"
fi

status=$(post_json /v1/videos '{"prompt": "a red kite over a beach", "size": "64x48", "seconds": "1", "fps": 8, "seed": 1}' \
    "$work/video.json")
echo "check: traffic: POST /v1/videos -> $status"
video_state=none
if [ "$status" = 200 ]; then
    video_id=$(json "$work/video.json" 'j["id"]')
    deadline=$((SECONDS + 90))
    while :; do
        curl -fsS --max-time 10 "${auth[@]}" -o "$work/video.json" "$url/v1/videos/$video_id"
        video_state=$(json "$work/video.json" 'j["status"]')
        case $video_state in completed | failed | cancelled) break ;; esac
        [ "$SECONDS" -lt "$deadline" ] || break
        sleep 0.5
    done
    echo "check: traffic: video $video_id -> $video_state"
fi

if [ "$video_state" = completed ] && has vision && has llm; then
    curl -fsS --max-time 60 "${auth[@]}" -o "$work/clip.mp4" "$url/v1/videos/$video_id/content"
    status=$(curl -sS --max-time 120 "${auth[@]}" -o "$work/file.json" -w '%{http_code}' \
        -F purpose=vision -F "file=@$work/clip.mp4;type=video/mp4" "$url/v1/files")
    echo "check: traffic: POST /v1/files -> $status"
    if [ "$status" = 200 ]; then
        file_id=$(json "$work/file.json" 'j["id"]')
        body="{\"model\": \"$model\", \"max_tokens\": 4, \"messages\": [{\"role\": \"user\", \"content\": [
              {\"type\": \"video_url\", \"video_url\": {\"url\": \"$file_id\"}},
              {\"type\": \"text\", \"text\": \"What happens in this video?\"}]}]}"
        for turn in 1 2; do # the second one hits the embedding cache
            status=$(post_json /v1/chat/completions "$body" "$work/chat-video.json")
            echo "check: traffic: POST /v1/chat/completions with the video ($turn) -> $status"
        done
    fi
fi

status=$(post_json /v1/moderations '{"input": "a friendly dog playing in a park"}' "$work/moderation.json")
echo "check: traffic: POST /v1/moderations -> $status"

# -- compare -----------------------------------------------------------------------------------
curl -fsS --max-time 30 "${auth[@]}" -o "$work/scrape.txt" "$url/actuator/prometheus"
grep -v '^#' "$work/scrape.txt" | sed -E 's/[{ ].*//' | sort -u >"$work/scraped-names"
python3 "$root/scripts/ops/dashboard.py" names "$dashboard" "$alerts" >"$work/queried-names"

curl -fsS --max-time 10 "${auth[@]}" -o "$work/health.json" "$url/actuator/health" || true
classifiers=$(json "$work/health.json" 'len(j.get("components", {}).get("safety", {}).get("details", {}).get("classifiers", {}))' 2>/dev/null || echo 0)
gate=$(json "$work/health.json" 'j.get("components", {}).get("safety", {}).get("details", {}).get("gate", "?")' 2>/dev/null || echo "?")

missing=0
present=0
skipped=0
while read -r name; do
    if printf '%s\n' "${EXPORTER_METRICS[@]}" | grep -qx "$name"; then
        echo "  skipped  $name (exporter/Prometheus metric, not the server's)"
        skipped=$((skipped + 1))
    elif grep -qx "$name" "$work/scraped-names"; then
        echo "  present  $name"
        present=$((present + 1))
    elif [ "$name" = gpt4video_safety_classifier_available ] && [ "$classifiers" = 0 ]; then
        echo "  skipped  $name (the server's gate is '$gate' with no classifiers; registered with the standard gate)"
        skipped=$((skipped + 1))
    else
        echo "  MISSING  $name"
        missing=$((missing + 1))
    fi
done <"$work/queried-names"

echo "check: $present present, $missing missing, $skipped skipped of $(wc -l <"$work/queried-names") metric names queried by the dashboard and alerts"
[ "$missing" -eq 0 ]
