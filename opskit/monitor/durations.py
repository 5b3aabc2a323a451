"""PromQL durations (``1h30m``, ``5m``, ``30d``) to seconds and back."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_WHOLE = re.compile(r"(?:\d+(?:ms|s|m|h|d|w|y))+")


def parse_duration(text: str) -> float:
    """Seconds in a PromQL duration; ValueError naming the text when it is not one."""
    cleaned = str(text).strip()
    if not _WHOLE.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not a duration like 30s, 5m, 1h30m or 30d")
    return float(sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(cleaned)))


def format_duration(seconds: float) -> str:
    """The shortest PromQL duration for a whole number of seconds (at least 1s)."""
    remaining = max(1, round(seconds))
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = int(_UNITS[unit])
        if remaining >= size:
            parts.append(f"{remaining // size}{unit}")
            remaining %= size
    return "".join(parts)
