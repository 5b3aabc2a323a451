"""A labelled corpus of Prometheus rules for ``monitor_lint_bench.py``: generated, seeded, varied.

Each rule carries the set of checks that must report it (empty for a clean rule). Defects are drawn
from several phrasings each, over varied metric names, ranges, nesting and YAML styles, and mixed
with clean rules that look like the defects (rates of ``_bucket`` series, ``label_replace`` before a
template, ``group_left`` labels...) so that false alarms show. Syntax errors sit in files of their
own, since Prometheus and promtool reject a whole file for one of them.
"""

from __future__ import annotations

import json
import random
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ["api", "checkout", "payments", "search", "worker", "ingest", "billing", "auth", "cart", "mailer"]
COUNTER_STEMS = ["http_requests", "jobs_processed", "errors", "messages_consumed", "cache_misses", "retries",
                 "db_queries", "payments_failed", "logins", "bytes_sent"]
GAUGE_STEMS = ["queue_depth", "memory_usage_bytes", "open_connections", "temperature_celsius", "pool_size",
               "inflight_requests", "disk_free_bytes", "replication_lag_seconds", "workers_busy", "heap_ratio"]
RANGES_OK = ["2m", "5m", "10m", "15m", "30m", "1h"]
RANGES_SHORT = ["15s", "30s", "45s", "50s"]  # under 2x the 30s default scrape interval


