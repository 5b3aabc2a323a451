"""The shared git adapter: one answer for a missing git, a path outside a work tree and a failing command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from opskit.core.errors import InputError
from opskit.core.git import git_output, git_text, git_toplevel, work_tree


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "sub" / "a.txt").write_text("a\n")
    return root


def test_work_tree_of_a_file_and_a_directory(repo: Path) -> None:
    assert work_tree(repo / "sub", "--staged") == repo.resolve()
    assert work_tree(repo / "sub" / "a.txt", "--staged") == repo.resolve()
    assert git_toplevel(repo / "sub") == repo.resolve()


def test_outside_a_work_tree_names_the_directory_and_the_option(tmp_path: Path) -> None:
    assert git_toplevel(tmp_path) is None
    with pytest.raises(InputError, match=rf"^{tmp_path}: not inside a git work tree \(needed for --base\)$"):
        work_tree(tmp_path, "--base")


def test_missing_git_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert git_output(tmp_path, "status") is None
    with pytest.raises(InputError, match=r"^git is not installed \(needed for --history\)$"):
        work_tree(tmp_path, "--history")


def test_failing_command_is_none_and_stdin_reaches_git(repo: Path) -> None:
    assert git_output(repo, "rev-parse", "HEAD") is None  # no commit yet
    assert git_text(repo, "hash-object", "--stdin") == git_text(repo, "hash-object", "/dev/null")  # no input
    blob = git_output(repo, "hash-object", "--stdin", stdin=b"a\n")
    assert blob is not None and blob.strip() == git_text(repo, "hash-object", "sub/a.txt").encode()
