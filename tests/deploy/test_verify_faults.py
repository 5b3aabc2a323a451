"""Verification fails closed, against real Prometheus servers: one killed after the first gate round,
one answering garbage, one behind TLS with a private CA and basic auth. Only the image builder and
the infrastructure are in-memory fakes here; the verifier, the gate and Prometheus are real."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from opskit.deploy.engine import Deployer
from opskit.deploy.history import read_history
from opskit.deploy.interface import (
    Adapters,
    DeployOptions,
    Hooks,
    LineSink,
    Playbook,
    PrometheusGateSpec,
    Verification,
    Verifier,
)
from opskit.deploy.playbook import load_playbook
from opskit.deploy.verify import ServiceVerifier
from opskit.monitor.connection import Connection
from opskit.monitor.gate import CheckSpec, Condition, GateSettings
from tests.deploy.fakes import FakeBuilder, FakeInfra
from tests.deploy.own_prometheus import OwnPrometheus, make_private_ca
from tests.deploy.test_engine import REPO, make_playbook
from tests.harness import Prometheus
from tests.monitor.hostile import hostile_server, success

pytestmark = pytest.mark.prometheus

QUIET = CheckSpec(name="quiet", query="vector(0)", fail_when=Condition(">", 1))
SETTINGS = GateSettings(interval=0.2, count=3, failure_limit=0, consecutive_error_limit=3, inconclusive_limit=1)
PASSWORD = "prom-basic-pw-7c6b5a4d"


class Rig:
    """Successive deploys of one service with fake build/infra and a real verifier; a hook records outcomes."""

    def __init__(self, tmp_path: Path, verifier: Verifier) -> None:
        self.tmp_path = tmp_path
        self.infra = FakeInfra()
        self.verifier = verifier
        self.lines: list[str] = []
        self.on_line: Callable[[str], None] = lambda line: None
        self.outcomes = tmp_path / "outcomes.txt"

    def log(self, line: str) -> None:
        self.lines.append(line)
        self.on_line(line)

    def deploy(self, version: str, playbook: Playbook | None = None) -> dict:
        hooks = Hooks(post_deploy=(f'echo "$OPSKIT_OUTCOME $OPSKIT_RUNNING" >> {self.outcomes}',))
        playbook = playbook or make_playbook(self.tmp_path, version, hooks=hooks)
        adapters = Adapters(FakeBuilder(), self.infra, self.verifier, git_commit=lambda pb: ("c0ffee" * 7, "git@x"))
        return Deployer(playbook, adapters, self.log).deploy(DeployOptions())

    @property
    def history(self) -> list[dict]:
        return read_history(self.tmp_path / "state" / "web" / "prod" / "history.json")


def gate_verifier(url: str, **connection: object) -> ServiceVerifier:
    spec = PrometheusGateSpec(Connection(url=url, timeout=3, **connection), (QUIET,), SETTINGS)  # type: ignore[arg-type]
    return ServiceVerifier((), spec)


@pytest.fixture
def own_prometheus(tmp_path: Path, prometheus: Prometheus) -> Iterator[OwnPrometheus]:
    server = OwnPrometheus(tmp_path / "prometheus")  # never the shared one: this test kills it
    yield server
    server.kill()


def test_prometheus_killed_after_the_first_gate_round_rolls_back(tmp_path: Path, own_prometheus: OwnPrometheus) -> None:
    rig = Rig(tmp_path, gate_verifier(own_prometheus.url))
    v1 = rig.deploy("v1")
    assert (v1.outcome, v1.gate_verdict) == ("successful", "successful")

    def kill_after_round_one(line: str) -> None:
        if line.startswith("gate round 1/3: pass"):
            own_prometheus.kill()

    rig.on_line = kill_after_round_one
    v2 = rig.deploy("v2")
    assert own_prometheus.proc.returncode is not None
    assert v2.gate_verdict == "inconclusive"
    assert v2.outcome == "rolled_back"
    assert (v2.running, v2.running_verified) == (v1.image, True)
    rounds = [line for line in v2.failed if ": round " in line]
    assert [line.split(": ", 2)[1] for line in rounds] == ["round 2/3", "round 3/3"]
    assert all("unreachable (connection refused)" in line for line in rounds)
    assert any(line.startswith("gate inconclusive: ") for line in rig.lines)
    assert [r.outcome for r in rig.history] == ["successful", "rolled_back"]
    assert rig.outcomes.read_text().splitlines() == [f"successful {v1.image}", f"rolled_back {v1.image}"]


def test_malformed_prometheus_answers_roll_back(tmp_path: Path) -> None:
    with hostile_server() as server:
        rig = Rig(tmp_path, gate_verifier(server.url))
        v1 = rig.deploy("v1")
        assert v1.outcome == "successful"
        server.routes["/api/v1/query"] = success({"resultType": "vector", "result": ["not", "a", "sample"]})
        v2 = rig.deploy("v2")
    assert (v2.outcome, v2.gate_verdict) == ("rolled_back", "inconclusive")
    assert v2.running == v1.image and v2.running_verified is True
    assert any("malformed answer: data.result[0] is str" in line for line in v2.failed)
    assert [r.outcome for r in rig.history] == ["successful", "rolled_back"]


class Exploding(Verifier):
    """Verifies the first deploy, then raises what a bug would raise."""

    def __init__(self) -> None:
        self.calls = 0

    def verify(self, with_gate: bool, log: LineSink) -> Verification:
        self.calls += 1
        if self.calls == 2:
            raise AttributeError("'str' object has no attribute 'get'")
        return Verification(())


def test_any_exception_during_verification_rolls_back_records_and_runs_hooks(tmp_path: Path) -> None:
    rig = Rig(tmp_path, Exploding())
    v1 = rig.deploy("v1")
    v2 = rig.deploy("v2")
    assert v2.outcome == "rolled_back" and v2.gate_verdict == "inconclusive"
    assert v2.failed == ("verification: inconclusive: AttributeError: 'str' object has no attribute 'get'",)
    assert rig.infra.running == v1.image
    assert [r.outcome for r in rig.history] == ["successful", "rolled_back"]
    assert rig.outcomes.read_text().splitlines()[-1] == f"rolled_back {v1.image}"


@pytest.fixture
def tls_prometheus(tmp_path: Path, prometheus: Prometheus) -> Iterator[tuple[OwnPrometheus, Path]]:
    tls = make_private_ca(tmp_path / "tls")
    server = OwnPrometheus(tmp_path / "tls-prometheus", tls=tls, users={"deployer": PASSWORD})
    yield server, tls.ca
    server.kill()


def _tls_playbook(tmp_path: Path, url: str, ca: Path | None) -> Path:
    playbook = tmp_path / "web.yml"
    gate = {
        "url": url,
        "username": "deployer",
        "password_env": "WEB_PROM_PASSWORD",
        "interval": 0.2,
        "count": 2,
        "checks": [{"name": "quiet", "query": "vector(0)", "fail_when": "> 1"}],
    }
    if ca is not None:
        gate["ca_bundle"] = str(ca)
    doc = {
        "service": "web",
        "image": {"repository": "127.0.0.1:5000/web", "context": str(REPO / "examples" / "deploy-service")},
        "terraform": {"dir": str(REPO / "terraform" / "local-docker")},
        "checks": {"prometheus": gate},
        "state_dir": str(tmp_path / "state"),
        "environments": {"prod": {}},
    }
    playbook.write_text(json.dumps(doc))  # JSON is YAML
    return playbook


def test_a_deploy_verifies_against_prometheus_behind_tls_with_a_private_ca_and_basic_auth(
    tmp_path: Path, tls_prometheus: tuple[OwnPrometheus, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca = tls_prometheus
    monkeypatch.setenv("WEB_PROM_PASSWORD", PASSWORD)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    playbook = load_playbook(_tls_playbook(tmp_path, server.url, ca), "prod")
    assert playbook.gate is not None and playbook.gate.connection.ca_bundle == ca
    rig = Rig(tmp_path, ServiceVerifier(playbook.http_checks, playbook.gate))
    record = rig.deploy("v1", playbook)
    assert (record.outcome, record.gate_verdict) == ("successful", "successful"), rig.lines
    assert PASSWORD not in json.dumps(record.to_dict()) + "\n".join(rig.lines)

    # without the CA the gate is inconclusive, and the message names the playbook key to set
    untrusted = load_playbook(_tls_playbook(tmp_path, server.url, None), "prod")
    failed = Rig(tmp_path / "untrusted", ServiceVerifier((), untrusted.gate)).deploy("v1", untrusted)
    assert failed.gate_verdict == "inconclusive"
    assert any("TLS verification failed" in line and "ca_bundle" in line for line in failed.failed)

    monkeypatch.setenv("WEB_PROM_PASSWORD", "wrong-password-0000")
    wrong = Rig(tmp_path / "wrong", ServiceVerifier((), playbook.gate)).deploy("v1", playbook)
    assert wrong.gate_verdict == "inconclusive"
    assert any("401 unauthorized" in line for line in wrong.failed)
