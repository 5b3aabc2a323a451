"""Masking of secrets, tokens and DSN passwords, so no output ever carries one in full."""

from __future__ import annotations

import re
from collections.abc import Iterable

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@\s/]+)@")
_KV_PASSWORD = re.compile(r"(?i)\b(password|passwd|pwd|token|secret)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]+)")


def mask_secret(secret: str, keep: int = 4) -> str:
    """A short prefix and the length: enough to recognise a secret, never enough to use it."""
    if not secret:
        return ""
    shown = secret[: min(keep, len(secret) // 4)]
    return f"{shown}***({len(secret)} chars)"


def mask_dsn(text: str) -> str:
    """Replace passwords in URL-style (``user:pw@``) and key/value (``password=...``) DSNs."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    return _KV_PASSWORD.sub(lambda m: f"{m.group(1)}=***", text)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Remove every known secret value from ``text`` (error messages, tool output, logs)."""
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return mask_dsn(text)
