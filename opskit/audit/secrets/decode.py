"""Encoded blobs (base64, hex, URL-encoding) in a text, decoded when the result is readable text."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

MAX_BLOB = 64 * 1024
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=_-])")
_BASE64URL = re.compile(r"(?<![A-Za-z0-9+/=_-])(?=[A-Za-z0-9_-]*[_-])[A-Za-z0-9_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}){16,}(?![0-9A-Za-z])")
_URL = re.compile(r"[A-Za-z0-9._~+/=:@-]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~+/=:@-]*){3,}")


@dataclass(frozen=True)
class Blob:
    start: int
    end: int
    text: str
    encoding: str


def _readable(data: bytes) -> str | None:
    """The bytes as text when they look like text (decoded secrets are printable ASCII/UTF-8)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return text if len(text) >= 8 and printable >= 0.95 * len(text) else None


def _b64(blob: str, altchars: bytes | None) -> str | None:
    stripped = blob.rstrip("=")
    try:
        data = base64.b64decode(stripped + "=" * (-len(stripped) % 4), altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _readable(data)


def _hex(blob: str) -> str | None:
    return _readable(bytes.fromhex(blob))


def _url(blob: str) -> str | None:
    decoded = unquote(blob)
    return decoded if decoded != blob else None


_DECODERS = (
    (_BASE64, "base64", lambda s: _b64(s, None)),
    (_BASE64URL, "base64", lambda s: _b64(s, b"-_")),
    (_HEX, "hex", _hex),
    (_URL, "url", _url),
)


def encoded_blobs(text: str) -> Iterator[Blob]:
    """Every blob in ``text`` that decodes to readable text, with its span in ``text``."""
    for pattern, encoding, decoder in _DECODERS:
        if encoding == "url" and "%" not in text:
            continue
        for match in pattern.finditer(text):
            blob = match.group(0)
            if len(blob) > MAX_BLOB:
                continue
            decoded = decoder(blob)
            if decoded is not None:
                yield Blob(match.start(), match.end(), decoded, encoding)