@dataclass
class Rule:
    kind: str  # alert or record
    name: str
    expr: str
    expected: set[str] = field(default_factory=set)
    for_: str | None = "5m"
    labels: dict[str, str] = field(default_factory=lambda: {"severity": "page"})
    annotations: dict[str, str] = field(default_factory=dict)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def counter(self) -> str:
        return f"{self.pick(SERVICES)}_{self.pick(COUNTER_STEMS)}_total"

    def gauge(self) -> str:
        return f"{self.pick(SERVICES)}_{self.pick(GAUGE_STEMS)}"

    def job(self) -> str:
        return self.pick(SERVICES)

    def alert(self, expr: str, expected: set[str] | None = None, summary_label: str = "job", **kw: object) -> Rule:
        self.serial += 1
        rule = Rule("alert", f"{self.pick(SERVICES).title()}Alert{self.serial}", expr, expected or set())
        rule.annotations = {"summary": f"{{{{ $labels.{summary_label} }}}} needs attention",
                            "runbook_url": f"https://runbooks.example.com/{self.serial}"}
        for key, value in kw.items():
            setattr(rule, key, value)
        return rule

    def record(self, expr: str, name: str | None = None, expected: set[str] | None = None) -> Rule:
        self.serial += 1
        op = self.pick(["rate5m", "sum", "ratio", "max"])
        return Rule("record", name or f"job:{self.pick(COUNTER_STEMS)}_{self.serial}:{op}", expr, expected or set(),
                    for_=None, labels={})

    # --- clean rules, including ones that look like defects ---------------------------------
    def clean(self) -> Rule:
        c, g, j, r = self.counter(), self.gauge(), self.job(), self.pick(RANGES_OK)
        makers: list[Callable[[], Rule]] = [
            lambda: self.record(f"sum by (job) (rate({c}[{r}]))"),
            lambda: self.alert(f'sum by (job) (rate({c}{{code=~"5.."}}[{r}])) / sum by (job) (rate({c}[{r}])) > 0.05'),
            lambda: self.alert(f'{g}{{job="{j}"}} > {self.rng.randint(10, 900)}', summary_label="instance"),
            lambda: self.alert(f'absent({g}{{job="{j}"}})'),
            lambda: self.alert(f"histogram_quantile(0.99, sum by (le, job) (rate({j}_request_seconds_bucket[{r}])))"
                               f" > 0.5"),
            lambda: self.alert(f"deriv({g}[{r}]) > 0"),
            lambda: self.alert(f'up{{job="{j}"}} == 0', summary_label="instance"),
            lambda: self.alert(f"predict_linear({g}[6h], 4 * 3600) < 0", summary_label="instance"),
            lambda: self.alert(f"increase({c}[{r}]) > 0", summary_label="instance"),
            lambda: self.record(f"count by (job) ({c})"),
            lambda: self.alert(f'max by (job, instance) ({g}{{job=~"{j}|{self.job()}"}}) > 10',
                               summary_label="instance"),
            lambda: self.alert(f'label_replace(rate({c}[{r}]), "pod", "$1", "instance", "(.*):.*") > 1',
                               summary_label="pod"),
            lambda: self.alert(f"sum by (job) (rate({c}[{r}])) * on(job) group_left(team) {j}_team_info > 1",
                               summary_label="team"),
            lambda: self.alert(f'up{{job="{j}"}} == 0 unless on(job) {j}_maintenance == 1'),
            lambda: self.alert(f'absent({g}{{job="{j}", instance="db-1"}})', summary_label="instance"),
            lambda: self.record(f"max_over_time({g}[30s])"),
            lambda: self.alert(f"rate({j}_request_seconds_count[{r}]) > 100"),
            lambda: self.alert(f'{g}{{path=~"/api/.*"}} > 5', summary_label="path"),
            lambda: self.alert(f"topk(3, rate({c}[{r}])) > 10", summary_label="instance"),
        ]
        return self.rng.choice(makers)()

    # --- one defect each -------------------------------------------------------------------
    def defect(self, check: str) -> Rule:
        c, g, j, r = self.counter(), self.gauge(), self.job(), self.pick(RANGES_OK)
        n = self.rng.randint(1, 500)
        makers: dict[str, list[Callable[[], Rule]]] = {
            "promql/syntax": [
                lambda: self.alert(f"sum(rate({c}[{r}]) > {n}"),
                lambda: self.alert(f'{g}{{job=~"("}} > {n}'),
                lambda: self.alert(f"rate({c}[{r}]) >> {n}"),
                lambda: self.record(f"sum by (job) (rate({c}[{r}])"),
                lambda: self.alert(f"{g}{{job={j}}} > 1"),
            ],
            "promql/rate-on-gauge": [
                lambda: self.alert(f"rate({g}[{r}]) > 0"),
                lambda: self.record(f"sum by (job) (increase({g}[{r}]))"),
                lambda: self.alert(f'irate({g}{{job="{j}"}}[{r}]) > {n}'),
                lambda: self.alert(f"max by (job) (rate({g}[{r}])) / 2 > 1"),
            ],
            "promql/counter-raw": [
                lambda: self.alert(f'{c}{{job="{j}"}} > {n}', summary_label="instance"),
                lambda: self.record(f"sum by (job) ({c})"),
                lambda: self.alert(f"max({c}) > {n}", summary_label="job", expected={"promql/dropped-label"}),
                lambda: self.alert(f"{j}_request_seconds_count > {n}", summary_label="instance"),
            ],
            "promql/range-too-short": [
                lambda: self.alert(f"rate({c}[{self.pick(RANGES_SHORT)}]) > 1"),
                lambda: self.record(f"sum by (job) (irate({c}[{self.pick(RANGES_SHORT)}]))"),
                lambda: self.alert(f"increase({c}[{self.pick(RANGES_SHORT)}]) > {n}"),
                lambda: self.alert(f"deriv({g}[{self.pick(RANGES_SHORT)}]) > 0"),
            ],
            "alerts/comparison": [
                lambda: self.alert(f'absent({g}{{job="{j}"}}) > 1'),
                lambda: self.alert(f"rate({c}[{r}]) >= 0"),
                lambda: self.alert(f"count by (job) ({g}) < 1"),
                lambda: self.alert(f"{g} > bool {n}", summary_label="instance"),
                lambda: self.alert(f"sum by (job) (rate({c}[{r}]))"),
                lambda: self.alert("vector(1)", summary_label="instance",
                                   expected={"promql/dropped-label"}),
            ],
            "promql/dropped-label": [
                lambda: self.alert(f"sum by (job) (rate({c}[{r}])) > 1", summary_label="instance"),
                lambda: self.alert(f"sum(rate({c}[{r}])) > 1", summary_label="job"),
                lambda: self.alert(f"max without (instance) ({g}) > {n}", summary_label="instance"),
                lambda: self.alert(f"avg by (cluster) ({g}) > {n}", summary_label="pod"),
            ],
            "promql/absent-labels": [
                lambda: self.alert(f'absent({g}{{job="{j}"}})', summary_label="instance"),
                lambda: self.alert(f'absent({g}{{job=~"{j}|{self.job()}"}})', summary_label="job"),
                lambda: self.alert(f"absent_over_time({g}[{r}])", summary_label="job"),
            ],
            "alerts/for": [
                lambda: self.alert(f'up{{job="{j}"}} == 0', for_=None, summary_label="instance"),
                lambda: self.alert(f"{g} > {n}", for_=self.pick(["10s", "15s", "20s"]), summary_label="instance"),
            ],
            "promql/regexp": [
                lambda: self.alert(f'up{{job=~"{j}"}} == 0', summary_label="instance"),
                lambda: self.alert(f'{g}{{instance=~"^{j}-1.*"}} > {n}', summary_label="instance"),
                lambda: self.record(f'sum by (job) (rate({c}{{env=~"prod|"}}[{r}]))'),
                lambda: self.record(f'sum by (job) (rate({c}{{env!~".*"}}[{r}]))'),
            ],
            "rules/record-name": [
                lambda: self.record(f"sum by (job) (rate({c}[{r}]))", name=f"{j}_requests_rate_{self.serial}"),
                lambda: self.record(f"max by (job) ({g})", name=f"job:{j}_max_{self.serial}"),
            ],
            "rules/required": [
                lambda: self.alert(f'up{{job="{j}"}} == 0', labels={}, summary_label="instance"),
                lambda: self.alert(f"{g} > {n}", annotations={"summary": "high"}),
            ],
        }
        rule = self.rng.choice(makers[check])()
        rule.expected = rule.expected | {check}
        return rule


