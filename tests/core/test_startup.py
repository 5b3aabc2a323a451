"""``--help`` imports no heavy library: they load only when a command runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("psycopg", "requests", "docker", "bandit", "tree_sitter", "prometheus_api_client", "python_terraform",
         "hcl2", "rich")
PROBE = """
import json, sys
heavy = json.loads(sys.argv[2])
sys.argv = ["opskit", *json.loads(sys.argv[1])]
from opskit.cli import cli
try:
    cli.main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}), file=sys.stderr)
"""



def _every_command() -> list[str]:
    """Every command path of the CLI, so a new subcommand is checked too."""
    import click

    from opskit.cli import cli

    ctx = click.Context(cli)

    def walk(command: click.Command, path: tuple[str, ...]) -> list[str]:
        found = [" ".join(path)]
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                found += walk(sub, (*path, name)) if sub is not None else []
        return found

    return walk(cli, ())


COMMANDS = _every_command()


@pytest.mark.parametrize("command", COMMANDS)
def test_help_loads_no_heavy_library(command: str) -> None:
    args = [*command.split(), "--help"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    probe = json.loads(result.stderr.strip().splitlines()[-1])
    assert probe["code"] in (0, None) and "Usage" in result.stdout
    assert probe["loaded"] == []


def test_the_probe_sees_a_heavy_import_when_a_command_runs() -> None:
    assert {"audit", "db suggest-indexes", "deploy status", "monitor check"} <= set(COMMANDS)
    code = "import sys; import opskit.deploy.cli as c; c.api.run_deploy; print('docker' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.stdout.strip() == "True", result.stderr
