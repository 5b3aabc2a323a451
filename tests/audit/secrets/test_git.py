"""--history and --staged against real temporary git repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from opskit.audit.files import FileFilter
from opskit.audit.git import history_sources, staged_sources
from opskit.cli import cli
from tests.audit.secrets import fakes
from tests.audit.secrets.cli import audit

ENV = {
    "GIT_AUTHOR_NAME": "Dana Ops",
    "GIT_AUTHOR_EMAIL": "dana@acme.io",
    "GIT_COMMITTER_NAME": "Dana Ops",
    "GIT_COMMITTER_EMAIL": "dana@acme.io",
    "GIT_AUTHOR_DATE": "2024-03-01T10:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-03-01T10:00:00+00:00",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **ENV}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path


def commit(repo: Path, message: str, **files: str | None) -> str:
    for name, content in files.items():
        target = repo / name.replace("__", "/")
        if content is None:
            git(repo, "rm", "-q", name.replace("__", "/"))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        git(repo, "add", name.replace("__", "/"))
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def test_secret_deleted_long_ago_is_found_in_history_with_commit_author_date(repo: Path, tmp_path: Path) -> None:
    token = fakes.github_token()
    commit(repo, "app", **{"app.py": "import os\n"})
    leaked = commit(repo, "oops", **{"config__deploy.sh": f"#!/bin/sh\nset -e\nexport GH_TOKEN={token}\n"})
    commit(repo, "remove secret", **{"config__deploy.sh": None})
    for n in range(3):
        commit(repo, f"work {n}", **{"app.py": f"import os\nVERSION = {n}\n"})
    assert audit("--format", "json", str(repo), cache=tmp_path / "c").stdout.count('"rule_id"') == 0

    run = audit("--history", "--format", "json", str(repo), cache=tmp_path / "c")
    (finding,) = json.loads(run.stdout)["findings"]
    assert (finding["rule_id"], finding["location"]["path"], finding["location"]["line"]) == (
        "github-pat",
        "config/deploy.sh",
        3,
    )
    assert finding["properties"]["commit"] == leaked
    assert finding["properties"]["author"] == "Dana Ops <dana@acme.io>"
    assert finding["properties"]["date"].startswith("2024-03-01T10:00:00")
    assert token not in run.stdout
    text = audit("--history", str(repo), cache=tmp_path / "c").stdout
    assert f"added in commit {leaked[:12]} by Dana Ops <dana@acme.io> on 2024-03-01" in text


def test_secret_in_a_commit_reset_away_is_found_through_the_reflog(repo: Path, tmp_path: Path) -> None:
    token = fakes.github_token()
    commit(repo, "base", **{"app.py": "A = 1\n"})
    dropped = commit(repo, "oops", **{"app.py": f"A = 1\nT = '{token}'\n"})
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    assert token not in git(repo, "log", "--all", "-p")
    run = audit("--history", "--format", "json", str(repo), cache=tmp_path / "c")
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["properties"]["commit"] == dropped and finding["location"]["line"] == 2


def test_since_limits_history_to_later_commits(repo: Path, tmp_path: Path) -> None:
    old, new = fakes.github_token(), fakes.github_token()
    base = commit(repo, "old", **{"a.txt": f"t={old}\n"})
    commit(repo, "new", **{"b.txt": f"t={new}\n"})
    run = audit("--since", base, "--format", "json", "--show-secrets", str(repo), cache=tmp_path / "c")
    assert [f["properties"]["secret"] for f in json.loads(run.stdout)["findings"]] == [new]


def test_history_line_numbers_match_the_file_in_that_commit(repo: Path) -> None:
    lines = [f"line {n}" for n in range(1, 40)]
    commit(repo, "base", **{"notes.md": "\n".join(lines) + "\n"})
    token = fakes.github_token()
    lines[29] = f"token {token}"
    commit(repo, "edit", **{"notes.md": "\n".join(lines) + "\n"})
    sources = history_sources(repo, FileFilter(), since=None)
    edit = next(s for s in sources if token in s.text)
    assert edit.text.splitlines()[29] == f"token {token}"
    assert "line 1" not in edit.text  # only added lines are scanned


def test_staged_scans_only_what_would_be_committed(repo: Path, tmp_path: Path) -> None:
    staged, unstaged = fakes.github_token(), fakes.github_token()
    commit(repo, "base", **{"app.py": "A = 1\n"})
    (repo / "app.py").write_text(f"A = 1\nB = '{staged}'\n")
    git(repo, "add", "app.py")
    (repo / "other.py").write_text(f"C = '{unstaged}'\n")
    run = audit("--staged", "--format", "json", "--show-secrets", "--fail-on", "high", str(repo), cache=tmp_path / "c")
    assert run.code == 1
    (finding,) = json.loads(run.stdout)["findings"]
    assert (finding["properties"]["secret"], finding["location"]["line"]) == (staged, 2)
    assert [s.path for s in staged_sources(repo, FileFilter(exclude=("*.py",)))] == []


def test_history_outside_git_and_bad_revision_are_one_line_errors(tmp_path: Path, repo: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    run = audit("--history", str(plain), cache=tmp_path / "c")
    assert run.code == 2 and "not inside a git work tree" in run.stderr
    commit(repo, "base", **{"a.txt": "a\n"})
    run = audit("--since", "no-such-rev", str(repo), cache=tmp_path / "c")
    assert run.code == 2 and "git log failed" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_pre_commit_hook_entry_blocks_a_staged_secret(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = yaml.safe_load((Path(__file__).resolve().parents[3] / ".pre-commit-hooks.yaml").read_text())
    entry = next(h["entry"] for h in hooks if h["id"] == "opskit-secrets").split()
    assert entry[:2] == ["opskit", "audit"] and "--staged" in entry
    commit(repo, "base", **{"app.py": "A = 1\n"})
    (repo / "app.py").write_text(f"A = 1\nKEY = '{fakes.stripe_key()}'\n")
    git(repo, "add", "app.py")
    monkeypatch.chdir(repo)  # pre-commit runs hooks at the top of the work tree
    blocked = CliRunner().invoke(cli, [*entry[1:], "--cache-dir", str(tmp_path / "c")])
    git(repo, "commit", "-q", "-m", "secret")
    clean = CliRunner().invoke(cli, [*entry[1:], "--cache-dir", str(tmp_path / "c")])
    assert blocked.exit_code == 1 and "stripe-live-secret-key" in blocked.stdout
    assert clean.exit_code == 0


def test_history_paths_with_spaces_quotes_and_non_ascii_come_back_exact(repo: Path) -> None:
    names = ["my dir/con fig.txt", 'ünï"q.txt', "plain.txt"]
    for name in names:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(f"t = {fakes.github_token()}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "names")
    assert sorted(s.path for s in history_sources(repo, FileFilter(), since=None)) == sorted(names)
