"""Same input, same output: every command's report is byte-identical under two hash seeds.

Each command runs twice in child processes with different ``PYTHONHASHSEED``s; set or dict
iteration order that reaches a report shows up as a difference. Monitor reads the real
Prometheus through a recording proxy, so both runs see the same answers.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from opskit.deploy.history import StatePaths, append_history
from opskit.deploy.record import DeployRecord

REPO = Path(__file__).resolve().parents[1]
SEEDS = ("1", "4242")
VOLATILE = {"time", "start", "end", "timeout"}  # request parameters derived from the clock


def run_twice(args: list[str], cwd: Path = REPO) -> tuple[str, str]:
    outputs = []
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO), "CI": "true"}
        result = subprocess.run([sys.executable, "-m", "opskit", *args], capture_output=True, text=True, env=env,
                                cwd=cwd, timeout=600)
        assert result.returncode in (0, 1), result.stderr
        outputs.append(result.stdout + result.stderr)
    return outputs[0], outputs[1]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_audit_is_independent_of_hash_seed(fmt: str) -> None:
    first, second = run_twice(["audit", "examples/sample-service", "--no-cache", "--format", fmt])
    assert "finding" in first or "results" in first
    assert first == second


class _Replay(http.server.BaseHTTPRequestHandler):
    """Forwards a request to the real Prometheus the first time, then answers it from the recording."""

    upstream = ""
    recorded: dict[tuple[str, str, str], tuple[int, str, bytes]] = {}

    def _key(self, body: bytes) -> tuple[str, str, str]:
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qsl(url.query) + urllib.parse.parse_qsl(body.decode())
        stable = sorted((k, v) for k, v in params if k not in VOLATILE)
        return self.command, url.path, json.dumps(stable)

    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self._key(body)
        if key not in self.recorded:
            request = urllib.request.Request(self.upstream + self.path, data=body or None, method=self.command,
                                             headers={"Content-Type": self.headers.get("Content-Type", "")})
            try:
                with urllib.request.urlopen(request, timeout=30) as resp:
                    self.recorded[key] = (resp.status, resp.headers.get("Content-Type", ""), resp.read())
            except urllib.error.HTTPError as exc:
                self.recorded[key] = (exc.code, exc.headers.get("Content-Type", ""), exc.read())
        status, content_type, payload = self.recorded[key]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def replayed_prometheus(prometheus) -> Iterator[str]:  # type: ignore[no-untyped-def]
    _Replay.upstream, _Replay.recorded = prometheus.url, {}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_monitor_check_is_independent_of_hash_seed(replayed_prometheus: str, fmt: str) -> None:
    checks = REPO / "examples" / "monitor" / "checks.yml"
    first, second = run_twice(["monitor", "check", "--url", replayed_prometheus, "--checks", str(checks),
                               "--format", fmt])
    assert "check" in first
    assert first == second


def test_deploy_state_reports_are_independent_of_hash_seed(tmp_path: Path) -> None:
    state = tmp_path / "state"
    paths = StatePaths.of(state, "api", "default")
    for n in range(3):
        append_history(paths.history, DeployRecord.from_dict({
            "id": f"20260101T00000{n}Z-det{n}", "kind": "deploy" if n != 1 else "rollback", "service": "api",
            "env": "default", "outcome": "successful" if n != 2 else "rolled_back", "verdict": "successful",
            "running": f"r/api@sha256:{n}" + "1" * 63, "running_verified": n != 2,
            "failed": [f"http {n}: 500", "gate: failed"], "timings": {"build": 1.5, "apply": 2.0, "total": 4.0},
            "checks": [{"name": "health", "passed": n != 2, "detail": "HTTP 200"}],
        }))
    playbook = tmp_path / "api.yml"
    playbook.write_text(
        f"service: api\nimage: {{repository: r/api, context: {REPO / 'examples' / 'deploy-service'}}}\n"
        f"terraform: {{dir: {REPO / 'terraform' / 'local-docker'}}}\nstate_dir: {state}\n"
    )
    for fmt in ("text", "json"):
        first, second = run_twice(["deploy", "history", "-p", str(playbook), "--format", fmt])
        assert "det2" in first
        assert first == second
