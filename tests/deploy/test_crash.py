"""State survives a crash, with the real terraform binary: opskit killed (-9, with its terraform) or
terminated (SIGTERM) while Terraform applies. Status must not call the release verified, no plan
file (secrets in clear) may stay behind, the lock must not block the next deploy, which converges."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO, run_opskit

pytestmark = pytest.mark.terraform

MODULE = Path(__file__).parent / "fixtures" / "tf-slow-release"
IMAGE_A = "127.0.0.1:55000/crash@sha256:" + "a" * 64
IMAGE_B = "127.0.0.1:55000/crash@sha256:" + "b" * 64


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    path = tmp_path / "crash.yml"
    path.write_text(
        f"""\
service: crash
image:
  repository: 127.0.0.1:55000/crash
  context: {REPO / "examples" / "deploy-service"}
terraform:
  dir: {MODULE}
state_dir: {tmp_path / "state"}
"""
    )
    return path


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc), deepest last."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(") ", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent:
                found.append(int(entry.name))
                frontier.append(int(entry.name))
    return found


def start_applying(playbook: Path, image: str, env: Mapping[str, str], marker: Path) -> subprocess.Popen[str]:
    """``opskit deploy`` whose terraform apply touches ``marker`` and then sleeps; returns once it applies."""
    slow = {**os.environ, "CI": "true", **env, "TF_VAR_pause": "300", "TF_VAR_marker": str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "opskit", "deploy", "-p", str(playbook), "--image", image],
        env=slow,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "terraform apply never started"
        time.sleep(0.2)
    return proc


def _state(tmp_path: Path) -> Path:
    return tmp_path / "state" / "crash" / "default"


def test_sigkill_mid_apply_status_tells_the_truth_no_plan_is_left_and_the_next_deploy_converges(
    playbook: Path, tmp_path: Path, terraform_env: dict[str, str]
) -> None:
    base = ["deploy", "-p", str(playbook)]
    first = run_opskit([*base, "--image", IMAGE_A], terraform_env)
    assert first.returncode == 0, first.stderr

    proc = start_applying(playbook, IMAGE_B, terraform_env, tmp_path / "applying")
    victims = [proc.pid, *_children(proc.pid)]  # opskit, terraform, the provisioner: a machine crash
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    proc.communicate()
    state = _state(tmp_path)
    assert list((state / "plans").iterdir()), "the killed run's plan file is the case under test"
    assert oct((state / "plans").stat().st_mode & 0o777) == "0o700"

    status = run_opskit([*base, "status", "--format", "json"], terraform_env)
    assert status.returncode == 0, status.stderr
    doc = json.loads(status.stdout)["status"]
    assert doc["in_flight"]["state"] == "killed mid-apply"
    assert doc["in_flight"]["image"] == IMAGE_B
    assert doc["running"]["verified"] is False
    assert doc["running"]["image"] in (IMAGE_A, IMAGE_B)
    assert list((state / "plans").iterdir()) == []  # swept: its process is gone
    text = run_opskit([*base, "status"], terraform_env)
    assert "killed mid-apply" in text.stdout and "(NOT verified)" in text.stdout
    assert "(verified)" not in text.stdout and "finding(s)" not in text.stdout

    again = run_opskit([*base, "--image", IMAGE_B], terraform_env)
    assert again.returncode == 0, again.stderr
    assert "took over the deploy lock of pid" in again.stderr
    assert "recorded as interrupted, unverified" in again.stderr
    history = json.loads(run_opskit([*base, "history", "--format", "json"], terraform_env).stdout)["history"]
    assert [(r["outcome"], r["running_verified"]) for r in reversed(history)] == [
        ("successful", True),
        ("interrupted", False),
        ("successful", True),
    ]
    final = json.loads(run_opskit([*base, "status", "--format", "json"], terraform_env).stdout)["status"]
    assert final["running"] == {"image": IMAGE_B, "verified": True} and final["in_flight"] is None
    assert final["outputs"]["image"] == IMAGE_B
    assert not (state / "deploy.lock").exists() and not (state / "journal.json").exists()
    assert not (MODULE / "errored.tfstate").exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_apply_writes_history_and_releases_the_lock(
    playbook: Path, tmp_path: Path, terraform_env: dict[str, str], signum: signal.Signals
) -> None:
    proc = start_applying(playbook, IMAGE_A, terraform_env, tmp_path / "applying")
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr
    assert f"interrupted by {signum.name}" in stderr
    state = _state(tmp_path)
    assert not (state / "deploy.lock").exists()
    assert not (state / "journal.json").exists()
    assert list((state / "plans").iterdir()) == []
    (record,) = json.loads((state / "history.json").read_text())
    assert (record["outcome"], record["image"], record["running_verified"]) == ("interrupted", IMAGE_A, False)
    assert record["error"] == f"interrupted by {signum.name}"
    assert _children(proc.pid) == []
