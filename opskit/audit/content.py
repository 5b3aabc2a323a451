"""A file's bytes as text to scan: binary or text, NUL bytes, and bounded windows over big files.

A NUL byte alone does not make a file binary (a secret in a text file with one NUL must still be
found): a file is binary when its first 8 KiB are more than a tenth control bytes. A file larger
than one window is read in windows of ``WINDOW_BYTES`` that overlap by ``WINDOW_OVERLAP``, so a
200 MB file or a 200 MB line is scanned in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

SAMPLE_BYTES = 8192
WINDOW_BYTES = 1 << 20
WINDOW_OVERLAP = 4096  # longer than any secret, so one cut by a window's end is whole in the next
_TEXT_CONTROLS = frozenset(b"\t\n\f\r\x1b")


def binary_reason(sample: bytes) -> str | None:
    """Why the content that starts with ``sample`` is binary, or None when it is text."""
    if b"\0" not in sample:
        return None
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    if controls * 10 <= len(sample):
        return None
    return f"binary content ({sample.count(0)} NUL bytes in the first {len(sample)} bytes)"


def to_text(data: bytes) -> str:
    """UTF-8 text with undecodable bytes replaced; a NUL becomes a space so parsers accept the text."""
    return data.decode("utf-8", "replace").replace("\0", " ")


@dataclass(frozen=True)
class Window:
    """A slice of a big file: its text and where it starts (1-based line, 0-based byte column)."""

    line: int
    column: int
    text: str


def windows(handle: BinaryIO, size: int = WINDOW_BYTES, overlap: int = WINDOW_OVERLAP) -> Iterator[Window]:
    """Overlapping windows over ``handle``; each next window starts at a line start inside the
    overlap when there is one, so a multi-line secret cut by a window's end is whole in the next."""
    buffer = b""
    line, column, first = 1, 0, True
    while True:
        chunk = handle.read(size - len(buffer))
        if not (chunk or first):
            return
        first = False
        buffer += chunk
        if not buffer:
            return
        yield Window(line, column, to_text(buffer))
        if len(buffer) < size:
            return
        keep_from = len(buffer) - overlap
        newline = buffer.find(b"\n", keep_from)
        start = newline + 1 if 0 <= newline < len(buffer) - 1 else keep_from
        consumed = buffer[:start]
        newlines = consumed.count(b"\n")
        if newlines:
            line += newlines
            column = start - (consumed.rfind(b"\n") + 1)
        else:
            column += start
        buffer = buffer[start:]
