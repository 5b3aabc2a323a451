"""Byte sizes for people: shown as ``2.2 MB``, given as ``--max-size 500MB``."""

from __future__ import annotations

import re

from opskit.core.errors import UsageError

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "g": 1 << 30, "gb": 1 << 30}


def format_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def parse_size(text: str) -> int:
    """``500MB``, ``2GB``, ``800kB`` or a plain byte count."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*([a-zA-Z]*)\s*", text)
    if m is None or m.group(2).lower() not in _UNITS:
        raise UsageError(f"{text!r}: expected a size such as 500MB or 2GB")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])
