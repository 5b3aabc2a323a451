"""Verification: HTTP checks retry until the expected status; an unreachable Prometheus makes the
gate inconclusive (so the deploy rolls back). (A broken checks file fails at playbook loading.)"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from opskit.deploy.interface import HttpCheck, PrometheusGateSpec
from opskit.deploy.verify import ServiceVerifier, http_status, run_http_check
from opskit.monitor.checks_file import load_checks
from opskit.monitor.connection import Connection
from tests.deploy.conftest import free_port

CHECKS = Path(__file__).resolve().parents[2] / "playbooks" / "demo-checks.yml"


@pytest.fixture
def health_server() -> Iterator[str]:
    """A real HTTP server: /health answers 503 twice, then 200 (a service still starting)."""
    answers = [503, 503]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.send_response(answers.pop(0) if answers and self.path == "/health" else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_http_check_retries_until_the_service_answers(health_server: str) -> None:
    check = HttpCheck(url=f"{health_server}/health", retries=5, interval=0)
    result = run_http_check(check, http_status, sleep=lambda s: None)
    assert (result.passed, result.detail) == (True, "answered 200 (attempt 3)")


def test_http_check_reports_the_last_answer() -> None:
    answers = iter([503, 404])
    check = HttpCheck(url="http://svc/health", retries=2, interval=0)
    result = run_http_check(check, lambda url, timeout: next(answers), sleep=lambda s: None)
    assert (result.passed, result.detail) == (False, "answered 404, expected 200 after 2 attempt(s)")


def test_http_check_against_nothing_listening() -> None:
    check = HttpCheck(url=f"http://127.0.0.1:{free_port()}/health", retries=2, interval=0, timeout=1)
    result = run_http_check(check, http_status, sleep=lambda s: None)
    assert (result.passed, result.detail) == (False, "no answer (ConnectionError) after 2 attempt(s)")


def test_unreachable_prometheus_makes_the_gate_inconclusive(health_server: str) -> None:
    connection = Connection(url=f"http://127.0.0.1:{free_port()}", timeout=1)
    gate = PrometheusGateSpec(connection=connection, checks=tuple(load_checks(CHECKS)))
    verifier = ServiceVerifier([HttpCheck(url=f"{health_server}/", retries=1)], gate)
    lines: list[str] = []
    verification = verifier.verify(with_gate=True, log=lines.append)
    assert verification.gate_verdict == "inconclusive" and not verification.passed
    assert [c.name for c in verification.failed] == ["prometheus gate"]
    assert any(line.startswith("gate inconclusive: ") for line in lines)


def test_credentials_in_a_check_url_never_reach_the_result() -> None:
    check = HttpCheck(url="https://ci:hunter2-secret@svc.internal/health", retries=1)
    result = run_http_check(check, lambda url, timeout: 200, sleep=lambda s: None)
    assert result.name == "http https://ci:***@svc.internal/health"
