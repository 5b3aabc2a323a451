"""``.dockerignore`` matching as ``docker build`` does it, to tell whether a path leaves the build context.

Patterns are anchored at the context root, ``*`` and ``?`` stop at ``/``, ``**`` spans
directories, ``!`` re-includes, the last matching pattern wins, and a pattern that matches a
directory excludes everything below it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class IgnorePattern:
    regex: re.Pattern[str]
    negated: bool


def parse_dockerignore(text: str) -> list[IgnorePattern]:
    patterns: list[IgnorePattern] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:].strip() if negated else line
        line = posixpath.normpath(line.lstrip("/")) if line.strip("/") else "."
        patterns.append(IgnorePattern(re.compile(_glob_to_regex(line)), negated))
    return patterns


def _glob_to_regex(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1:end]
                out.append("[" + ("^" + body[1:] if body.startswith("^") else body) + "]")
                i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out) + r"\Z"


def is_excluded(path: str, patterns: list[IgnorePattern]) -> bool:
    """Whether ``path`` (relative to the context root) is left out of the build context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for pattern in patterns:
        if any(pattern.regex.match(prefix) for prefix in prefixes):
            excluded = not pattern.negated
    return excluded
