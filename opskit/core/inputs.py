"""Reading an input file safely: only regular files, bounded in size, errors as one line naming the file.

A FIFO would block forever, a device never ends, a directory or an over-long path raises OSError
deep in a parser; every parser reads through here so each of those is the same ``InputError``.
The file is opened without blocking and checked with ``fstat``, so a path swapped for a FIFO after
a check cannot block either.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from opskit.core.errors import InputError

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_PATH_BYTES = 4096  # Linux PATH_MAX; longer paths fail in the kernel with ENAMETOOLONG
MAX_NAME_BYTES = 255
_SHOWN_PATH_CHARS = 120

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path short enough for a one-line message (an over-long path is cut in the middle)."""
    text = os.fspath(path)
    if len(text) <= _SHOWN_PATH_CHARS:
        return text
    half = _SHOWN_PATH_CHARS // 2
    return f"{text[:half]}...{text[-half:]} ({len(text)} chars)"


def kind_of(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO (named pipe)", ...), or None for a regular file."""
    return next((name for test, name in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def check_path_length(path: str | os.PathLike[str], what: str = "input") -> None:
    """Refuse a path the OS cannot open because it or one of its parts is too long."""
    raw = os.fsencode(path)
    if len(raw) >= MAX_PATH_BYTES or any(len(part) > MAX_NAME_BYTES for part in raw.split(b"/")):
        raise InputError(f"{shown_path(path)}: {what} path is longer than the OS allows")


@contextmanager
def open_input(
    path: str | os.PathLike[str], what: str = "input", max_bytes: int = DEFAULT_MAX_BYTES, shown: str | None = None
) -> Iterator[BinaryIO]:
    """Open a regular file for reading in binary; anything else is an ``InputError`` naming the file.

    ``what`` names the role in messages ("log", "playbook", "checks file") and ``shown`` the file
    (default: its path); a file over ``max_bytes`` is refused before it is read.
    """
    check_path_length(path, what)
    shown = shown or shown_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(f"{shown}: {what} not found") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: {what} is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        kind = kind_of(st.st_mode)
        if kind is not None:
            raise InputError(f"{shown}: {what} is {kind}, not a regular file")
        if st.st_size > max_bytes:
            raise InputError(f"{shown}: {what} is {st.st_size} bytes, over the limit of {max_bytes}")
        os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_input_bytes(path: str | os.PathLike[str], what: str = "input", max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The whole content of a regular file of at most ``max_bytes`` (a file that grows is cut off there)."""
    with open_input(path, what, max_bytes) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{shown_path(path)}: cannot read {what}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"{shown_path(path)}: {what} is over the limit of {max_bytes} bytes")
    return data


def read_input_text(path: str | os.PathLike[str], what: str = "input", max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The content of a text file as UTF-8; undecodable bytes become U+FFFD rather than an error."""
    return read_input_bytes(path, what, max_bytes).decode("utf-8", "replace")


def regular_file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` is not a regular file that can be read without blocking, or None when it is.

    For callers that skip instead of failing (an audit notes the file and goes on).
    """
    try:
        check_path_length(path)
        st = os.stat(path)
    except InputError as exc:
        return exc.message.split(": ", 1)[-1]
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    kind = kind_of(st.st_mode)
    return None if kind is None else f"is {kind}, not a regular file"

