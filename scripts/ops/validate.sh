#!/usr/bin/env bash
# Static checks of the ops files (docker/, deploy/k8s/), for .ci/run: no Docker engine, Kubernetes
# cluster or Grafana is needed.
#
#   scripts/ops/validate.sh
#
# 1. promtool check config on docker/prometheus/prometheus.yml (and the alert rules it loads);
#    promtool check rules on every dashboard and alert expression, so each PromQL query parses.
#    promtool comes from Debian's prometheus package: when it is not on PATH the .deb is downloaded
#    with apt-get and unpacked into a cache folder (nothing is installed, no daemon is started).
# 2. The Grafana dashboard: valid JSON, unique panel ids, every panel has targets with an expr, the
#    datasource uid is the provisioned one; plus doctests of the PromQL name extraction.
# 3. The Dockerfiles: hadolint when installed, else a minimal lint (scripts/ops/manifests.py).
# 4. The compose files and Kubernetes manifests parse (python3 + PyYAML) and are consistent;
#    kubeconform when installed. Without PyYAML these are skipped with a message.
# 5. shellcheck on scripts/ops/*.sh when installed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

passed=0
failed=0
skipped=0
pass() { passed=$((passed + 1)); echo "validate: ok: $*"; }
fail() { failed=$((failed + 1)); echo "validate: FAILED: $*" >&2; }
skip() { skipped=$((skipped + 1)); echo "validate: skipped: $*"; }

indent() { sed 's/^/    /'; }

# Runs a check, printing its output; counts it as passed or failed.
check() {
    local name=$1
    shift
    local out
    if out=$("$@" 2>&1); then
        [ -n "$out" ] && indent <<<"$out"
        pass "$name"
    else
        [ -n "$out" ] && indent <<<"$out" >&2
        fail "$name"
    fi
}

# promtool from PATH, else from Debian's prometheus .deb unpacked into a cache folder.
find_promtool() {
    if command -v promtool >/dev/null 2>&1; then
        command -v promtool
        return 0
    fi
    local cache=${XDG_CACHE_HOME:-$HOME/.cache}/gpt4video-ops/prometheus-deb
    if [ -x "$cache/usr/bin/promtool" ]; then
        echo "$cache/usr/bin/promtool"
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 || return 1
    local tmp
    tmp=$(mktemp -d)
    # apt-get download needs the package lists; refresh them once if they are missing or stale.
    if ! (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1); then
        apt-get update -qq >/dev/null 2>&1 || true
        (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1) || { rm -rf "$tmp"; return 1; }
    fi
    mkdir -p "$cache"
    dpkg-deb -x "$tmp"/prometheus_*.deb "$cache"
    rm -rf "$tmp"
    [ -x "$cache/usr/bin/promtool" ] && echo "$cache/usr/bin/promtool"
}

python=python3
if ! "$python" -c 'import yaml' 2>/dev/null && [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    python=/usr/bin/python3 # Debian's python3-yaml, when the python3 on PATH has no PyYAML
fi
have_yaml=false
"$python" -c 'import yaml' 2>/dev/null && have_yaml=true

dashboard=docker/grafana/dashboards/gpt4video.json
datasources=docker/grafana/provisioning/datasources/prometheus.yml
alerts=docker/prometheus/alerts.yml

# 1. Prometheus configuration and every PromQL expression.
if promtool=$(find_promtool); then
    echo "validate: $("$promtool" --version 2>&1 | head -n 1)"
    check "promtool check config docker/prometheus/prometheus.yml" "$promtool" check config docker/prometheus/prometheus.yml
    rules=$(mktemp --suffix=.yml)
    trap 'rm -f "$rules"' EXIT
    if "$python" scripts/ops/dashboard.py rules "$dashboard" "$alerts" >"$rules"; then
        check "promtool check rules: every dashboard and alert expression parses" "$promtool" check rules "$rules"
    else
        fail "could not collect the dashboard's expressions"
    fi
else
    fail "promtool is not on PATH and Debian's prometheus package could not be downloaded (apt-get download prometheus)"
fi

# 2. The dashboard.
check "dashboard JSON ($dashboard)" "$python" scripts/ops/dashboard.py check "$dashboard" "$datasources"
check "PromQL metric-name extraction (doctests)" "$python" -m doctest scripts/ops/dashboard.py

# 3. Dockerfiles.
if command -v hadolint >/dev/null 2>&1; then
    check "hadolint docker/Dockerfile.cpu docker/Dockerfile.gpu" hadolint docker/Dockerfile.cpu docker/Dockerfile.gpu
else
    echo "validate: hadolint is not installed (Debian has no package); running the minimal lint instead"
fi
check "Dockerfile minimal lint" "$python" scripts/ops/manifests.py dockerfile docker/Dockerfile.cpu docker/Dockerfile.gpu

# 4. Compose and Kubernetes YAML (docker compose config needs an engine; kubeconform is not packaged).
if $have_yaml; then
    check "compose files (docker/compose.yml, docker/compose.cpu.yml)" "$python" scripts/ops/manifests.py compose docker
    check "Kubernetes manifests (deploy/k8s)" "$python" scripts/ops/manifests.py k8s deploy/k8s
else
    skip "compose and Kubernetes YAML: python3 has no PyYAML (apt-get install python3-yaml)"
fi
if command -v kubeconform >/dev/null 2>&1; then
    check "kubeconform deploy/k8s" kubeconform -strict -summary -ignore-filename-pattern 'kustomization|prometheus-adapter' deploy/k8s
else
    echo "validate: kubeconform is not installed; the Kubernetes schemas are not checked"
fi

# 5. The ops scripts themselves.
if command -v shellcheck >/dev/null 2>&1; then
    check "shellcheck scripts/ops/*.sh" shellcheck scripts/ops/*.sh
else
    echo "validate: shellcheck is not installed; scripts/ops/*.sh not linted"
fi

echo "validate: $passed checks ok, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
