#!/usr/bin/env bash
# Installs nsfwjs' default MobileNetV2 classifier for the safety gate: npm pack nsfwjs@4.4.0,
# decode its bundled model files with node, convert them to models/nsfwjs/{model.safetensors,config.json}
# with the Java converter (which also checks a strict load). Needs npm (the npm registry) and node.
# Usage: scripts/models/fetch-nsfwjs.sh [out dir = models/nsfwjs]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=$(realpath -m "${1:-models/nsfwjs}")
version=4.4.0
# sha256 of the two bundled files as published in nsfwjs@4.4.0.
model_sha=c32f104fd562b08cdff5ed69dfe1209643afa47e792fb12751d2949aa61a397a
shard_sha=ef2e0a63f7d2c4960b37b024b669313f65d3c45cd59e9042636c55b39de53517

if [ -f "$out/model.safetensors" ] && [ -f "$out/config.json" ]; then
  echo "nsfwjs model already at $out"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "nsfwjs@$version" --silent >/dev/null && tar xzf "nsfwjs-$version.tgz")
dist="$tmp/package/dist/models/mobilenet_v2"
echo "$model_sha  $dist/model.min.js" | sha256sum -c --quiet
echo "$shard_sha  $dist/group1-shard1of1.min.js" | sha256sum -c --quiet
node scripts/models/decode-nsfwjs.js "$tmp/package" "$tmp/tfjs"
cp "$tmp/package/LICENSE" "$tmp/tfjs/LICENSE.nsfwjs"

source scripts/lib/java-home.sh
# One reactor build, so the classpath points at this checkout's modules, not at ~/.m2.
./mvnw -B -q -pl gpt4video-safety -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
cp=$(cat gpt4video-safety/target/classpath.txt)
"$JAVA_HOME/bin/java" -Dai.djl.offline=true --enable-native-access=ALL-UNNAMED \
  -cp "gpt4video-safety/target/classes:$cp" dev.gpt4video.safety.nsfwjs.NsfwjsConverter "$tmp/tfjs" "$out"
echo "nsfwjs $version MobileNetV2 installed at ${out#$root/} (MIT, see LICENSE.nsfwjs)"
