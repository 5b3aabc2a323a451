"""The Prometheus client does not trust the server: malformed-but-200 answers, refused health queries,
slow drips, huge bodies, gzip bombs and endless chunked bodies all end as one ServiceError line
naming the endpoint (exit 3), never a traceback (exit 4), a hang or gigabytes of memory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opskit.core.errors import ServiceError
from opskit.monitor import api, transport
from opskit.monitor.client import HttpPrometheusClient
from opskit.monitor.gate import GateSettings
from tests.monitor.conftest import opskit
from tests.monitor.hostile import (
    DRIPPED,
    Hostile,
    answer,
    drip,
    endless_chunks,
    gzip_bomb,
    hostile_server,
    huge_body,
    success,
)

REPO = Path(__file__).resolve().parents[2]
CHECKS = REPO / "examples" / "monitor" / "checks.yml"
DEEP = "[" * 100_000 + "]" * 100_000



def ok(data: Any) -> dict[str, Any]:
    return {"status": "success", "data": data}


def sample(metric: Any = None, value: Any = (1, "1")) -> dict[str, Any]:
    item = {"metric": metric or {}, "value": list(value) if isinstance(value, tuple) else value}
    return ok({"resultType": "vector", "result": [item]})


MALFORMED: list[tuple[str, str, Any]] = [
    ("query-data-list", "/api/v1/query", {"status": "success", "data": [1, 2]}),
    ("query-data-string", "/api/v1/query", {"status": "success", "data": "vector"}),
    ("query-data-missing", "/api/v1/query", {"status": "success"}),
    ("result-strings", "/api/v1/query", ok({"resultType": "vector", "result": ["a", "b", "c"]})),
    ("result-object", "/api/v1/query", {"status": "success", "data": {"resultType": "vector", "result": {"a": 1}}}),
    ("result-null-item", "/api/v1/query", {"status": "success", "data": {"result": [None]}}),
    ("value-not-list", "/api/v1/query", sample(value="1")),
    ("value-one-element", "/api/v1/query", sample(value=[1])),
    ("value-a-number", "/api/v1/query", sample(value=[1, 2])),
    ("timestamp-text", "/api/v1/query", sample(value=["t", "1"])),
    ("metric-a-list", "/api/v1/query", sample(metric=["job"])),
    ("label-a-number", "/api/v1/query", sample(metric={"job": 5})),
    ("deeply-nested-json", "/api/v1/query", f'{{"status": "success", "data": {{"result": {DEEP}}}}}'),
    ("targets-data-list", "/api/v1/targets", {"status": "success", "data": []}),
    ("targets-object", "/api/v1/targets", {"status": "success", "data": {"activeTargets": {"a": 1}}}),
    ("target-a-string", "/api/v1/targets", {"status": "success", "data": {"activeTargets": ["up"]}}),
    ("target-labels-text", "/api/v1/targets", {"status": "success", "data": {"activeTargets": [{"labels": "job"}]}}),
    ("target-health-number", "/api/v1/targets", {"status": "success", "data": {"activeTargets": [{"health": 1}]}}),
    ("targets-deep", "/api/v1/targets", f'{{"status": "success", "data": {DEEP}}}'),
    ("groups-text", "/api/v1/rules", {"status": "success", "data": {"groups": "g"}}),
    ("group-name-number", "/api/v1/rules", {"status": "success", "data": {"groups": [{"name": 1}]}}),
    ("rule-a-number", "/api/v1/rules", {"status": "success", "data": {"groups": [{"name": "g", "rules": [1]}]}}),
    ("alerts-a-number", "/api/v1/alerts", {"status": "success", "data": {"alerts": 3}}),
    ("alert-severity-list", "/api/v1/alerts", ok({"alerts": [{"labels": {"severity": ["x"]}}]})),
    ("runtimeinfo-list", "/api/v1/status/runtimeinfo", {"status": "success", "data": ["x"]}),
    ("corruptions-text", "/api/v1/status/runtimeinfo", {"status": "success", "data": {"corruptionCount": "many"}}),
    ("reload-text", "/api/v1/status/runtimeinfo", {"status": "success", "data": {"reloadConfigSuccess": "yes"}}),
    ("buildinfo-list", "/api/v1/status/buildinfo", {"status": "success", "data": [1]}),
    ("status-error-200", "/api/v1/targets", {"status": "error", "errorType": "internal", "error": "x"}),
    ("not-json", "/api/v1/alerts", "<html>login</html>"),
]


@pytest.fixture
def server() -> Iterator[Hostile]:
    with hostile_server() as hostile:
        yield hostile


def check(url: str, timeout: float = 5.0) -> Any:
    return api.check(api.Connection(url=url, timeout=timeout), CHECKS)


def test_the_hostile_server_is_a_healthy_prometheus_until_told_otherwise(server: Hostile) -> None:
    report = check(server.url)
    assert report.data["counts"]["error"] == 0, report.data


@pytest.mark.parametrize(("endpoint", "doc"), [(e, d) for _, e, d in MALFORMED], ids=[n for n, _, _ in MALFORMED])
def test_a_malformed_answer_is_one_service_error_naming_the_endpoint(server: Hostile, endpoint: str, doc: Any) -> None:
    server.routes[endpoint] = answer(200, doc)
    with pytest.raises(ServiceError) as caught:
        check(server.url)
    message = caught.value.message
    assert message.startswith(f"{server.url}{endpoint}: ") and "\n" not in message
    assert len(message) < 300


@pytest.mark.parametrize("status", [400, 422])
def test_the_server_refusing_its_own_health_query_is_exit_3(server: Hostile, status: int) -> None:
    refusal = {"status": "error", "errorType": "bad_data", "error": "parse error"}
    server.routes["/api/v1/query?prometheus_build_info"] = answer(status, refusal)
    result = opskit("monitor", "check", "--url", server.url, "--only", "server")
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith(f"opskit: error: {server.url}/api/v1/query: the server refused")
    assert result.stderr.count("\n") == 1


def test_malformed_answers_through_the_cli_exit_3_with_one_line(server: Hostile) -> None:
    server.routes["/api/v1/targets"] = success({"activeTargets": ["up"]})
    result = opskit("monitor", "check", "--url", server.url)
    assert result.returncode == 3
    assert result.stderr == (
        f"opskit: error: {server.url}/api/v1/targets: malformed answer: data.activeTargets[0] is str, "
        "expected an object (is this a Prometheus?)\n"
    )


def test_a_malformed_answer_mid_gate_is_an_error_round_not_a_crash(server: Hostile) -> None:
    server.routes["/api/v1/query"] = success({"result": ["garbage"]})
    report = api.gate(api.Connection(url=server.url), CHECKS, GateSettings(interval=0, count=2, inconclusive_limit=5))
    assert report.verdict == "inconclusive"
    assert [r["status"] for r in report.data["rounds"]] == ["error", "error"]
    assert "malformed answer" in report.data["rounds"][0]["checks"][0]["reason"]
    rounds = [note for note in report.notes if note.startswith("round ")]
    assert [note.split(": ", 2)[:2] for note in rounds] == [["round 1", "error"], ["round 2", "error"]]
    assert all("malformed answer: data.result[0] is str" in note for note in rounds)


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_timeout_bounds_the_whole_request_of_a_dripping_server(server: Hostile, headers_too: bool) -> None:
    server.routes["/api/v1/status/buildinfo"] = drip(0.2, headers_too=headers_too)
    DRIPPED.clear()
    with pytest.raises(ServiceError) as caught:
        HttpPrometheusClient(server.url, timeout=1).api("status/buildinfo")
    # each byte came well within the per-read timeout: only a whole-request deadline stops this
    assert caught.value.message == f"{server.url}/api/v1/status/buildinfo: no complete answer within 1s"


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(transport, "MAX_ANSWER_BYTES", 1 << 20)
    return 1 << 20


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        (lambda: endless_chunks(), "answer larger than the 1048576 bytes accepted"),
        (lambda: huge_body(64 << 20), "answer larger than the 1048576 bytes accepted"),
        (lambda: gzip_bomb(64 << 20), "answer larger than the 1048576 bytes accepted"),
        (lambda: answer(200, b" " * (2 << 20)), "answer of 2097152 bytes, more than the 1048576 accepted"),
    ],
    ids=["endless-chunked", "huge-body", "gzip-bomb", "declared-too-large"],
)
def test_bodies_are_read_with_a_size_cap(server: Hostile, small_cap: int, behaviour: Any, expected: str) -> None:
    server.routes["/api/v1/targets"] = behaviour()
    with pytest.raises(ServiceError) as caught:
        HttpPrometheusClient(server.url, timeout=30).api("targets")
    assert caught.value.message == f"{server.url}/api/v1/targets: {expected}"


def test_a_one_gib_body_and_a_gzip_bomb_stay_within_bounded_memory(tmp_path: Path) -> None:
    """The real cap, in a child process whose peak memory is measured (not its time)."""
    script = tmp_path / "run.py"
    script.write_text(
        "import resource, sys\n"
        "from tests.monitor.hostile import gzip_bomb, hostile_server, huge_body\n"
        "from opskit.core.errors import ServiceError\n"
        "from opskit.monitor.client import HttpPrometheusClient\n"
        "with hostile_server() as server:\n"
        "    server.routes['/api/v1/targets'] = huge_body(1 << 30)\n"
        "    server.routes['/api/v1/rules'] = gzip_bomb(256 << 20)\n"
        "    client = HttpPrometheusClient(server.url, timeout=60)\n"
        "    for path in ('targets', 'rules'):\n"
        "        try:\n"
        "            client.api(path)\n"
        "        except ServiceError as exc:\n"
        "            print(exc.message)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=REPO, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    *messages, peak_kib = proc.stdout.splitlines()
    assert [m.split(": ", 1)[1] for m in messages] == ["answer larger than the 67108864 bytes accepted"] * 2
    assert int(peak_kib) < 400 * 1024, f"peak RSS {int(peak_kib) // 1024} MiB"


def test_json_report_of_a_malformed_server_is_not_written(server: Hostile, tmp_path: Path) -> None:
    server.routes["/api/v1/rules"] = success({"groups": [{"rules": "x"}]})
    out = tmp_path / "report.json"
    result = opskit("monitor", "check", "--url", server.url, "--format", "json", "-o", str(out))
    assert result.returncode == 3 and not out.exists()
    assert "data.groups[0].rules is str" in result.stderr
