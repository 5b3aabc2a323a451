"""Opening logs: files, stdin, gzip/bz2/xz (by magic bytes), as text chunks or lines."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import sys
from collections.abc import Iterator
from typing import BinaryIO

from opskit.core.errors import InputError
from opskit.db.interface import LogSource

_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
CHUNK = 8 << 20


def make_source(path: str) -> LogSource:
    """A source for ``path`` (``-`` is stdin) with its compression detected from the first bytes."""
    if path == "-":
        data = sys.stdin.buffer.read()
        compression = next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), None)
        return LogSource(path="-", display="<stdin>", compression=compression, data=data)
    require_regular_file(path, "a log file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(6)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    compression = next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)
    return LogSource(path=path, display=path, compression=compression)


def require_regular_file(path: str, expected: str) -> None:
    """A one-line InputError unless ``path`` is a regular file: a FIFO or a device would block."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, expected {expected}")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file, expected {expected} (pipe a stream in with - instead)")


def open_binary(source: LogSource) -> BinaryIO:
    """The decompressed byte stream of ``source``."""
    raw: BinaryIO = io.BytesIO(source.data) if source.data is not None else open(source.path, "rb")  # noqa: SIM115
    if source.compression == "gzip":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if source.compression == "bz2":
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    if source.compression == "xz":
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    return raw


def decode(data: bytes, source: LogSource, offset: int = 0) -> str:
    """Bytes to text; a NUL byte means a binary file, which is an input error."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{source.display}: binary data near byte {offset + nul}, not a log")
    return data.decode("utf-8", errors="replace")


def read_chunks(source: LogSource, size: int = CHUNK, start: int = 0, end: int | None = None) -> Iterator[str]:
    """The text of ``source`` (or of bytes [start, end) of a plain file) in line-aligned pieces."""
    offset = start
    remaining = end - start if end is not None else None
    try:
        with open_binary(source) as stream:
            if start:
                stream.seek(start)
            rest = b""
            while remaining is None or remaining > 0:
                block = stream.read(size if remaining is None else min(size, remaining))
                if not block:
                    break
                if remaining is not None:
                    remaining -= len(block)
                if source.on_read is not None:
                    source.on_read(len(block))
                block = rest + block
                cut = block.rfind(b"\n") + 1
                if cut == 0:
                    rest = block
                    continue
                yield decode(block[:cut], source, offset)
                offset += cut
                rest = block[cut:]
            if rest:
                yield decode(rest, source, offset)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise InputError(f"{source.display}: cannot read: {exc}") from None


def read_lines(source: LogSource) -> Iterator[str]:
    """Lines of ``source`` with their line endings."""
    for chunk in read_chunks(source, 1 << 20):
        yield from io.StringIO(chunk)


def plain_size(source: LogSource) -> int | None:
    """Bytes to read when known up front (uncompressed files and stdin), for progress."""
    if source.compression is not None:
        return None
    return len(source.data) if source.data is not None else os.path.getsize(source.path)


def read_head(source: LogSource, size: int = 64 << 10) -> str:
    """The first kilobytes of a log, for format detection."""
    try:
        with open_binary(source) as stream:
            data = stream.read(size)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise InputError(f"{source.display}: cannot read: {exc}") from None
    return decode(data, source)
