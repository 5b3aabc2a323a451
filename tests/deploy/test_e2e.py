"""End to end with real parts: Docker engine, local registry, Terraform (terraform/local-docker) and
Prometheus scraping the deployed container. v1 deploys healthy; v2 (half its requests fail) is
caught by the Prometheus gate and opskit rolls back to v1 by itself."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO, files_containing, free_port, run_opskit
from tests.harness import Prometheus

pytestmark = [pytest.mark.docker, pytest.mark.terraform, pytest.mark.prometheus]

REGISTRY_PASSWORD = "reg-pw-5e4d3c2b1a"
TF_SECRET = "tf-secret-0a9b8c7d"


def _docker(docker_host: str, *args: str) -> str:
    proc = subprocess.run(
        ["docker", *args], env={**os.environ, "DOCKER_HOST": docker_host}, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


class Scenario:
    """Two playbooks (v1 healthy, v2 with 50% errors) for one service and environment."""

    def __init__(self, tmp_path: Path, registry: str, network: str, prometheus: Prometheus) -> None:
        self.port = free_port()
        self.repository = f"{registry}/opskit-e2e/demo"
        self.name = f"opskit-e2e-{self.port}"
        self.job = f"opskit-e2e-{self.port}"
        self.state = tmp_path / "state"
        self.target_file = prometheus.targets_dir / f"{self.name}.json"
        checks = tmp_path / "checks.yml"
        checks.write_text(
            f"""\
checks:
  - name: error-ratio
    query: >
      sum(rate(demo_http_requests_total{{job="{self.job}",code=~"5.."}}[$window]))
      / sum(rate(demo_http_requests_total{{job="{self.job}"}}[$window]))
    window: 5s
    fail_when: "> 0.1"
    no_data: warn
"""
        )
        self.playbooks = {
            version: self._playbook(tmp_path, version, network, prometheus.url, checks, errors)
            for version, errors in (("v1", 0), ("v2", 50))
        }

    def _playbook(self, tmp: Path, version: str, network: str, prom: str, checks: Path, errors: int) -> Path:
        path = tmp / f"{version}.yml"
        path.write_text(
            f"""\
service: e2e
image:
  repository: {self.repository}
  context: {REPO / "examples" / "deploy-service"}
  tag: "{{commit}}-{version}"
  network_mode: none
  build_args: {{VERSION: {version}, ERROR_PERCENT: "{errors}"}}
registry:
  username_env: E2E_REGISTRY_USER
  password_env: E2E_REGISTRY_PASSWORD
terraform:
  dir: {REPO / "terraform" / "local-docker"}
  variables: {{name: {self.name}, port: {self.port}, network: {network}}}
  secret_variables: {{secret_env: E2E_SECRET_ENV}}
checks:
  http:
    - url: http://127.0.0.1:{self.port}/health
      retries: 20
      interval: 0.5
  prometheus:
    url: {prom}
    checks: {checks}
    interval: 1
    count: 6
    inconclusive_limit: 4
hooks:
  pre_deploy: ["cp /bin/busybox {REPO / "examples" / "deploy-service" / "busybox"}"]
  post_deploy: ['echo "post-deploy $OPSKIT_OUTCOME running=$OPSKIT_RUNNING"']
