"""Live lint against a server that answers every API it uses with nonsense: findings or one error
line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.monitor.conftest import opskit
from tests.monitor.hostile import hostile_server, success

ODD = {
    "/api/v1/labels": {"not": "a list"},
    "/api/v1/metadata": [1, 2, 3],
    "/api/v1/query": {"resultType": "vector", "result": [1, "a", {"value": "x"}]},
    "/api/v1/query_range": {"resultType": "matrix", "result": [{"values": [["a"], None, 5]}, "x"]},
    "/api/v1/rules": {"groups": "none"},
    "/api/v1/status/config": {"yaml": 5},
    "/api/v1/label/job/values": {"a": 1},
}


@pytest.mark.parametrize("path", sorted(ODD))
def test_nonsense_answers_never_crash_live_lint(path: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "groups:\n- name: g\n  interval: 15s\n  rules:\n"
        '  - alert: A\n    expr: sum by (job) (rate(x_total{job="a"}[5m])) * on(job) y > 1\n    for: 1m\n'
    )
    with hostile_server() as server:
        server.routes[path] = success(ODD[path])
        result = opskit("monitor", "lint", str(rules), "--url", server.url, "--format", "json", "--timeout", "5")
    assert result.returncode in (0, 3), result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 1
