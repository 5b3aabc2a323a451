"""The Terraform adapter and ``--plan-only`` with the real terraform binary on a provider-free module:
exit codes as Terraform's -detailed-exitcode, the saved plan applied, no secret in output or /tmp."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from opskit.core.errors import ServiceError
from opskit.deploy.interface import TerraformSpec
from opskit.deploy.terraform_adapter import TerraformProvisioner
from tests.deploy.conftest import REPO, files_containing, hold_lock, run_opskit

pytestmark = pytest.mark.terraform

MODULE = Path(__file__).parent / "fixtures" / "tf-release"
TOKEN = "tf-secret-9f8e7d6c5b4a"
IMAGE_A = "127.0.0.1:55000/web@sha256:" + "a" * 64
IMAGE_B = "127.0.0.1:55000/web@sha256:" + "b" * 64


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    path = tmp_path / "web.yml"
    path.write_text(
        f"""\
service: web
image:
  repository: 127.0.0.1:55000/web
  context: {REPO / "examples" / "deploy-service"}
terraform:
  dir: {MODULE}
  variables: {{replicas: 2}}
  secret_variables: {{api_token: WEB_API_TOKEN}}
state_dir: {tmp_path / "state"}
"""
    )
    return path


def test_plan_only_exits_like_terraform_and_apply_uses_the_saved_plan(
    playbook: Path, tmp_path: Path, terraform_env: dict[str, str], test_start: float
) -> None:
    env = {**terraform_env, "WEB_API_TOKEN": TOKEN}
    base = ["deploy", "--playbook", str(playbook)]

    planned = run_opskit([*base, "--plan-only", "--image", IMAGE_A], env)
    assert planned.returncode == 5, planned.stderr
    assert "plan: 1 to add, 0 to change, 0 to destroy" in planned.stdout
    assert "terraform_data.release: create" in planned.stderr

    applied = run_opskit([*base, "--image", IMAGE_A, "--commit", "abc123"], env)
    assert applied.returncode == 0, applied.stderr
    assert f"running now: {IMAGE_A} (verified)" in applied.stdout
    assert "Apply complete! Resources: 1 added" in applied.stderr

    unchanged = run_opskit([*base, "--plan-only", "--image", IMAGE_A, "--format", "json"], env)
    assert unchanged.returncode == 0, unchanged.stderr
    doc = json.loads(unchanged.stdout)
    assert doc["verdict"] == "successful"
    assert doc["deploy"]["plan"] == {
        "exit_code": 0,
        "add": 0,
        "change": 0,
        "destroy": 0,
        "replace": 0,
        "resources": [],
        "summary": "no changes",
    }

    replaced = run_opskit([*base, "--plan-only", "--image", IMAGE_B, "--format", "json"], env)
    assert replaced.returncode == 5
    assert json.loads(replaced.stdout)["deploy"]["plan"]["resources"] == ["terraform_data.release: update"]

    status = run_opskit(["deploy", "status", "--playbook", str(playbook), "--format", "json"], env)
    assert json.loads(status.stdout)["status"]["outputs"] == {"image": IMAGE_A}

    for proc in (planned, applied, unchanged, replaced, status):
        assert TOKEN not in proc.stdout + proc.stderr
    state = tmp_path / "state"
    assert not list((state / "web" / "default" / "plans").iterdir()), "saved plans must not outlive the run"
    assert files_containing(Path("/tmp"), TOKEN, test_start, skip=(Path("/tmp/opskit-services"),)) == []


def test_terraform_errors_are_one_line_service_errors(
    playbook: Path, tmp_path: Path, terraform_env: dict[str, str]
) -> None:
    env = {**terraform_env, "WEB_API_TOKEN": TOKEN}
    bad_image = run_opskit(["deploy", "-p", str(playbook), "--image", "web@sha256:abc", "--plan-only"], env)
    assert bad_image.returncode == 3
    last = bad_image.stderr.strip().splitlines()[-1]
    assert last.startswith(f"opskit: error: terraform plan in {MODULE} failed (exit 1): Error:")
    missing = run_opskit(["deploy", "-p", str(playbook), "--image", IMAGE_A, "--plan-only"], terraform_env)
    assert missing.returncode == 2
    assert "environment variable(s) WEB_API_TOKEN not set" in missing.stderr
    wrong_bin = run_opskit(
        ["deploy", "-p", str(playbook), "--image", IMAGE_A, "--plan-only", "--terraform-bin", "no-such-tofu"], env
    )
    assert wrong_bin.returncode == 3
    assert wrong_bin.stderr.strip() == "opskit: error: terraform binary 'no-such-tofu' not found (set --terraform-bin)"


def test_adapter_passes_variables_only_through_the_environment(
    tmp_path: Path, terraform_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in terraform_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WEB_API_TOKEN", TOKEN)
    spec = TerraformSpec(directory=MODULE, variables={"replicas": 3}, secret_variables={"api_token": "WEB_API_TOKEN"})
    tf = TerraformProvisioner(spec, tmp_path / "tf.tfstate", tmp_path / "data", binary=terraform_env["TERRAFORM_BIN"])
    argv = tf.tf.generate_cmd_string("plan", input=False, out="p", detailed_exitcode=True)
    env = tf._env(IMAGE_A)
    assert not any("-var" in arg for arg in argv)
    assert env["TF_VAR_api_token"] == TOKEN and env["TF_VAR_replicas"] == "3" and env["TF_VAR_image"] == IMAGE_A
    lines: list[str] = []
    summary = tf.plan(IMAGE_A, tmp_path / "plan.tfplan", lines.append)
    assert summary.add == 1 and summary.has_changes
    tf.apply(tmp_path / "plan.tfplan", lines.append)
    assert tf.outputs() == {"image": IMAGE_A}
    assert TOKEN not in "\n".join(lines)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ServiceError, match="terraform binary 'terraform' not found"):
        TerraformProvisioner(spec, tmp_path / "tf.tfstate", tmp_path / "data")


def test_second_deploy_waits_for_the_lock_or_fails_at_the_timeout(
    playbook: Path, tmp_path: Path, terraform_env: dict[str, str]
) -> None:
    env = {**os.environ, "CI": "true", **terraform_env, "WEB_API_TOKEN": TOKEN}
    lock = tmp_path / "state" / "web" / "default" / "deploy.lock"
    other = hold_lock(lock)
    try:
        blocked = run_opskit(["deploy", "-p", str(playbook), "--image", IMAGE_A, "--lock-timeout", "0.5"], env)
        assert blocked.returncode == 1
        waited, message = blocked.stderr.strip().splitlines()
        assert waited.startswith(f"waiting up to 0.5s for the deploy lock held by pid {other.pid}")
        assert message.startswith(f"opskit: error: {lock}: deploy locked by pid {other.pid} on {socket.gethostname()}")
        assert message.endswith("; gave up after 0.5s")
        waiting = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "opskit",
                "deploy",
                "-p",
                str(playbook),
                "--image",
                IMAGE_A,
                "--lock-timeout",
                "300",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert waiting.stderr is not None
        first_line = waiting.stderr.readline()
        assert first_line.startswith(f"waiting up to 300s for the deploy lock held by pid {other.pid}")
    finally:
        other.communicate("")
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert f"running now: {IMAGE_A} (verified)" in out


def test_terraform_bin_runs_every_command_through_that_binary(
    playbook: Path, tmp_path: Path, terraform_env: dict[str, str]
) -> None:
    calls = tmp_path / "tofu-calls.txt"
    tofu = tmp_path / "bin" / "tofu"
    tofu.parent.mkdir()
    tofu.write_text(f'#!/bin/sh\necho "$1" >> {calls}\nexec {terraform_env["TERRAFORM_BIN"]} "$@"\n')
    tofu.chmod(0o755)
    env = {**terraform_env, "WEB_API_TOKEN": TOKEN}
    proc = run_opskit(["deploy", "-p", str(playbook), "--image", IMAGE_A, "--terraform-bin", str(tofu)], env)
    assert proc.returncode == 0, proc.stderr
    assert calls.read_text().split() == ["init", "plan", "show", "apply"]


def test_terraform_working_files_land_in_the_state_dir_not_the_module(tmp_path: Path) -> None:
    """A terraform that cannot save its state writes errored.tfstate into its working directory."""
    module = tmp_path / "module"
    shutil.copytree(MODULE, module)
    fake = tmp_path / "terraform-cannot-save"
    fake.write_text(
        "#!/bin/sh\necho '{\"version\": 4}' > errored.tfstate\n"
        "echo 'Error: Failed to save state: write terraform.tfstate: no space left on device' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    state = tmp_path / "state" / "terraform.tfstate"
    tf = TerraformProvisioner(TerraformSpec(directory=module), state, tmp_path / "state" / "data", binary=str(fake))
    with pytest.raises(ServiceError, match="no space left on device"):
        tf.apply(tmp_path / "plan.tfplan", lambda line: None)
    assert not (module / "errored.tfstate").exists()
    (moved,) = (tmp_path / "state").glob("errored-*.tfstate")
    assert oct(moved.stat().st_mode & 0o777) == "0o600"
