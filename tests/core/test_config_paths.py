"""Config resolved per command path: group tables reach their commands; unknown keys and tables fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opskit.deploy.history import StatePaths, append_history
from opskit.deploy.record import DeployRecord

REPO = Path(__file__).resolve().parents[2]
RECORD = {"id": "20260101T000000Z-cfg16", "kind": "deploy", "service": "api", "env": "stage", "outcome": "successful",
          "running": "r/api@sha256:" + "1" * 64, "running_verified": True}


def opskit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "opskit", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n")
    return tmp_path


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[monitor]\nurll = 'http://x'\n", "unknown key 'urll' in [monitor]"),
        ("[deploy]\nlock-timout = 3\n", "unknown key 'lock-timout' in [deploy]"),
        ("[nope]\nx = 1\n", "unknown table [nope]"),
        ("[monitor.chek]\nurl = 'http://x'\n", "unknown table [monitor.chek]"),
        ("colour = 'no'\n", "unknown key 'colour' in [top level]"),
        ("[audit.secrets]\nx = 1\n", "unknown table [audit.secrets]"),
    ],
)
def test_unknown_keys_and_tables_anywhere_are_errors_naming_file_and_key(project: Path, toml: str, expected: str
                                                                           ) -> None:
    (project / "opskit.toml").write_text(toml)
    result = opskit("audit", "--only", "secrets", "--no-cache", ".", cwd=project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"opskit: error: {project / 'opskit.toml'}: {expected}" or (
        expected in result.stderr and str(project / "opskit.toml") in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_pyproject_tables_are_named_as_written(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.opskit.monitor]\nbogus = 1\n")
    result = opskit("audit", "--only", "secrets", "--no-cache", ".", cwd=project)
    assert result.returncode == 2 and "unknown key 'bogus' in [tool.opskit.monitor]" in result.stderr


def test_sibling_options_in_a_group_table_are_not_errors(project: Path) -> None:
    (project / "opskit.toml").write_text("[deploy]\nto = 'sha256:abc'\nlimit = 3\nforce = true\n")
    result = opskit("audit", "--only", "secrets", "--no-cache", ".", cwd=project)
    assert result.returncode == 0, result.stderr


def test_deploy_table_reaches_state_commands(project: Path) -> None:
    state = project / "state"
    append_history(StatePaths.of(state, "api", "stage").history, DeployRecord.from_dict(RECORD))
    playbook = project / "api.yml"
    playbook.write_text(
        f"service: api\nimage: {{repository: r/api, context: {REPO / 'examples' / 'deploy-service'}}}\n"
        f"terraform: {{dir: {REPO / 'terraform' / 'local-docker'}}}\nenvironments: {{stage: {{}}}}\n"
    )
    (project / "opskit.toml").write_text(f'[deploy]\nstate-dir = "{state}"\nenv = "stage"\nplaybook = "{playbook}"\n')
    result = opskit("deploy", "history", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["history"] == [DeployRecord.from_dict(RECORD).to_dict()]
    for command in ("lock", "unlock"):
        result = opskit("deploy", command, "--format", "json", cwd=project)
        assert result.returncode == 0, (command, result.stderr)


def test_monitor_group_table_gives_the_url_the_hint_names(project: Path) -> None:
    result = opskit("monitor", "check", cwd=project)
    assert result.returncode == 2 and "[tool.opskit.monitor]" in result.stderr
    (project / "opskit.toml").write_text("[monitor]\nurl = 'http://127.0.0.1:9'\ntimeout = 2\n")
    result = opskit("monitor", "check", cwd=project)
    assert result.returncode == 3, result.stderr
    assert "127.0.0.1:9" in result.stderr
