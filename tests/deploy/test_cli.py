"""The deploy command line without services: help with examples, usage errors, config defaults,
options before the subcommand, and lock inspection."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from opskit.deploy.history import StatePaths, append_history
from opskit.deploy.record import DeployRecord
from tests.deploy.conftest import REPO, hold_lock, run_opskit

RECORD = {
    "id": "20260101T000000Z-abc123",
    "kind": "deploy",
    "service": "api",
    "env": "default",
    "outcome": "successful",
    "running": "r/api@sha256:" + "1" * 64,
    "running_verified": True,
}


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    path = tmp_path / "api.yml"
    path.write_text(
        f"service: api\nimage: {{repository: r/api, context: {REPO / 'examples' / 'deploy-service'}}}\n"
        f"terraform: {{dir: {REPO / 'terraform' / 'local-docker'}}}\nstate_dir: {tmp_path / 'default-state'}\n"
    )
    return path


@pytest.mark.parametrize("command", ["", "rollback", "status", "history", "lock", "unlock"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    proc = run_opskit(["deploy", *command.split(), "--help"], {})
    assert proc.returncode == 0
    assert "Example" in proc.stdout and "opskit deploy" in proc.stdout.split("Example", 1)[1]


def test_missing_playbook_is_a_usage_error() -> None:
    proc = run_opskit(["deploy"], {})
    assert (proc.returncode, proc.stderr) == (2, "opskit: error: missing --playbook (see 'opskit deploy --help')\n")


def test_state_dir_from_config_and_options_before_the_subcommand(playbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "configured-state"
    append_history(StatePaths.of(state, "api", "default").history, DeployRecord.from_dict(RECORD))
    (tmp_path / "opskit.toml").write_text(f'[deploy.history]\nstate-dir = "{state}"\n')
    proc = run_opskit(["deploy", "history", "-p", str(playbook), "--format", "json"], {})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["history"] == [DeployRecord.from_dict(RECORD).to_dict()]
    before = run_opskit(["deploy", "-p", str(playbook), "--state-dir", str(state), "history"], {})
    assert f"{RECORD['id']}  deploy   successful" in before.stdout


def test_lock_shows_the_holder_and_unlock_needs_force_for_a_live_one(playbook: Path, tmp_path: Path) -> None:
    lock = StatePaths.of(tmp_path / "default-state", "api", "default").lock
    other = hold_lock(lock)
    try:
        shown = run_opskit(["deploy", "lock", "-p", str(playbook), "--format", "json"], {})
        info = json.loads(shown.stdout)["lock"]
        assert (info["pid"], info["host"], info["stale"]) == (other.pid, socket.gethostname(), False)
        refused = run_opskit(["deploy", "unlock", "-p", str(playbook)], {})
        assert refused.returncode == 2 and "use --force to release it anyway" in refused.stderr
        forced = run_opskit(["deploy", "unlock", "-p", str(playbook), "--force"], {})
        assert forced.returncode == 0 and f"released (was held by pid {other.pid}" in forced.stdout
        assert not lock.exists()
    finally:
        other.communicate("")


def test_a_playbook_path_longer_than_the_os_allows_is_one_line(tmp_path: Path) -> None:
    long_path = tmp_path / ("p" * 300) / "web.yml"
    for args in (["deploy", "-p", str(long_path)], ["deploy", "status", "-p", str(long_path)]):
        proc = run_opskit(args, {})
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "playbook path is longer than the OS allows" in proc.stderr


def test_state_commands_report_facts_not_findings(playbook: Path) -> None:
    for command in ("status", "history", "lock", "unlock"):
        text = run_opskit(["deploy", command, "-p", str(playbook)], {})
        assert text.returncode == 0, (command, text.stderr)
        assert "finding(s)" not in text.stdout and "note:" not in text.stdout
        for refused in (["--fail-on", "high"], ["--format", "sarif"]):
            proc = run_opskit(["deploy", command, "-p", str(playbook), *refused], {})
            assert proc.returncode == 2, (command, refused)


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["unlock", "unlock-force"])
def test_a_garbage_lock_file_is_fixed_by_the_unlock_its_error_names(
    playbook: Path, tmp_path: Path, force: list[str]
) -> None:
    lock = tmp_path / "default-state" / "api" / "default" / "deploy.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text("\x00garbage{")
    status = run_opskit(["deploy", "lock", "-p", str(playbook)], {})
    assert status.returncode == 2 and "remove it with 'opskit deploy unlock'" in status.stderr
    released = run_opskit(["deploy", "unlock", "-p", str(playbook), *force], {})
    assert released.returncode == 0, released.stderr
    assert "released (was held by an unreadable lock file)" in released.stdout
    assert not lock.exists()
