"""Colors, progress bars and info lines: NO_COLOR, CI=true, --no-color and -q are honoured everywhere;
--debug is accepted before or after the subcommand."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = str(REPO / "examples" / "sample-service")
COLOR = re.compile(rb"\x1b\[(?:\d+;)*(?:3\d|9\d)(?:;\d+)*m")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    return {**env, "PYTHONPATH": str(REPO), **extra}


def on_terminal(args: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[int, bytes, bytes]:
    """Run opskit with stdout and stderr on pseudo-terminals, as a person at a terminal would."""
    m_out, s_out = pty.openpty()
    m_err, s_err = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "opskit", *args], stdout=s_out, stderr=s_err, env=env, cwd=cwd)
    os.close(s_out)
    os.close(s_err)
    got = {m_out: b"", m_err: b""}
    pending = [m_out, m_err]
    while pending:
        ready, _, _ = select.select(pending, [], [], 120)
        assert ready, "opskit produced no output for 120 s"
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if data:
                got[fd] += data
            else:
                pending.remove(fd)
                os.close(fd)
    return proc.wait(60), got[m_out], got[m_err]


def test_terminal_gets_colors_and_a_progress_bar() -> None:
    code, out, err = on_terminal(["audit", SAMPLE, "--no-cache"], _env())
    assert code == 0
    assert COLOR.search(out) and COLOR.search(err) and b"auditing" in err


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--no-color"], {}),
        ([], {"NO_COLOR": "1"}),
        (["--no-color", "--"], {}),
    ],
)
def test_no_color_reaches_report_and_progress_bar(args: list[str], env: dict[str, str]) -> None:
    argv = ["audit", "--no-cache", *args, SAMPLE] if "--" not in args else ["--no-color", "audit", "--no-cache", SAMPLE]
    code, out, err = on_terminal(argv, _env(**env))
    assert code == 0 and b"finding(s)" in out
    assert not COLOR.search(out) and not COLOR.search(err)
    assert b"auditing" in err  # the bar is still there, only plain


def test_no_color_from_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "opskit.toml").write_text("no-color = true\n")
    (tmp_path / "app.py").write_text("import pickle\npickle.loads(open('x','rb').read())\n")
    code, out, err = on_terminal(["audit", "--no-cache", str(tmp_path)], _env(), cwd=tmp_path)
    assert code == 0 and b"finding(s)" in out
    assert not COLOR.search(out) and not COLOR.search(err)


def test_ci_means_no_color_no_bar() -> None:
    code, out, err = on_terminal(["audit", SAMPLE, "--no-cache"], _env(CI="true"))
    assert code == 0 and not COLOR.search(out) and b"auditing" not in err


def _db(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    log, schema = REPO / "examples" / "db" / "postgresql.log", REPO / "examples" / "db" / "schema.sql"
    return subprocess.run([sys.executable, "-m", "opskit", "db", "suggest-indexes", str(log), "--schema", str(schema),
                           *args], capture_output=True, text=True, env=_env(**env), timeout=300)


def test_info_lines_are_quiet_with_q_in_ci_and_for_json(tmp_path: Path) -> None:
    assert "distinct statements" in _db().stderr
    assert "distinct statements" not in _db("-q").stderr
    assert "distinct statements" not in _db(CI="true").stderr
    quiet = _db("--format", "json", "-o", str(tmp_path / "r.json"))
    assert quiet.returncode == 0 and quiet.stderr == ""


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_subcommand(where: str, tmp_path: Path) -> None:
    args = ["audit", str(tmp_path / "missing")]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    result = subprocess.run([sys.executable, "-m", "opskit", *args], capture_output=True, text=True, env=_env(),
                            timeout=120)
    assert result.returncode == 2
    assert "Traceback" in result.stderr and result.stderr.rstrip().endswith("no such file or directory")


def test_a_jobs_log_stays_in_ci_while_info_lines_go(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from opskit.core.command import Output

    monkeypatch.setenv("CI", "true")
    Output().info("12 distinct statements")
    Output().log("plan: 1 to add")
    Output(fmt="json").log("hidden: json on stdout")
    Output(fmt="json", path=Path("r.json")).log("gate round 1/3: pass")
    Output(quiet=True).log("hidden: -q")
    assert capsys.readouterr().err == "plan: 1 to add\ngate round 1/3: pass\n"
