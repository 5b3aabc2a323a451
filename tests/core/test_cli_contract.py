"""The CLI contract every command shares, exercised through the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opskit import __version__


def opskit(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opskit", *args], capture_output=True, text=True, cwd=cwd, input=stdin,
        timeout=120,
    )


def test_version_and_help_list_every_job() -> None:
    assert opskit("--version").stdout.strip() == f"opskit, version {__version__}"
    help_text = opskit("--help").stdout
    for command in ("audit", "db", "deploy", "monitor"):
        assert f"  {command} " in help_text


@pytest.mark.parametrize(
    "args",
    [
        ("--bogus",),
        ("audit", "--no-such-flag"),
        ("audit", "--fail-on", "severe", "."),
        ("audit", "--format", "xml", "."),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    result = opskit(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("opskit: error: ")
    assert "Traceback" not in result.stderr


def test_missing_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = opskit("audit", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"opskit: error: {tmp_path / 'nope'}: no such file or directory"


def test_config_error_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "opskit.toml").write_text('[audit]\nno-such-key = 1\n')
    (tmp_path / "a.txt").write_text("hello\n")
    result = opskit("audit", str(tmp_path))
    assert result.returncode == 2
    assert str(tmp_path / "opskit.toml") in result.stderr and "no-such-key" in result.stderr


def test_output_file_is_written_and_stdout_stays_clean(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("nothing to see\n")
    out = tmp_path / "report.json"
    result = opskit("audit", str(tmp_path), "--format", "json", "--output", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    doc = json.loads(out.read_text())
    assert doc["command"] == "audit" and doc["findings"] == []


def _all_commands(command, path=()):  # type: ignore[no-untyped-def]
    import click

    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from _all_commands(command.get_command(ctx, name), (*path, name))


def test_every_command_has_help_with_an_example() -> None:
    from opskit.cli import cli

    commands = list(_all_commands(cli))
    assert len(commands) >= 12
    for path, command in commands:
        assert "opskit " in (command.help or ""), f"'opskit {' '.join(path)} --help' shows no example"
