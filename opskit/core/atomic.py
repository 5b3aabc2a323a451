"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Only a regular file (or a missing path) is replaced by rename. A FIFO or character device
(``/dev/null``, a terminal) is written straight into, ``/dev/stdout`` and ``/dev/fd/N`` write to
the open descriptor, and anything else (a directory, a socket, a block device) is refused, so an
output path never destroys a node that is not a regular file.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

from opskit.core.errors import InputError

_OPEN_FD = re.compile(r"^/(?:dev/(?:std(?P<std>out|err)|fd/(?P<fd>\d+))|proc/self/fd/(?P<pfd>\d+))$")


def _descriptor(path: str) -> int | None:
    """The descriptor a path such as ``/dev/stdout`` or ``/dev/fd/3`` names, or None."""
    match = _OPEN_FD.match(path)
    if match is None:
        return None
    if match["std"]:
        return 1 if match["std"] == "out" else 2
    return int(match["fd"] or match["pfd"])


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _write_in_place(target: Path, payload: bytes) -> None:
    """Write into an existing FIFO or character device without replacing it."""
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    try:
        _write_all(fd, payload)
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike[str], data: str | bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` safely: a regular file by temp file + fsync + rename, a stream in place."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        descriptor = _descriptor(os.path.abspath(target))
        if descriptor is not None:
            _write_all(descriptor, payload)
            return
        try:
            st = os.stat(target)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise InputError(f"{target}: is a directory, not an output file")
        if st is not None and (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
            _write_in_place(target, payload)
            return
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise InputError(f"{target}: not a regular file, FIFO or character device; refusing to replace it")
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    _replace_regular(Path(os.path.realpath(target)) if st is not None else target, payload, mode, shown=target)


def _replace_regular(target: Path, payload: bytes, mode: int, shown: Path) -> None:
    """Temp file beside ``target`` (a symlink's destination, so the link survives), then rename."""
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{shown}: cannot write: {exc.strerror or exc}") from None