def _yaml_rule(rule: Rule, style: int) -> str:
    expr = rule.expr
    if style == 0:
        expr_text = json.dumps(expr)
    elif style == 1:
        expr_text = "|\n" + "".join(f"          {line}\n" for line in expr.split(" > ", 1)[0:1]) + (
            f"            > {expr.split(' > ', 1)[1]}\n" if " > " in expr else "")
        expr_text = expr_text.rstrip("\n")
    else:
        expr_text = expr if not any(ch in expr for ch in "{}[]#,&*!|>'\"%@`") and ": " not in expr \
            else json.dumps(expr)
    lines = [f"      - {rule.kind}: {rule.name}", f"        expr: {expr_text}"]
    if rule.kind == "alert" and rule.for_:
        lines.append(f"        for: {rule.for_}")
    if rule.labels:
        lines.append("        labels:")
        lines += [f"          {k}: {json.dumps(v)}" for k, v in rule.labels.items()]
    if rule.annotations:
        lines.append("        annotations:")
        lines += [f"          {k}: {json.dumps(v)}" for k, v in rule.annotations.items()]
    return "\n".join(lines) + "\n"


def write_corpus(
    directory: Path, rules: int, seed: int = 15, kubernetes: bool = False
) -> dict[tuple[str, str], set[str]]:
    """Write about ``rules`` rules in files below ``directory`` (every 4th file a PrometheusRule object
    with ``kubernetes``); labels by (file, rule name)."""
    gen = Generator(seed)
    checks = ["promql/rate-on-gauge", "promql/counter-raw", "promql/range-too-short", "alerts/comparison",
              "promql/dropped-label", "promql/absent-labels", "alerts/for", "promql/regexp", "rules/record-name",
              "rules/required"]
    labels: dict[tuple[str, str], set[str]] = {}
    directory.mkdir(parents=True, exist_ok=True)
    per_file = 50
    syntax_files = max(1, rules // 100)
    normal = rules - syntax_files - 2 * max(1, rules // 100)
    body: list[Rule] = []
    for index in range(normal):
        body.append(gen.defect(checks[index % len(checks)]) if gen.rng.random() < 0.3 else gen.clean())
    for _ in range(max(1, rules // 100)):  # duplicates: same name and labels, different query
        first = gen.clean()
        if first.kind == "alert":
            first.expected = set()
        twin = Rule(first.kind, first.name, first.expr.replace("5m", "10m") + " * 2", {"rules/duplicate"},
                    first.for_, dict(first.labels), dict(first.annotations))
        if twin.kind == "alert" and " > " not in twin.expr and "==" not in twin.expr and "absent" not in twin.expr:
            twin.expected.add("alerts/comparison")
        body += [first, twin]
    for number, start in enumerate(range(0, len(body), per_file)):
        chunk = body[start : start + per_file]
        path = directory / f"rules-{number:03d}.yml"
        group = f"  - name: group-{number}\n    rules:\n" + "".join(_yaml_rule(r, i % 3) for i, r in enumerate(chunk))
        if kubernetes and number % 4 == 3:
            text = ("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n"
                    "  groups:\n" + textwrap.indent(group, "  "))
        else:
            text = "groups:\n" + group
        path.write_text(text)
        for rule in chunk:
            key = (str(path), rule.name)
            labels[key] = labels.get(key, set()) | rule.expected
    for number in range(syntax_files):
        rule = gen.defect("promql/syntax")
        path = directory / f"broken-{number:03d}.yml"
        path.write_text("groups:\n  - name: broken\n    rules:\n" + _yaml_rule(rule, 0))
        labels[(str(path), rule.name)] = rule.expected
    return labels
