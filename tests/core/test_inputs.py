"""Safe input reading: FIFOs, devices, directories and over-long paths are one-line input errors."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from opskit.core.errors import ExitCode, InputError
from opskit.core.inputs import open_input, read_input_bytes, read_input_text, regular_file_problem


def test_regular_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(b"line \xff\n")
    assert read_input_bytes(path) == b"line \xff\n"
    assert read_input_text(path) == "line \ufffd\n"
    assert regular_file_problem(path) is None


def test_fifo_without_writer_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.log"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"pipe\.log: log is a FIFO") as info:
        read_input_bytes(fifo, what="log")
    assert info.value.exit_code == ExitCode.USAGE
    assert "FIFO" in (regular_file_problem(fifo) or "")


def test_directory_and_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="playbook is a directory"):
        read_input_bytes(tmp_path, what="playbook")
    with pytest.raises(InputError, match="playbook not found"):
        read_input_bytes(tmp_path / "missing.yml", what="playbook")


def test_character_device_and_socket_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="character device"):
        read_input_bytes("/dev/zero")
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(InputError, match="cannot read|socket"):
            read_input_bytes(path)


def test_over_long_path_is_one_short_line() -> None:
    with pytest.raises(InputError, match="longer than the OS allows") as info:
        read_input_bytes("x" * 100_000, what="checks file")
    assert len(info.value.message) < 300
    with pytest.raises(InputError, match="longer than the OS allows"):
        read_input_bytes("/tmp/" + "d" * 300 + "/f")


def test_size_bound(tmp_path: Path) -> None:
    path = tmp_path / "big.sql"
    path.write_bytes(b"x" * 1000)
    with pytest.raises(InputError, match="over the limit of 999"):
        read_input_bytes(path, max_bytes=999)
    with open_input(path, max_bytes=1000) as handle:
        assert handle.read(10) == b"x" * 10
