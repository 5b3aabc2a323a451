"""``opskit monitor check --alertmanager``: against the shared Alertmanager and two of our own, one
whose webhook receiver works and one whose receiver cannot be reached."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from opskit.monitor.alertmanager.health import Snapshot, judge
from opskit.monitor.interface import Status
from tests import harness
from tests.monitor.conftest import eventually, opskit
from tests.monitor.exporter import free_port
from tests.monitor.hostile import answer, drip, hostile_server

pytestmark = pytest.mark.alertmanager


def _send(url: str, path: str, body: object, method: str = "POST") -> object:
    req = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        text = resp.read()
    return json.loads(text) if text else None


def _checks(*args: str) -> dict[str, dict[str, object]]:
    result = opskit("monitor", "check", *args, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return {c["id"]: c for c in json.loads(result.stdout)["checks"]}


def _metric(url: str, name: str) -> float:
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{"))


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def webhook() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def _own_alertmanager(root: Path, hook: str) -> tuple[str, Path, object]:
    config = root / "am.yml"
    config.write_text(
        "route: {receiver: pager, group_wait: 0s, group_interval: 1s, repeat_interval: 1h}\n"
        f"receivers:\n  - name: pager\n    webhook_configs: [{{url: {json.dumps(hook)}}}]\n"
    )
    addr = f"127.0.0.1:{free_port()}"
    proc = harness.spawn_alertmanager(config, root / "data", addr, root / "am.log", None)
    url = f"http://{addr}"
    eventually(lambda: _up(url), bool, "our Alertmanager answering", timeout=30)
    return url, config, proc


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.mark.parametrize("works", [True, False], ids=["receiver-works", "receiver-fails"])
def test_failing_receiver_is_named_and_a_working_one_passes(
    alertmanager: dict[str, str], webhook: str, tmp_path: Path, works: bool
) -> None:
    hook = webhook if works else f"http://127.0.0.1:{free_port()}/hook"
    url, config, proc = _own_alertmanager(tmp_path, hook)
    try:
        _send(url, "/api/v2/alerts", [{"labels": {"alertname": f"opskit-{uuid.uuid4().hex[:6]}"}}])
        counter = "alertmanager_notifications_total" if works else "alertmanager_notifications_failed_total"
        eventually(lambda: _metric(url, counter), lambda v: v > 0, f"{counter} > 0", timeout=60)
        checks = _checks("--alertmanager", url)
        receivers = checks["monitor.alertmanager.receivers"]
        assert receivers["status"] == ("pass" if works else "fail"), receivers
        if not works:
            assert "pager (webhook)" in str(receivers["reason"])
        assert checks["monitor.alertmanager.healthy"]["status"] == "pass"
        assert checks["monitor.alertmanager.cluster"]["status"] == "pass"  # standalone: disabled
        assert checks["monitor.alertmanager.config"]["status"] == "pass"
        if works:  # a reload that fails is reported, the twin above passed
            config.write_text("route: {receiver: nowhere}\nreceivers: []\n")
            with pytest.raises(urllib.error.HTTPError):
                _send(url, "/-/reload", {})
            assert _checks("--alertmanager", url)["monitor.alertmanager.config"]["status"] == "fail"
    finally:
        proc.terminate()  # type: ignore[attr-defined]
        proc.wait(timeout=30)  # type: ignore[attr-defined]


def test_silence_ending_within_a_day_is_listed_and_a_longer_one_is_not(alertmanager: dict[str, str]) -> None:
    url = alertmanager["url"]
    now = datetime.now(UTC)
    ids = {}
    for name, hours in (("soon", 2), ("later", 72)):
        body = {
            "matchers": [{"name": "opskit_test", "value": f"{name}-{uuid.uuid4().hex[:6]}", "isRegex": False}],
            "startsAt": now.isoformat(),
            "endsAt": (now + timedelta(hours=hours)).isoformat(),
            "createdBy": "opskit-tests",
            "comment": "test",
        }
        ids[name] = str(_send(url, "/api/v2/silences", body)["silenceID"])  # type: ignore[index]
    try:
        silences = _checks("--alertmanager", url)["monitor.alertmanager.silences"]
    finally:
        for silence_id in ids.values():
            _send(url, f"/api/v2/silence/{silence_id}", None, method="DELETE")
    assert silences["status"] == "warn"
    assert ids["soon"] in str(silences["reason"]) and ids["later"] not in str(silences["reason"])


def test_unreachable_alertmanager_is_one_failed_check_and_exit_1() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = opskit("monitor", "check", "--alertmanager", url, "--format", "json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    checks = json.loads(result.stdout)["checks"]
    assert [(c["id"], c["status"]) for c in checks] == [("monitor.alertmanager.healthy", "fail")]
    assert "unreachable" in checks[0]["reason"]


@pytest.mark.parametrize(("state", "expected"), [("ready", Status.PASS), ("settling", Status.WARN),
                                                 ("failed", Status.FAIL)])
def test_cluster_states(state: str, expected: Status) -> None:
    snapshot = Snapshot("http://am", (200, "OK"), state, 0, "route: {}", [], "")
    cluster = next(r for r in judge(snapshot, datetime.now(UTC)) if r.name == "alertmanager-cluster")
    assert cluster.status is expected


@pytest.mark.parametrize(
    "routes",
    [
        {"/api/v2/status": [1, 2], "/api/v2/silences": {"a": 1}, "/metrics": "no metrics here"},
        {"/api/v2/status": {"cluster": "x", "config": ["y"]}, "/api/v2/silences": [1, {"status": "x"}],
         "/metrics": 'alertmanager_notifications_failed_total{integration="webhook"} NaN-ish\n'},
        {"/api/v2/status": {"config": {"original": "receivers: [1, {webhook_configs: 2}]"}},
         "/api/v2/silences": [{"status": {"state": "active"}, "endsAt": "soon", "matchers": "x"}], "/metrics": ""},
    ],
    ids=["wrong-types", "wrong-members", "odd-config"],
)
def test_odd_answers_are_judged_not_crashed_on(routes: dict[str, object]) -> None:
    with hostile_server() as server:
        for path, doc in routes.items():
            server.routes[path] = answer(200, doc)
        result = opskit("monitor", "check", "--alertmanager", server.url, "--format", "json")
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert {c["id"] for c in json.loads(result.stdout)["checks"]} >= {"monitor.alertmanager.cluster"}


def test_a_dripping_alertmanager_is_cut_off_at_the_timeout() -> None:
    with hostile_server() as server:
        server.routes["/-/healthy"] = drip(0.5)
        result = opskit("monitor", "check", "--alertmanager", server.url, "--timeout", "2", "--format", "json")
    assert result.returncode == 1, result.stderr
    (healthy,) = json.loads(result.stdout)["checks"]
    assert "no complete answer within 2s" in healthy["reason"]
