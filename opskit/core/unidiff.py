"""The two pieces of git's unified diff that both ``audit --staged/--history`` and ``monitor lint
--staged/--base`` read: the new file's name on a ``+++`` line and the new side's start of a hunk."""

from __future__ import annotations

import re

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
"""A hunk header: group 1 is the first line on the new side, group 2 its line count (absent: 1)."""


def new_path(header: str) -> str | None:
    """The path a ``+++ `` line names, relative to the repository; None for ``/dev/null`` (deleted).

    git appends a tab to names with spaces, and quotes names with other special or non-ASCII bytes as
    C strings with octal escapes (ASCII only, so decoding them is exact).
    """
    name = header[4:].rstrip("\t")
    if name == "/dev/null":
        return None
    if name.startswith('"') and name.endswith('"'):
        raw = name[1:-1].encode("ascii", "backslashreplace").decode("unicode_escape")
        name = raw.encode("latin-1", "replace").decode("utf-8", "replace")
    return name[2:] if name.startswith("b/") else name
