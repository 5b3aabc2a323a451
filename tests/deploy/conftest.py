"""Helpers for deploy tests: run the real CLI and find secrets that leaked into /tmp."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_opskit(args: list[str], env: Mapping[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``opskit ARGS`` in a child process (the real exit code, stdout and stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "opskit", *args],
        env={**os.environ, "CI": "true", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hold_lock(path: Path) -> subprocess.Popen[str]:
    """Another 'deploy' (another process) holding the deploy lock at ``path`` until its stdin closes."""
    code = (
        "import sys; from pathlib import Path; from opskit.deploy.lock import deploy_lock\n"
        f"with deploy_lock(Path({str(path)!r}), 0, 'deploy other'):\n"
        "    print('locked', flush=True); sys.stdin.read()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def files_containing(root: Path, needle: str, since: float, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Regular files under ``root`` changed after ``since`` whose bytes contain ``needle``."""
    hits = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in filenames:
            path = here / name
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode) or info.st_mtime < since or info.st_size > 50_000_000:
                    continue  # symlinks, FIFOs (reading one would block), sockets, devices, old or huge files
                if needle.encode() in path.read_bytes():
                    hits.append(path)
            except OSError:
                continue
    return hits


@pytest.fixture
def test_start() -> Iterator[float]:
    yield time.time() - 1
