#!/usr/bin/env python3
"""Static checks of the deployment files that have no engine here to run them: the Dockerfiles
(a minimal lint: hadolint is not packaged for Debian), the compose files (docker compose config
needs a Docker engine) and the Kubernetes manifests (kubeconform is not packaged either).

  manifests.py dockerfile FILE...      FROM tags, non-root USER, HEALTHCHECK, exec-form ENTRYPOINT,
                                       apt hygiene, the JVM flags the images promise
  manifests.py compose DIR             compose.yml (+ compose.cpu.yml) parse; services, GPU
                                       reservation, bind mounts and build files exist, scrape targets
  manifests.py k8s DIR                 every YAML document parses and is an object with apiVersion,
                                       kind and name; selectors, probes, HPA targets, kustomization

Prints one line per problem and exits 1 if there is any. The YAML checks need PyYAML.
"""
import os
import re
import sys


def yaml_module():
    import yaml  # noqa: PLC0415

    # Compose's merge tags (!reset, !override) are not YAML 1.1 core tags; read them as plain values.
    class Loader(yaml.SafeLoader):
        pass

    def plain(loader, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    for tag in ("!reset", "!override"):
        Loader.add_constructor(tag, plain)
    return yaml, Loader


# ---------------------------------------------------------------------------------- Dockerfile

def dockerfile_instructions(path):
    """(line number, INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out, buf, start = [], "", 0
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not buf and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if buf and line.lstrip().startswith("#"):
                continue
            if not buf:
                start = n
            if line.endswith("\\"):
                buf += line[:-1] + " "
                continue
            buf += line
            word, _, rest = buf.strip().partition(" ")
            out.append((start, word.upper(), rest.strip()))
            buf = ""
    return out


def check_dockerfile(path):
    problems = []
    ins = dockerfile_instructions(path)
    args, stages, final_user, seen_from = {}, [], None, False
    for n, word, rest in ins:
        if word == "ARG" and not seen_from:
            name, _, default = rest.partition("=")
            args[name.strip()] = default.strip().strip('"')
        elif not seen_from and word not in ("ARG",):
            if word != "FROM":
                problems.append(f"{path}:{n}: the first instruction after ARGs must be FROM, not {word}")
            seen_from = True
        if word == "FROM":
            seen_from = True
            final_user = None
            m = re.match(r"(--platform=\S+\s+)?(\S+)(\s+AS\s+(\S+))?", rest, re.IGNORECASE)
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda v: args.get(v.group(1) or v.group(2), ""), m.group(2))
            if image in stages:
                pass
            elif ":" not in image.split("/")[-1] or image.endswith(":latest"):
                problems.append(f"{path}:{n}: base image '{image}' has no pinned tag")
            if m.group(4):
                stages.append(m.group(4))
        elif word == "USER":
            final_user = rest
        elif word == "COPY" and "--from=" in rest:
            src = re.search(r"--from=(\S+)", rest).group(1)
            if src not in stages and ":" not in src:
                problems.append(f"{path}:{n}: COPY --from={src}: no such stage")
        elif word == "RUN" and "apt-get install" in rest:
            if "--no-install-recommends" not in rest:
                problems.append(f"{path}:{n}: apt-get install without --no-install-recommends")
            if "rm -rf /var/lib/apt/lists" not in rest:
                problems.append(f"{path}:{n}: apt lists not removed in the same RUN")
        elif word in ("ENTRYPOINT", "CMD") and not rest.startswith("["):
            problems.append(f"{path}:{n}: {word} in shell form (signals would not reach java)")
    words = [w for _, w, _ in ins]
    if final_user is None or final_user.split(":")[0] in ("root", "0"):
        problems.append(f"{path}: the final stage does not switch to a non-root USER")
    for required in ("HEALTHCHECK", "EXPOSE", "VOLUME", "ENTRYPOINT"):
        if required not in words:
            problems.append(f"{path}: no {required}")
    text = open(path, encoding="utf-8").read()
    for flag in ("-XX:MaxRAMPercentage=", "-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true"):
        if flag not in text:
            problems.append(f"{path}: JAVA_TOOL_OPTIONS lacks {flag}")
    for mount in ("/models", "/data"):
        if not re.search(r'VOLUME \[[^]]*"' + mount + '"', text):
            problems.append(f"{path}: no VOLUME {mount}")
    if "/actuator/health/liveness" not in text:
        problems.append(f"{path}: HEALTHCHECK does not probe /actuator/health/liveness")
    if "gpu" in os.path.basename(path):
        for needed in ("-Pcuda", "GPT4VIDEO_RUNTIME_DEVICE=gpu", "PYTORCH_FLAVOR=cu128"):
            if needed not in text:
                problems.append(f"{path}: expected {needed}")
    return problems


# ---------------------------------------------------------------------------------- compose

def check_compose(directory):
    yaml, loader = yaml_module()
    problems = []
    docs = {}
    for name in ("compose.yml", "compose.cpu.yml"):
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as f:
                docs[name] = yaml.load(f, Loader=loader)
        except (OSError, yaml.YAMLError) as e:
            problems.append(f"{path}: {e}")
    base = docs.get("compose.yml") or {}
    services = base.get("services") or {}
    for required in ("server", "prometheus", "grafana", "dcgm-exporter"):
        if required not in services:
            problems.append(f"compose.yml: no service '{required}'")
    volumes = set((base.get("volumes") or {}).keys())
    for doc_name, doc in docs.items():
        for sname, svc in ((doc or {}).get("services") or {}).items():
            build = svc.get("build") or {}
            if isinstance(build, dict) and (build.get("dockerfile") or build.get("context")):
                ctx = build.get("context") or (services.get(sname, {}).get("build") or {}).get("context", ".")
                df = os.path.join(directory, ctx, build.get("dockerfile", "Dockerfile"))
                if not os.path.isfile(df):
                    problems.append(f"{doc_name}: service {sname}: build file {df} does not exist")
            for v in svc.get("volumes") or []:
                src = (v.split(":")[0] if isinstance(v, str) else v.get("source", ""))
                if src.startswith((".", "/")):
                    if not os.path.exists(os.path.join(directory, src)):
                        problems.append(f"{doc_name}: service {sname}: mount source {src} does not exist")
                elif src and not src.startswith("${") and src not in volumes:
                    problems.append(f"{doc_name}: service {sname}: named volume {src} is not declared")
    devices = (((services.get("server") or {}).get("deploy") or {}).get("resources") or {}).get("reservations", {})
    devices = devices.get("devices") if isinstance(devices, dict) else None
    if not devices or not any("gpu" in (d.get("capabilities") or []) for d in devices):
        problems.append("compose.yml: the server has no GPU device reservation")
    # Prometheus must scrape the server where compose runs it.
    prom_path = os.path.join(directory, "prometheus", "prometheus.yml")
    with open(prom_path, encoding="utf-8") as f:
        prom = yaml.safe_load(f)
    for job in prom.get("scrape_configs", []):
        for sc in job.get("static_configs", []):
            for target in sc.get("targets", []):
                host = target.split(":")[0]
                if host not in services and host != "localhost":
                    problems.append(f"prometheus.yml: job {job['job_name']}: target {target} is no compose service")
    server_jobs = [j for j in prom.get("scrape_configs", []) if j.get("metrics_path") == "/actuator/prometheus"]
    if not server_jobs:
        problems.append("prometheus.yml: no job scrapes /actuator/prometheus")
    # Grafana: provisioned dashboard folder is where compose mounts the dashboards.
    prov = os.path.join(directory, "grafana", "provisioning", "dashboards", "gpt4video.yml")
    with open(prov, encoding="utf-8") as f:
        provider_path = yaml.safe_load(f)["providers"][0]["options"]["path"]
    mounts = [v for v in (services.get("grafana") or {}).get("volumes", []) if isinstance(v, str)]
    if not any(m.split(":")[1] == provider_path and m.startswith("./grafana/dashboards") for m in mounts):
        problems.append(f"compose.yml: grafana does not mount ./grafana/dashboards at {provider_path}")
    if not problems:
        print(f"compose: {len(services)} services, GPU reservation on server, mounts and build files exist, "
              f"{len(prom.get('scrape_configs', []))} scrape jobs point at compose services")
    return problems


# ---------------------------------------------------------------------------------- Kubernetes

def check_k8s(directory):
    yaml, _ = yaml_module()
    problems, objects = [], []
    files = sorted(f for f in os.listdir(directory) if f.endswith((".yaml", ".yml")))
    for name in files:
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
        except yaml.YAMLError as e:
            problems.append(f"{path}: {e}")
            continue
        if name == "kustomization.yaml":
            for r in docs[0].get("resources", []):
                if not os.path.isfile(os.path.join(directory, r)):
                    problems.append(f"{path}: resource {r} does not exist")
            missing = [f for f in files if f not in docs[0].get("resources", [])
                       and f not in ("kustomization.yaml", "prometheus-adapter-values.yaml")]
            if missing:
                problems.append(f"{path}: not listed: {missing}")
            continue
        if name == "prometheus-adapter-values.yaml":
            rules = docs[0].get("rules", {})
            names = {r["name"]["as"] for k in ("custom", "external") for r in rules.get(k, [])}
            for needed in ("gpt4video_num_requests_waiting", "gpt4video_t2v_queue_depth"):
                if needed not in names:
                    problems.append(f"{path}: no adapter rule for {needed}")
            continue
        for d in docs:
            if not isinstance(d, dict) or not d.get("apiVersion") or not d.get("kind") \
                    or not (d.get("metadata") or {}).get("name"):
                problems.append(f"{path}: a document without apiVersion, kind and metadata.name")
                continue
            objects.append((path, d))
    by_kind = {}
    for path, d in objects:
        key = (d["kind"], d["metadata"]["name"])
        if key in by_kind:
            problems.append(f"{path}: {key[0]}/{key[1]} defined twice")
        by_kind[key] = d
    workloads = {name: d for (kind, name), d in by_kind.items() if kind in ("Deployment", "StatefulSet")}
    pod_labels = {name: (d["spec"]["template"]["metadata"].get("labels") or {}) for name, d in workloads.items()}

    def selects(selector):
        return [n for n, labels in pod_labels.items() if selector and all(labels.get(k) == v for k, v in selector.items())]

    for name, d in workloads.items():
        sel = d["spec"]["selector"]["matchLabels"]
        if not all(pod_labels[name].get(k) == v for k, v in sel.items()):
            problems.append(f"{d['kind']}/{name}: selector does not match its pod labels")
        for c in d["spec"]["template"]["spec"]["containers"]:
            if "resources" not in c:
                problems.append(f"{d['kind']}/{name}: container {c['name']} has no resources")
            if c.get("image", "").startswith("gpt4video-server"):
                ready = (c.get("readinessProbe") or {}).get("httpGet", {}).get("path")
                live = (c.get("livenessProbe") or {}).get("httpGet", {}).get("path")
                if ready != "/actuator/health/readiness" or live != "/actuator/health/liveness":
                    problems.append(f"{d['kind']}/{name}: probes are {ready} / {live}")
                if "nvidia.com/gpu" not in (c.get("resources", {}).get("limits") or {}):
                    problems.append(f"{d['kind']}/{name}: no nvidia.com/gpu limit")
    for (kind, name), d in by_kind.items():
        if kind == "Service" and not selects(d["spec"].get("selector")):
            problems.append(f"Service/{name}: selects no pods")
        if kind == "PodDisruptionBudget" and not selects(d["spec"]["selector"]["matchLabels"]):
            problems.append(f"PodDisruptionBudget/{name}: selects no pods")
        if kind == "HorizontalPodAutoscaler":
            ref = d["spec"]["scaleTargetRef"]
            if (ref["kind"], ref["name"]) not in by_kind:
                problems.append(f"HorizontalPodAutoscaler/{name}: target {ref['kind']}/{ref['name']} does not exist")
        for vol in (d.get("spec", {}).get("template", {}).get("spec", {}).get("volumes") or []):
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            cm = (vol.get("configMap") or {}).get("name")
            if claim and ("PersistentVolumeClaim", claim) not in by_kind:
                problems.append(f"{kind}/{name}: volume {vol['name']}: no PVC {claim}")
            if cm and ("ConfigMap", cm) not in by_kind:
                problems.append(f"{kind}/{name}: volume {vol['name']}: no ConfigMap {cm}")
    workers = [d for (k, n), d in by_kind.items() if k == "Deployment" and "t2v" in n]
    for w in workers:
        env = {e["name"]: e.get("value") for c in w["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])}
        if env.get("SPRING_PROFILES_ACTIVE") != "worker":
            problems.append(f"Deployment/{w['metadata']['name']}: not started with the worker profile")
    if not problems:
        kinds = sorted({k for k, _ in by_kind})
        print(f"k8s: {len(objects)} objects in {len(files)} files ({', '.join(kinds)}); selectors, probes, "
              f"HPA targets, volumes and kustomization resources consistent")
    return problems


def main(argv):
    if len(argv) >= 2 and argv[0] == "dockerfile":
        problems = [p for path in argv[1:] for p in check_dockerfile(path)]
        if not problems:
            print(f"dockerfiles: {', '.join(os.path.basename(p) for p in argv[1:])} pass the minimal lint")
    elif len(argv) == 2 and argv[0] == "compose":
        problems = check_compose(argv[1])
    elif len(argv) == 2 and argv[0] == "k8s":
        problems = check_k8s(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
