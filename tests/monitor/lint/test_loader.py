"""Rule files in every shape Prometheus users keep them, placed to the line and column; bad input
is one finding or one error line, and parsing stays linear."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opskit.core.errors import InputError
from opskit.monitor.lint import promql_tokens
from opskit.monitor.lint.api import prepare
from opskit.monitor.lint.loader import load_files, load_text
from opskit.monitor.lint.promql import MAX_DEPTH, MAX_OPERATORS, PromQLSyntaxError, Selector, parse

PROMETHEUS_RULE = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: api}
spec:
  groups:
    - name: api
      rules:
        - alert: ApiDown
          expr: up{job="api"} == 0
---
# a Helm-free values file: groups anywhere below
prometheus:
  additionalRules:
    team-a:
      groups:
        - name: team-a
          interval: 30s
          rules:
            - record: job:errors:rate5m
              expr: >-
                sum by (job)
                (rate(errors_total[5m]))
"""


def _selector_place(text: str, metric: str) -> tuple[int, int]:
    loaded = load_text("r.yml", text)
    for parsed in prepare(loaded.rules):
        assert parsed.expr is not None
        for node in parsed.expr.walk():
            if isinstance(node, Selector) and node.name == metric:
                return parsed.rule.expr_map.at(node.span.start)
    raise AssertionError(f"{metric} not found")


def test_prometheus_rule_objects_and_groups_in_plain_yaml_are_loaded() -> None:
    loaded = load_text("k8s.yml", PROMETHEUS_RULE)
    assert [(r.name, r.group, r.group_interval) for r in loaded.rules] == [
        ("ApiDown", "api", None),
        ("job:errors:rate5m", "team-a", 30.0),
    ]
    assert _selector_place(PROMETHEUS_RULE, "up") == (9, 17)
    assert _selector_place(PROMETHEUS_RULE, "errors_total") == (22, 23)  # folded scalar, second line


@pytest.mark.parametrize(
    ("expr_yaml", "place"),
    [
        ("expr: rate(x_total[5m]) > 1", (5, 16)),
        ("expr: 'rate(x_total[5m]) > 1'", (5, 17)),
        ('expr: "rate(x_total{a=\\"b\\"}[5m]) > 1"', (5, 17)),
        ("expr: |\n      sum(\n        rate(x_total[5m])\n      ) > 1", (7, 14)),
    ],
    ids=["plain", "single-quoted", "double-quoted-escapes", "block"],
)
def test_expression_parts_are_placed_in_every_scalar_style(expr_yaml: str, place: tuple[int, int]) -> None:
    text = f"groups:\n- name: g\n  rules:\n  - alert: A\n    {expr_yaml}\n"
    assert _selector_place(text, "x_total") == place


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("groups:\n- name: g\n  rules:\n  - alert: A\n", "'expr' is missing"),
        ("groups:\n- name: g\n  rules:\n  - alert: A\n    record: b\n    expr: x\n", "exactly one of"),
        ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x\n    for: soon\n", "not a duration"),
        ("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: x\n    lables: {}\n", "unknown rule field"),
        ("groups:\n- name: g\n  rules: [\n", "invalid YAML"),
    ],
)
def test_shape_errors_are_findings_at_their_line(text: str, message: str) -> None:
    problems = load_text("bad.yml", text).problems
    assert problems and message in problems[0].message and problems[0].place is not None
    assert problems[0].place[0] == "bad.yml" and problems[0].place[1] >= 1


def test_unreadable_inputs_are_one_line_errors(tmp_path: Path) -> None:
    binary = tmp_path / "rules.yml"
    binary.write_bytes(b"\x00\x01groups")
    with pytest.raises(InputError, match="binary file"):
        load_files([binary])
    latin = tmp_path / "latin.yml"
    latin.write_bytes("groups: [caf\xe9]".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_files([latin])
    with pytest.raises(InputError, match="not found"):
        load_files([tmp_path / "missing.yml"])
    fifo = tmp_path / "rules-fifo.yml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        load_files([fifo])


def test_directories_are_walked_for_yaml_files_only(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.yml").write_text("groups:\n- name: g\n  rules:\n  - record: a:b:c\n    expr: x\n")
    (tmp_path / "two.yaml").write_text("groups:\n- name: h\n  rules:\n  - record: a:b:d\n    expr: y\n")
    (tmp_path / "notes.txt").write_text("groups: nonsense")
    assert sorted(r.name for r in load_files([tmp_path]).rules) == ["a:b:c", "a:b:d"]


def test_pathological_expressions_are_refused_before_the_parser_recurses() -> None:
    for text in ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), "x" + " + x" * (MAX_OPERATORS + 1),
                 "-" * 100_000 + "x"):
        with pytest.raises(PromQLSyntaxError, match="too complex"):
            parse(text)