rollback: {{automatic: true, verify: http}}
state_dir: {self.state}
"""
        )
        return path


@pytest.fixture
def scenario(
    tmp_path: Path, docker_host: str, registry: str, container_network: str, prometheus: Prometheus
) -> Iterator[Scenario]:
    s = Scenario(tmp_path, registry, container_network, prometheus)
    s.target_file.write_text(json.dumps([{"targets": [f"127.0.0.1:{s.port}"], "labels": {"job": s.job}}]))
    yield s
    s.target_file.unlink(missing_ok=True)
    subprocess.run(["docker", "rm", "-f", s.name], env={**os.environ, "DOCKER_HOST": docker_host}, capture_output=True)


def test_broken_release_is_rolled_back_to_v1_by_itself(
    scenario: Scenario, docker_host: str, terraform_env: dict[str, str], test_start: float
) -> None:
    env = {
        **terraform_env,
        "DOCKER_HOST": docker_host,
        "E2E_REGISTRY_USER": "ci",
        "E2E_REGISTRY_PASSWORD": REGISTRY_PASSWORD,
        "E2E_SECRET_ENV": json.dumps({"API_KEY": TF_SECRET}),
    }
    v1 = run_opskit(["deploy", "-p", str(scenario.playbooks["v1"]), "--format", "json"], env)
    assert v1.returncode == 0, v1.stderr
    first = json.loads(v1.stdout)["deploy"]
    v1_image = first["image"]
    assert first["outcome"] == "successful" and first["gate_verdict"] == "successful"
    assert v1_image.startswith(f"{scenario.repository}@sha256:")
    assert _docker(docker_host, "inspect", "-f", "{{.Config.Image}}", scenario.name) == v1_image

    output = scenario.state.parent / "v2-report.json"  # with -o the streamed log stays on stderr
    v2 = run_opskit(["deploy", "-p", str(scenario.playbooks["v2"]), "--format", "json", "-o", str(output)], env)
    assert v2.returncode == 1, v2.stderr
    doc = json.loads(output.read_text())
    assert "gate failed: 1 failed round(s)" in v2.stderr, v2.stderr
    record = doc["deploy"]
    assert doc["verdict"] == "failed"
    assert record["outcome"] == "rolled_back"
    assert record["image"] != v1_image
    assert record["gate_verdict"] == "failed"
    assert [(f["rule_id"], f["title"]) for f in doc["findings"]] == [
        ("deploy.verify.prometheus", "prometheus error-ratio"),
        ("deploy.verify.prometheus", "prometheus gate"),
    ]
    rollback = record["rollback"]
    assert (rollback["to"], rollback["verified"]) == (v1_image, True)
    assert rollback["plan"]["summary"] == "1 to add, 0 to change, 1 to destroy (1 replaced)"
    assert [(c["name"], c["passed"]) for c in rollback["checks"]] == [
        (f"http http://127.0.0.1:{scenario.port}/health", True)
    ]
    assert record["running"] == v1_image and record["running_verified"] is True
    assert "post-deploy rolled_back running=" + v1_image in v2.stderr

    # what really runs is v1: the container's image reference, its image id, and what it serves
    assert _docker(docker_host, "inspect", "-f", "{{.Config.Image}}", scenario.name) == v1_image
    running_id = _docker(docker_host, "inspect", "-f", "{{.Image}}", scenario.name)
    assert running_id == _docker(docker_host, "image", "inspect", "-f", "{{.Id}}", v1_image)
    with urllib.request.urlopen(f"http://127.0.0.1:{scenario.port}/metrics", timeout=5) as resp:
        assert 'demo_build_info{version="v1"} 1' in resp.read().decode()

    # history, the report file and status all say so
    history = run_opskit(["deploy", "history", "-p", str(scenario.playbooks["v2"]), "--format", "json"], env)
    newest, oldest = json.loads(history.stdout)["history"]
    assert (oldest["outcome"], oldest["running"]) == ("successful", v1_image)
    assert (newest["outcome"], newest["running"], newest["image"]) == ("rolled_back", v1_image, record["image"])
    report_file = json.loads(Path(doc["report_file"]).read_text())
    assert report_file == record
    status = run_opskit(["deploy", "status", "-p", str(scenario.playbooks["v1"]), "--format", "json"], env)
    assert json.loads(status.stdout)["status"]["outputs"]["image"] == v1_image

    # no registry password or Terraform secret in any output, log or file under /tmp
    for proc in (v1, v2, history, status):
        assert REGISTRY_PASSWORD not in proc.stdout + proc.stderr
        assert TF_SECRET not in proc.stdout + proc.stderr
    engine_storage = Path(docker_host.removeprefix("unix://")).parent  # dockerd keeps container env, by design
    for secret in (REGISTRY_PASSWORD, TF_SECRET):
        assert files_containing(Path("/tmp"), secret, test_start, skip=(engine_storage,)) == []


def test_missing_digest_fails_the_apply_with_dockers_error(
    tmp_path: Path, docker_host: str, registry: str, container_network: str, terraform_env: dict[str, str]
) -> None:
    port = free_port()
    playbook = tmp_path / "ghost.yml"
    playbook.write_text(
        f"""\
service: ghost
image: {{repository: {registry}/opskit-e2e/ghost, context: {REPO / "examples" / "deploy-service"}}}
terraform:
  dir: {REPO / "terraform" / "local-docker"}
  variables: {{name: opskit-ghost-{port}, port: {port}, network: {container_network}}}
state_dir: {tmp_path / "state"}
"""
    )
    missing = f"{registry}/opskit-e2e/ghost@sha256:{'0' * 64}"
    proc = run_opskit(
        ["deploy", "-p", str(playbook), "--image", missing], {**terraform_env, "DOCKER_HOST": docker_host}
    )
    assert proc.returncode == 3
    assert "manifest unknown" in proc.stderr  # docker pull's own error, streamed from Terraform
    assert (
        proc.stderr.strip()
        .splitlines()[-1]
        .startswith(f"opskit: error: terraform apply in {REPO / 'terraform' / 'local-docker'} failed (exit 1): Error:")
    )
    history = run_opskit(["deploy", "history", "-p", str(playbook), "--format", "json"], {})
    (record,) = json.loads(history.stdout)["history"]
    assert (record["outcome"], record["image"], record["running_verified"]) == ("error", missing, False)
