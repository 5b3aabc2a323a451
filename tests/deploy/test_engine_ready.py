"""A docker engine that cannot be reached: a hint about DOCKER_HOST, and no hook has run yet."""

from __future__ import annotations

from pathlib import Path

from tests.deploy.conftest import REPO, run_opskit


def test_unreachable_engine_hints_docker_host_before_any_hook(tmp_path: Path) -> None:
    marker = tmp_path / "hook-ran"
    playbook = tmp_path / "api.yml"
    playbook.write_text(
        f"service: api\nimage: {{repository: 127.0.0.1:1/api, context: {REPO / 'examples' / 'deploy-service'}}}\n"
        f"terraform: {{dir: {REPO / 'terraform' / 'local-docker'}}}\nstate_dir: {tmp_path / 'state'}\n"
        f"hooks:\n  pre_deploy:\n    - touch {marker}\n"
    )
    proc = run_opskit(["deploy", "-p", str(playbook)], {"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"})
    assert proc.returncode == 3, proc.stderr
    error = proc.stderr.strip().splitlines()[-1]
    assert error.startswith(f"opskit: error: docker engine unix://{tmp_path}/no-engine.sock unreachable")
    assert "DOCKER_HOST" in error
    assert not marker.exists()
