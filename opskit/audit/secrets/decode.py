"""Encoded blobs (base64, hex, URL-encoding) in a text, decoded when the result is readable text.

One regex pass finds every run of base64/hex alphabet characters; each run is classified and
decoded in Python, which is cheaper than one regex per encoding. URL-encoded spans are found
from their ``%XX`` escapes, a literal the regex engine searches for quickly.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

MIN_BLOB = 24
MAX_BLOB = 64 * 1024
_RUN = re.compile(r"[A-Za-z0-9+/=_-]{" + str(MIN_BLOB) + ",}")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_URL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=:@&?-")
_URL_GAP = 64  # escapes further apart than this belong to different blobs


@dataclass(frozen=True)
class Blob:
    start: int
    end: int
    text: str
    encoding: str


def readable(data: bytes) -> str | None:
    """The bytes as text when they look like text (decoded secrets are printable ASCII/UTF-8)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return text if len(text) >= 8 and printable >= 0.95 * len(text) else None


def decode_run(run: str) -> tuple[str, str] | None:
    """(decoded text, encoding) of one run of base64/hex characters, or None."""
    if len(run) % 2 == 0 and len(run) >= 32:
        try:
            decoded = readable(bytes.fromhex(run))
        except ValueError:
            pass  # not hex; maybe base64
        else:
            return (decoded, "hex") if decoded is not None else None
    if run.islower() or run.isupper() or "=" in run.rstrip("="):
        return None  # base64 of text mixes cases; '=' only pads the end
    urlsafe = "-" in run or "_" in run
    if urlsafe and ("+" in run or "/" in run):
        return None
    stripped = run.rstrip("=")
    try:
        data = base64.b64decode(stripped + "=" * (-len(stripped) % 4), altchars=b"-_" if urlsafe else None,
                                validate=True)
    except (binascii.Error, ValueError):
        return None
    decoded = readable(data)
    return (decoded, "base64") if decoded is not None else None


def _url_blobs(text: str) -> Iterator[Blob]:
    escapes = [m.start() for m in _ESCAPE.finditer(text)]
    groups: list[list[int]] = []
    for pos in escapes:
        if groups and pos - groups[-1][-1] <= _URL_GAP:
            groups[-1].append(pos)
        else:
            groups.append([pos])
    for group in groups:
        if len(group) < 3:
            continue
        start, end = group[0], group[-1] + 3
        while start > 0 and text[start - 1] in _URL_CHARS:
            start -= 1
        while end < len(text) and (text[end] in _URL_CHARS or text[end] == "%"):
            end += 1
        decoded = unquote(text[start:end])
        if decoded != text[start:end]:
            yield Blob(start, end, decoded, "url")


def _runs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, run) for every run of base64/hex characters of at least MIN_BLOB.

    Only whitespace-separated words that long can hold one, and ``str.split`` finds them far
    faster than a regex stepping through every character.
    """
    cursor = 0
    for word in text.split():
        if len(word) < MIN_BLOB:
            continue
        # The first match of a word this long at or after the cursor is the word itself.
        start = text.find(word, cursor)
        cursor = start + len(word)
        for match in _RUN.finditer(word):
            yield start + match.start(), match.group(0)


def encoded_blobs(text: str) -> Iterator[Blob]:
    """Every blob in ``text`` that decodes to readable text, with its span in ``text``."""
    for start, run in _runs(text):
        if len(run) <= MAX_BLOB:
            decoded = decode_run(run)
            if decoded is not None:
                yield Blob(start, start + len(run), *decoded)
    if "%" in text:
        yield from _url_blobs(text)
