"""Live lint against a real Prometheus (our own, see conftest): every live check fires on a broken
rule and stays silent on its repaired twin; a clean file passes completely."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.monitor.conftest import opskit
from tests.monitor.lint.conftest import FLAPS, OwnPrometheus

pytestmark = pytest.mark.prometheus

BROKEN = {
    "DeadRenamed": 'expr: rate(legacy_jobs_processed_total[5m]) == 0\n    for: 10m',
    "RateOnGauge": 'expr: rate(cache_evictions_count[5m]) > 1\n    for: 1m',
    "ShortRange": 'expr: rate(http_requests_total{code="500"}[1s]) > 0\n    for: 1m',
    "DroppedLabel": 'expr: sum by (job) (rate(http_requests_total[1m])) > 0\n    for: 1m\n'
                    '    labels: {severity: page, code: "{{ $labels.code }}"}',
    "Mismatch": 'expr: rate(http_requests_total[1m]) * on(service) group_left(version) app_info > 0\n    for: 1m',
    "Flapping": 'expr: flappy_errors > 0',
    "LabelTypo": 'expr: queue_depth{jobb="lint-app"} > 5\n    for: 1m',
    "AbsentForever": 'expr: absent(queue_dept{job="lint-app"})\n    for: 1m',
    "ValueTypo": 'expr: queue_depth{job="lint-ap"} > 5\n    for: 1m',
}
FIXED = {
    "DeadRenamed": 'expr: rate(jobs_processed_total[5m]) == 0\n    for: 10m',
    "RateOnGauge": 'expr: deriv(cache_evictions_count[5m]) > 1\n    for: 1m',
    "ShortRange": 'expr: rate(http_requests_total{code="500"}[5s]) > 0\n    for: 1m',
    "DroppedLabel": 'expr: sum by (job, code) (rate(http_requests_total[1m])) > 0\n    for: 1m\n'
                    '    labels: {severity: page, code: "{{ $labels.code }}"}',
    "Mismatch": 'expr: rate(http_requests_total[1m]) * on(job) group_left(version) app_info > 0\n    for: 1m',
    "Flapping": 'expr: steady_errors > 0\n    for: 1m',
    "LabelTypo": 'expr: queue_depth{job="lint-app"} > 5\n    for: 1m',
    "AbsentForever": 'expr: absent(queue_depth{job="lint-app"})\n    for: 1m',
    "ValueTypo": 'expr: queue_depth{job="lint-app"} > 5\n    for: 1m',
}
EXPECTED = {
    "DeadRenamed": "live/series-missing",
    "RateOnGauge": "promql/rate-on-gauge",
    "ShortRange": "promql/range-too-short",
    "DroppedLabel": "promql/dropped-label",
    "Mismatch": "live/vector-matching",
    "Flapping": "live/alert-history",
    "LabelTypo": "live/label-missing",
    "AbsentForever": "live/series-missing",
    "ValueTypo": "live/series-missing",
}


def _rules_file(path: Path, group: str, rules: dict[str, str], interval: str = "15s") -> Path:
    text = f"groups:\n- name: {group}\n  interval: {interval}\n  rules:\n" + "".join(
        f"  - alert: {name}\n    {expr}\n" + ("" if "labels:" in expr else "    labels: {severity: page}\n")
        + '    annotations: {summary: "{{ $labels.job }}", runbook_url: "https://runbooks.example/x"}\n'
        for name, expr in rules.items()
    )
    path.write_text(text)
    return path


def _lint(server: OwnPrometheus, path: Path, *extra: str) -> list[dict[str, object]]:
    result = opskit("monitor", "lint", str(path), "--url", server.url, "--history", "1h", "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout)["findings"])


def test_each_broken_rule_is_found_with_its_check(lint_prometheus: OwnPrometheus, tmp_path: Path) -> None:
    findings = _lint(lint_prometheus, _rules_file(tmp_path / "broken.yml", "lint-broken", BROKEN))
    by_alert: dict[str, set[str]] = {}
    for finding in findings:
        by_alert.setdefault(str(finding["properties"]["rule"]), set()).add(str(finding["rule_id"]))  # type: ignore[index]
    for alert, check in EXPECTED.items():
        assert check in by_alert.get(alert, set()), f"{alert}: expected {check}, got {by_alert.get(alert)}"
    typo = next(f for f in findings if f["properties"]["rule"] == "ValueTypo")  # type: ignore[index]
    assert 'job="lint-ap" never occurs (seen: "lint-app")' in str(typo["message"])
    mismatch = next(f for f in findings if f["rule_id"] == "live/vector-matching")
    assert "the left side has no service" in str(mismatch["message"])
    dead = next(f for f in findings if f["rule_id"] == "live/series-missing")
    assert "last seen" in str(dead["message"]) and (dead["location"]["line"], dead["location"]["column"]) == (6, 16)  # type: ignore[index]


def test_repaired_twins_pass_every_check(lint_prometheus: OwnPrometheus, tmp_path: Path) -> None:
    findings = _lint(lint_prometheus, _rules_file(tmp_path / "clean.yml", "lint-clean", FIXED))
    assert findings == []


def test_replay_counts_forty_firings_in_an_hour(lint_prometheus: OwnPrometheus, tmp_path: Path) -> None:
    rules = {"Flapping": BROKEN["Flapping"], "Steady": FIXED["Flapping"]}
    path = _rules_file(tmp_path / "flap.yml", "lint-flap", rules)
    result = opskit("monitor", "lint", str(path), "--url", lint_prometheus.url, "--history", "1h", "--format", "json")
    history = {h["alert"]: h["firings"] for h in json.loads(result.stdout)["alert_history"]}
    assert FLAPS - 2 <= history["Flapping"] <= FLAPS + 1, history
    assert history["Steady"] == 1, history


def test_slow_group_is_found_and_a_quick_one_is_not(lint_prometheus: OwnPrometheus, tmp_path: Path) -> None:
    text = (
        "groups:\n"
        "- name: lint-slow\n  interval: 20ms\n  rules:\n"  # ~0.2 s per evaluation: far over 20 ms
        "  - record: job:flappy_errors:count_over_time_sub\n"
        "    expr: count_over_time(flappy_errors[1h:20ms])\n"
        "- name: lint-quick\n  interval: 5s\n  rules:\n"
        "  - record: job:queue_depth:max\n    expr: max by (job) (queue_depth)\n"
    )
    path = tmp_path / "groups.yml"
    path.write_text(text)
    loaded = lint_prometheus.rules_dir / "groups.yml"
    loaded.write_text(text)
    lint_prometheus.reload()
    try:
        deadline = time.monotonic() + 30
        while True:
            groups = {g["name"]: g for g in lint_prometheus.api("rules")["groups"]}  # type: ignore[index]
            quick_done = groups.get("lint-quick", {}).get("evaluationTime", 0) > 0
            if quick_done and groups.get("lint-slow", {}).get("evaluationTime", 0) > 0.02:
                break
            assert time.monotonic() < deadline, groups
            time.sleep(0.5)
        slow = [f for f in _lint(lint_prometheus, path) if f["rule_id"] == "live/slow-group"]
        after = {g["name"]: g.get("evaluationTime") for g in lint_prometheus.api("rules")["groups"]}  # type: ignore[index]
    finally:
        loaded.unlink()
        lint_prometheus.reload()
    assert [f["location"]["line"] for f in slow] == [2], (slow, after)  # type: ignore[index]


@pytest.mark.parametrize(
    ("over", "within"),
    [(("--max-series", "2"), ("--max-series", "3")), (("--max-samples", "10"), ("--max-samples", "100000"))],
    ids=["series", "samples"],
)
def test_cost_over_a_limit_is_found_and_within_it_is_not(
    lint_prometheus: OwnPrometheus, tmp_path: Path, over: tuple[str, str], within: tuple[str, str]
) -> None:
    path = _rules_file(tmp_path / "cost.yml", "lint-cost", {"Mismatch": FIXED["Mismatch"]})  # 2 + 1 series
    assert [f["rule_id"] for f in _lint(lint_prometheus, path, *over)] == ["live/cost"]
    assert _lint(lint_prometheus, path, *within) == []


def test_query_the_server_refuses_is_found(lint_prometheus: OwnPrometheus, tmp_path: Path) -> None:
    # parses (promql-parser follows Prometheus 2.45), but many-to-many matching fails on the server
    refused = {"Refused": 'expr: http_requests_total / on(job) http_requests_total > 0\n    for: 1m'}
    findings = _lint(lint_prometheus, _rules_file(tmp_path / "refused.yml", "lint-refused", refused))
    assert "live/query-error" in {f["rule_id"] for f in findings}, findings