def test_lexing_work_is_linear_in_the_expression_length() -> None:
    unit = 'rate(http_requests_total{code=~"5.."}[5m]) '
    for repeat in (10, 1000):
        text = unit * repeat
        assert len(promql_tokens.tokens(text)) == 12 * repeat  # one pass, a fixed number per unit
    long_line = "x" * 1_000_000
    assert parse(long_line) == Selector(parse(long_line).span, long_line, ())


@pytest.mark.parametrize(
    ("expr", "column"),
    [("sum(rate(x_total[5m]) > 1", 4), ("up{job=api} == 0", 8), ("foo(up) > 0", 1), ('up{a=~"("} > 0', 8)],
    ids=["unclosed", "unquoted-value", "unknown-function", "bad-regexp"],
)
def test_syntax_errors_point_at_the_part_the_parser_names(expr: str, column: int) -> None:
    with pytest.raises(PromQLSyntaxError) as raised:
        parse(expr)
    assert raised.value.span is not None and raised.value.span.start + 1 == column


def test_deeply_nested_yaml_is_one_structure_finding() -> None:
    problems = load_text("deep.yml", "groups: " + "[" * 100_000 + "]" * 100_000).problems
    assert [p.check for p in problems] == ["rules/structure"]


def test_functions_of_prometheus_2_and_3_parse() -> None:
    for text in ("holt_winters(x[5m], 0.5, 0.5)", "double_exponential_smoothing(x[5m], 0.5, 0.5)",
                 'sort_by_label(x, "a")', "histogram_avg(x)", "limitk(2, x)", "x @ start()"):
        parse(text)


def test_other_yaml_beside_rule_files_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "deployment.yaml").write_text("spec:\n  replicas: {{ .Values.replicas }}\n")  # a Helm template
    (tmp_path / "alertmanager.yml").write_text("route: {receiver: x}\nreceivers: [{name: x}]\n")
    (tmp_path / "grafana-alerting.yaml").write_text(  # Grafana's provisioned alert rules: groups of its own
        "apiVersion: 1\ngroups:\n- orgId: 1\n  name: g\n  folder: f\n  interval: 60s\n  rules:\n"
        "  - uid: a1\n    title: High CPU\n    condition: C\n    data: [{refId: A, datasourceUid: prom}]\n"
        "    for: 5m\n    labels: {team: sre}\n")
    loaded = load_files([tmp_path])
    assert (loaded.rules, loaded.problems) == ([], [])


def test_a_helm_template_of_rules_is_not_called_invalid_yaml() -> None:
    """kube-prometheus-stack style: ``{{- if ... }}`` lines around a PrometheusRule with groups."""
    template = ("{{- if .Values.defaultRules.create }}\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"
                "spec:\n  groups:\n  - name: etcd\n    rules:\n{{- if not .Values.disabled.etcdNoLeader }}\n"
                "    - alert: etcdNoLeader\n      expr: etcd_server_has_leader == 0\n{{- end }}\n{{- end }}\n")
    loaded = load_text("templates/etcd.yaml", template)
    assert (list(loaded.rules), list(loaded.problems)) == ([], [])
    broken = ("groups:\n- name: g\n  rules:\n  - alert: A\n    annotations:\n      d: |\n"
              "        {{ $labels.x }}\n  rules: [\n")
    assert "invalid YAML" in load_text("bad.yml", broken).problems[0].message


def test_aliases_are_read_once_so_a_bomb_stays_linear() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]  # 10**9 leaves
    lines += ["r: &r {record: 'a:b:c', expr: x}", "rs: &rs [" + ", ".join(["*r"] * 1000) + "]",
              "groups: [" + ", ".join(["{name: g, rules: *rs}"] * 1000) + "]"]
    loaded = load_text("bomb.yml", "\n".join(lines) + "\n")
    assert len(loaded.rules) == 1  # one rule node, however often it is referred to
