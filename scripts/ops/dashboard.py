#!/usr/bin/env python3
"""The Grafana dashboard and Prometheus rules as data: sanity checks, their PromQL, the metric names
that PromQL reads. Used by validate.sh and check-dashboard-metrics.sh; standard library only.

  dashboard.py check DASHBOARD.json DATASOURCES.yml    sanity of the dashboard (exit 1 on a problem)
  dashboard.py rules DASHBOARD.json [RULES.yml ...]    a Prometheus rules file with every expression
                                                       as a recording rule, for `promtool check rules`
  dashboard.py names DASHBOARD.json [RULES.yml ...]    the metric names the expressions read, one a line
"""
import json
import re
import sys

# Grafana's built-in interval variables, and any dashboard variable, replaced by values PromQL accepts.
GRAFANA_INTERVALS = re.compile(r"\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}")
GRAFANA_VARIABLE = re.compile(r"\$\{\w+(:\w+)?\}|\$\w+")

PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "offset", "bool", "inf", "nan", "atan2",
}


def load_dashboard(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def all_panels(dashboard):
    """Top-level panels and the panels inside collapsed rows."""
    for p in dashboard.get("panels", []):
        yield p
        for inner in p.get("panels", []) or []:
            yield inner


def concrete(expr):
    """The expression with Grafana variables replaced, so Prometheus can parse it."""
    expr = GRAFANA_INTERVALS.sub("5m", expr)
    return GRAFANA_VARIABLE.sub(".*", expr)


def dashboard_exprs(dashboard):
    """(where, expr) for every panel target and every query variable."""
    out = []
    for p in all_panels(dashboard):
        for t in p.get("targets", []) or []:
            if t.get("expr"):
                out.append((f"panel {p.get('id')} ({p.get('title')}) target {t.get('refId')}", t["expr"]))
    for v in dashboard.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if v.get("type") == "query" and q:
            m = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", q)
            out.append((f"variable {v.get('name')}", m.group(1) if m else q))
    return out


def rule_exprs(paths):
    """(where, expr) for every rule in Prometheus rule files: through PyYAML, else their `expr:` lines."""
    out = []
    for path in paths:
        try:
            import yaml  # noqa: PLC0415
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
            for g in doc.get("groups", []):
                for r in g.get("rules", []):
                    out.append((f"{path}: {r.get('alert') or r.get('record')}", str(r["expr"])))
        except ImportError:
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = re.match(r"\s*expr:\s*(.+)", line)
                    if m:
                        out.append((f"{path}:{n}", m.group(1).strip().strip("'\"")))
    return out


def metric_names(expr):
    """Metric names a PromQL expression reads: identifiers that are neither functions, keywords,
    label names (inside {...} or by/without/on/ignoring/group_x (...)) nor parts of strings or durations.

    >>> sorted(metric_names('sum by (le) (rate(a_bucket{x="y", instance=~"$instance"}[$__rate_interval]))'))
    ['a_bucket']
    >>> sorted(metric_names('up{job="j"} == 0 and on(instance) b offset 5m'))
    ['b', 'up']
    >>> sorted(metric_names('histogram_quantile(0.9, c_bucket) * 1e3 + count_over_time({__name__="d"}[1h])'))
    ['c_bucket', 'd']
    >>> sorted(metric_names('e / ignoring(l) group_left(m) f'))
    ['e', 'f']
    """
    e = concrete(expr)
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', e)
    # {__name__="x"} selects by name: keep the name before dropping the matchers.
    names = set(re.findall(r'__name__\s*=\s*"([^"]+)"', concrete(expr)))
    e = re.sub(r"\{[^{}]*\}", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", e)
    e = re.sub(r"\[[^\[\]]*\]", " ", e)
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", e):
        word, call = m.group(1), m.group(2)
        if call or word in PROMQL_WORDS:
            continue
        names.add(word)
    return names


def check(dashboard_path, datasources_path):
    problems = []
    try:
        d = load_dashboard(dashboard_path)
    except (OSError, ValueError) as err:
        print(f"{dashboard_path}: not valid JSON: {err}")
        return 1
    uid = provisioned_uid(datasources_path)
    if not uid:
        problems.append(f"{datasources_path}: no datasource with a uid")
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in d:
            problems.append(f"dashboard has no '{key}'")
    ids = {}
    for p in all_panels(d):
        pid = p.get("id")
        where = f"panel {pid} ({p.get('title')})"
        if not isinstance(pid, int):
            problems.append(f"{where}: id is not an integer")
        elif pid in ids:
            problems.append(f"{where}: id also used by panel '{ids[pid]}'")
        else:
            ids[pid] = p.get("title")
        g = p.get("gridPos", {})
        if not all(k in g for k in ("h", "w", "x", "y")) or g.get("x", 0) + g.get("w", 0) > 24:
            problems.append(f"{where}: gridPos missing or wider than 24 columns: {g}")
        if p.get("type") == "row":
            continue
        if (p.get("datasource") or {}).get("uid") != uid:
            problems.append(f"{where}: datasource uid {(p.get('datasource') or {}).get('uid')!r}, provisioned is {uid!r}")
        targets = p.get("targets") or []
        if not targets:
            problems.append(f"{where}: no targets")
        refs = set()
        for t in targets:
            if not (t.get("expr") or "").strip():
                problems.append(f"{where}: target {t.get('refId')} has no expr")
            if t.get("refId") in refs or not t.get("refId"):
                problems.append(f"{where}: refId {t.get('refId')!r} missing or repeated")
            refs.add(t.get("refId"))
            if (t.get("datasource") or {}).get("uid") not in (None, uid):
                problems.append(f"{where}: target {t.get('refId')} datasource uid {t['datasource'].get('uid')!r} != {uid!r}")
    for v in d.get("templating", {}).get("list", []):
        if v.get("type") == "query" and (v.get("datasource") or {}).get("uid") != uid:
            problems.append(f"variable {v.get('name')}: datasource uid is not {uid!r}")
    for p in problems:
        print(f"{dashboard_path}: {p}")
    if not problems:
        n = sum(1 for p in all_panels(d) if p.get("type") != "row")
        print(f"dashboard: {n} panels, {len(dashboard_exprs(d))} queries, unique ids, datasource uid {uid}")
    return 1 if problems else 0


def provisioned_uid(path):
    """The uid of the (first) provisioned datasource; a tiny reader, so PyYAML is not needed here."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*uid:\s*['\"]?([\w.-]+)['\"]?\s*$", line)
            if m:
                return m.group(1)
    return None


def rules_file(dashboard_path, rule_paths):
    exprs = dashboard_exprs(load_dashboard(dashboard_path)) + rule_exprs(rule_paths)
    lines = ["groups:", "  - name: dashboard-and-alert-expressions", "    rules:"]
    for i, (where, expr) in enumerate(exprs):
        lines.append(f"      # {where}")
        lines.append(f"      - record: check:expr_{i}")
        lines.append(f"        expr: {json.dumps(concrete(expr))}")
    print("\n".join(lines))
    return 0


def names(dashboard_path, rule_paths):
    found = set()
    for _, expr in dashboard_exprs(load_dashboard(dashboard_path)) + rule_exprs(rule_paths):
        found |= metric_names(expr)
    for n in sorted(found):
        print(n)
    return 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "check":
        return check(argv[1], argv[2])
    if len(argv) >= 2 and argv[0] == "rules":
        return rules_file(argv[1], argv[2:])
    if len(argv) >= 2 and argv[0] == "names":
        return names(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
