#!/usr/bin/env bash
# Starts the GPT4Video server on the demo bundle (models/demo: random weights, written on first
# start), building the server jar first if it is missing or older than the sources.
#
#   scripts/run-demo.sh                         # http://localhost:8080
#   scripts/run-demo.sh --server.port=9090      # any Spring Boot / gpt4video.* setting
#   scripts/run-demo.sh --gpt4video.models=/path/to/model   # serve something else
#
# JAVA_OPTS is passed to the JVM. Needs a JDK 21+ (found by scripts/find-jdk.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/find-jdk.sh
source scripts/find-jdk.sh
JAVA_HOME=$(find_jdk21)
export JAVA_HOME

server_jar() {
    [ -d gpt4video-server/target ] || return 0
    find gpt4video-server/target -maxdepth 1 -name 'gpt4video-server-*.jar' \
        ! -name '*-tests.jar' ! -name '*-sources.jar' 2>/dev/null | head -n 1
}

jar=$(server_jar)
if [ -z "$jar" ] || [ -n "$(find pom.xml ./*/pom.xml ./*/src -newer "$jar" -type f -print -quit)" ]; then
    echo "run-demo: building the server jar (./mvnw -B -q -pl gpt4video-server -am -DskipTests package)" >&2
    ./mvnw -B -q -pl gpt4video-server -am -DskipTests package
    jar=$(server_jar)
fi

# The safety gate's frame classifier (nsfwjs) comes from npm; without it the video stages fail
# closed (uploads are refused, generated videos withheld). Fetch it once, best effort.
if [ ! -f models/nsfwjs/model.safetensors ] && command -v npm >/dev/null 2>&1; then
    echo "run-demo: installing the nsfwjs frame classifier (scripts/models/fetch-nsfwjs.sh)" >&2
    scripts/models/fetch-nsfwjs.sh >&2 || echo "run-demo: warning: nsfwjs install failed; video safety stages will fail closed" >&2
fi

# Relative paths (models/demo) are against the repository root.
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${JAVA_OPTS:-} -jar "$jar" "$@"
