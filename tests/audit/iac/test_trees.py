"""The snapshots IaC checks read other files from: the work tree, the git index and commits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from opskit.audit.interface import FileRef
from opskit.audit.trees import GitTree, MemoryTree, WorkTree


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def test_work_tree_of_a_single_file_target_is_its_root(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text("a")
    (tmp_path / "infra" / "s3.tf").write_text("b")
    ref = FileRef(path="infra/main.tf", abspath=str(tmp_path / "infra" / "main.tf"), size=1)
    tree = WorkTree.of(ref)
    assert tree.listdir("infra") == ["infra/main.tf", "infra/s3.tf"]
    assert tree.read("infra/s3.tf") == "b" and tree.read("infra/none.tf") is None
    alone = WorkTree.of(FileRef(path="main.tf", abspath=str(tmp_path / "infra" / "main.tf"), size=1))
    assert alone.read("s3.tf") == "b"


def test_work_tree_does_not_open_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.tf")
    tree = WorkTree(str(tmp_path))
    assert tree.read("pipe.tf") is None and tree.listdir("") == []


def test_git_tree_reads_the_index_and_each_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "infra" / "mod").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "infra" / "main.tf").write_text("one")
    (repo / "infra" / "mod" / "x.tf").write_text("x")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    first = git(repo, "rev-parse", "HEAD")
    (repo / "infra" / "main.tf").write_text("two")
    (repo / "infra" / "vars.tf").write_text("v")
    git(repo, "add", ".")
    (repo / "infra" / "main.tf").write_text("work tree only")
    staged, old = GitTree(str(repo), "staged"), GitTree(str(repo), first)
    assert staged.read("infra/main.tf") == "two" and old.read("infra/main.tf") == "one"
    assert staged.listdir("infra") == ["infra/main.tf", "infra/vars.tf"]
    assert old.listdir("infra") == ["infra/main.tf"]
    assert old.read("infra/vars.tf") is None
    assert GitTree(str(repo / "infra"), first).listdir("") == ["main.tf"]  # paths relative to the scan root
    many = {"infra/main.tf": "two", "infra/vars.tf": "v", "infra/none.tf": None}
    calls: list[list[str]] = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd) or real_run(cmd, **kw))
    assert staged.read_many(list(many)) == many
    assert old.read_many(["infra/main.tf", "infra/vars.tf"]) == {"infra/main.tf": "one", "infra/vars.tf": None}
    assert [cmd[3] for cmd in calls] == ["cat-file", "cat-file"]  # one git process per module, not one per file


def test_memory_trees_are_told_apart_by_identity() -> None:
    one, two = MemoryTree({"a.tf": "x"}), MemoryTree({"a.tf": "x"})
    assert one != two and len({one, two}) == 2
    assert one.listdir("") == ["a.tf"] and one.read("b.tf") is None
