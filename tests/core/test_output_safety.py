"""Output safety: ``-o`` renames only over regular files; streams and devices are written into."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from opskit.core.atomic import atomic_write
from opskit.core.errors import ExitCode, InputError


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def reader() -> None:
        with open(path, "rb") as handle:
            into.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


def test_fifo_is_written_into_and_survives(tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    atomic_write(fifo, "report\n")
    thread.join(10)
    assert got == [b"report\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.fifo"]


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a character device needs root (CI runs as root)")
def test_character_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private copy of /dev/null
    atomic_write(null, "discarded")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_directory_is_refused_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory, not an output file") as info:
        atomic_write(tmp_path, "data")
    assert info.value.exit_code == ExitCode.USAGE
    assert list(tmp_path.iterdir()) == []


def test_socket_is_refused(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(InputError, match="not a regular file"):
            atomic_write(path, "data")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_symlink_to_regular_file_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_stdout_paths_write_to_the_open_descriptor(name: str) -> None:
    code = f"from opskit.core.atomic import atomic_write; atomic_write({name!r}, 'hello\\n')"
    if name == "/dev/stdout":  # never let a broken build rename over the real /dev/stdout
        code = "import opskit.core.atomic as a; assert a._descriptor('/dev/stdout') == 1; " + code
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello\n"


def test_cli_output_to_fifo_and_directory(tmp_path: Path) -> None:
    target = tmp_path / "src"
    target.mkdir()
    (target / "app.py").write_text("x = 1\n")
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    run = [sys.executable, "-m", "opskit", "audit", str(target), "--no-cache", "--only", "secrets", "--format", "json"]
    result = subprocess.run([*run, "-o", str(fifo)], capture_output=True, text=True, timeout=120)
    thread.join(10)
    assert result.returncode == 0, result.stderr
    assert b'"findings"' in got[0] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    result = subprocess.run([*run, "-o", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
