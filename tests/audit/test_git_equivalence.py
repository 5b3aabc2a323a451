"""--staged and --history give the findings a tree scan of the same content gives: no false
"bandit cannot parse" notes for valid files, and bandit's B105 merged with the secret as in a tree scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.audit.secrets import fakes

APP = '''import subprocess

from flask import Flask, request

app = Flask(__name__)
password = "{password}"
GITHUB_TOKEN = "{token}"


@app.route("/run")
def run():
    cmd = request.args.get("cmd")
    total = 1
    return subprocess.check_output(cmd, shell=True)
'''


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


def _audit(repo: Path, *args: str) -> tuple[list[tuple[str, str, int]], list[str]]:
    result = subprocess.run([sys.executable, "-m", "opskit", "audit", str(repo), "--no-cache", "--format", "json",
                             *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    found = sorted((f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"])
    return found, report["notes"]


def test_staged_and_history_equal_a_tree_scan(tmp_path: Path) -> None:
    repo = tmp_path / "svc"
    repo.mkdir()
    (repo / "app.py").write_text(APP.format(password=fakes.password() + "#!", token=fakes.github_token()))
    (repo / "Dockerfile").write_text('FROM python:3.12-slim\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n')
    (repo / ".dockerignore").write_text(".git\n")
    _git(repo, "init", "-q", ".")
    _git(repo, "add", "-A")
    tree, tree_notes = _audit(repo)
    assert {rule for rule, _, _ in tree} >= {"github-pat", "iac.docker-root-user", "code.command-injection"}
    assert _audit(repo, "--staged") == (tree, tree_notes)
    _git(repo, "commit", "-qm", "one")
    app = repo / "app.py"
    app.write_text(app.read_text().replace("    total = 1", "    total = 2"))  # a line inside a function
    _git(repo, "commit", "-qam", "two")
    history, notes = _audit(repo, "--history")
    assert not [n for n in notes if "cannot parse" in n]
    assert history == tree


def test_blobs_are_read_in_one_batch(tmp_path: Path) -> None:
    from opskit.audit.git_blobs import read_blob, read_blobs

    repo = tmp_path / "r"
    (repo / "sub dir").mkdir(parents=True)
    (repo / "a.py").write_text("x = 1\n")
    (repo / "sub dir" / "b.py").write_bytes(b"y = '\xc3\xa9'\n\n")
    _git(repo, "init", "-q", ".")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    (repo / "a.py").write_text("x = 2\n")
    _git(repo, "add", "a.py")
    wanted = [(head, "a.py"), (head, "sub dir/b.py"), (head, "missing.py"), ("staged", "a.py")]
    blobs = read_blobs(str(repo), wanted)
    assert blobs == {(head, "a.py"): "x = 1\n", (head, "sub dir/b.py"): "y = 'é'\n\n", ("staged", "a.py"): "x = 2\n"}
    assert all(blobs[key] == read_blob(str(repo), *key) for key in blobs)
