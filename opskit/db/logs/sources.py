"""Opening logs: files, stdin, gzip/bz2/xz (by magic bytes), as text chunks or lines."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import sys
from collections.abc import Iterator
from typing import BinaryIO

from opskit.core.errors import InputError
from opskit.core.inputs import regular_file_problem, shown_path
from opskit.db.interface import LogSource

_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
CHUNK = 2 << 20  # small enough to stay in a core's cache while the regexes run over it


def make_source(path: str) -> LogSource:
    """A source for ``path`` (``-`` is stdin) with its compression detected from the first bytes."""
    if path == "-":
        data = sys.stdin.buffer.read()
        compression = next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), None)
        return LogSource(path="-", display="<stdin>", compression=compression, data=data)
    require_regular_file(path, "log")
    try:
        with open(path, "rb") as handle:
            head = handle.read(6)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    compression = next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)
    return LogSource(path=path, display=path, compression=compression)


def require_regular_file(path: str, what: str) -> None:
    """A one-line InputError unless ``path`` is a regular file: a FIFO or a device would block
    (the check is opskit.core.inputs', shared by every command)."""
    problem = regular_file_problem(path)
    if problem is None:
        return
    if not os.path.lexists(path):
        raise InputError(f"{shown_path(path)}: no such file")
    raise InputError(f"{shown_path(path)}: {what} {problem}")


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


_NUL_RUN = re.compile(rb"\x00+")
GARBAGE_GAP = 16  # binary bytes between NUL runs that count as the same damage
MOSTLY_BINARY = 0.1  # a chunk with more control bytes than this share (NUL padding aside) is not a log
_TEXT = bytes([9, 10, 13, *range(32, 256)])  # what text is made of; the rest are control bytes


def damaged_spans(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of NUL padding, with the few binary bytes between NUL runs (a crash's residue)."""
    spans: list[tuple[int, int]] = []
    for m in _NUL_RUN.finditer(data):
        if spans and m.start() - spans[-1][1] <= GARBAGE_GAP and b"\n" not in data[spans[-1][1] : m.start()]:
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append((m.start(), m.end()))
    return spans


def decode(data: bytes, source: LogSource, offset: int = 0) -> str:
    """Bytes to text; NUL-padded or garbled stretches are cut out (and reported through
    ``source.on_damage``); a chunk that is mostly binary is an input error."""
    if b"\x00" not in data:
        return data.decode("utf-8", errors="replace")
    spans = damaged_spans(data)
    body = data[: spans[-1][0]] if spans[-1][1] == len(data) else data  # a NUL-padded tail is not content
    if len(body.translate(None, _TEXT)) > MOSTLY_BINARY * max(len(body), 1):
        raise InputError(f"{source.display}: binary data near byte {offset + spans[0][0]}, not a log")
    kept, at = [], 0
    for a, b in spans:
        kept.append(data[at:a])
        at = b
        if source.on_damage is not None:
            source.on_damage(offset + a, offset + b)
    kept.append(data[at:])
    return b"".join(kept).decode("utf-8", errors="replace")


def valid_text(text: str) -> str:
    """Text a JSON ``\\ud800`` escape left with lone surrogates, made encodable (they become ``?``)."""
    return text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")


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
