"""Thin adapter over the ``dockerfile`` package (BuildKit's own Go parser), so it can be swapped.

BuildKit's parser handles line continuations, comments, parser directives (``# escape=``),
exec and shell forms and heredocs exactly as ``docker build`` does.

The package is a Go shared library, and a Go runtime does not survive ``fork``: a worker
process forked after the library was loaded hangs on its first call. So the library is loaded
lazily, in the process that parses; a process forked from one that had already loaded it
parses in a fresh Python subprocess instead (slower, and only happens in long-lived processes
such as a test run that scanned serially before scanning in parallel).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from opskit.audit.iac.interface import Unparseable

_INHERITED_GO_RUNTIME = False  # set in a forked child when the parent had loaded the Go library
# BuildKit's word expansion takes time cubic in the nesting of ${...} (1,000 levels: seconds per
# instruction); no real Dockerfile nests more than a few.
MAX_SUBSTITUTION_DEPTH = 32
_BRACE_OR_NEWLINE = re.compile(r"[{}\n]")


def _after_fork_in_child() -> None:
    global _INHERITED_GO_RUNTIME
    if "dockerfile" in sys.modules:
        _INHERITED_GO_RUNTIME = True


os.register_at_fork(after_in_child=_after_fork_in_child)


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction with its arguments, flags and the lines it spans (1-based)."""

    command: str  # upper case: FROM, RUN, COPY, ...
    args: tuple[str, ...]
    flags: tuple[str, ...]
    exec_form: bool  # JSON array form: RUN ["a", "b"]
    original: str  # the instruction as written, continuations joined
    start_line: int
    end_line: int
    heredocs: tuple[str, ...] = ()  # bodies of <<EOF documents

    def flag(self, name: str) -> str | None:
        """Value of ``--name=value`` (or ``""`` for a bare ``--name``), None when absent."""
        for flag in self.flags:
            key, _, value = flag.partition("=")
            if key == f"--{name}":
                return value
        return None


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions of a Dockerfile; raises Unparseable with BuildKit's message."""
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return []  # empty or only comments: nothing to check
    depth = substitution_depth(text)
    if depth > MAX_SUBSTITUTION_DEPTH:
        raise Unparseable(f"variable substitutions nested {depth} deep (more than {MAX_SUBSTITUTION_DEPTH})")
    library = _library()
    parsed = _parse_here(library, text) if library is not None else _parse_in_subprocess(text)
    known, rows = parsed
    for row in rows:
        if row[0].lower() not in known:
            # name it only when it looks like an instruction: the first word of a line may be a secret
            shown = f" {row[0].upper()!r}" if row[0].isalpha() and len(row[0]) <= 20 else ""
            raise Unparseable(f"unknown instruction{shown}", row[5])
    return [
        Instruction(command=cmd.upper(), args=tuple(value), flags=tuple(flags), exec_form=exec_form,
                    original=original, start_line=start, end_line=end, heredocs=tuple(heredocs))
        for cmd, value, flags, exec_form, original, start, end, heredocs in rows
    ]


def substitution_depth(text: str) -> int:
    """How deeply ``{...}`` nest within one logical line (continuations joined): one pass, linear."""
    if "${" not in text:
        return 0
    deepest = depth = 0
    for match in _BRACE_OR_NEWLINE.finditer(text):
        char = match.group()
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth = max(depth - 1, 0)
        elif match.start() == 0 or text[match.start() - 1] != "\\":
            depth = 0  # a new logical line
    return deepest


def _library() -> ModuleType | None:
    """The Go-backed module, or None in a process forked after it was loaded."""
    if _INHERITED_GO_RUNTIME:
        return None
    import dockerfile

    return dockerfile


def _parse_here(library: Any, text: str) -> tuple[set[str], list[list[Any]]]:
    try:
        commands = library.parse_string(text)
    except library.GoParseError as exc:
        raise Unparseable(str(exc)) from None
    rows = [[c.cmd, list(c.value), list(c.flags), c.json, c.original, c.start_line, c.end_line,
             [h.content for h in c.heredocs]] for c in commands]
    return set(library.all_cmds()), rows


def _parse_in_subprocess(text: str) -> tuple[set[str], list[list[Any]]]:
    try:
        out = subprocess.run([sys.executable, "-c", f"from {__name__} import parse_stdin; parse_stdin()"],
                             input=text.encode("utf-8", "replace"), capture_output=True, check=True, timeout=60)
        result = json.loads(out.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise Unparseable(f"the Dockerfile parser failed in a subprocess ({type(exc).__name__})") from None
    if "error" in result:
        raise Unparseable(result["error"])
    return set(result["known"]), result["commands"]


def parse_stdin() -> None:
    """The subprocess side: a Dockerfile on stdin, its parse (or BuildKit's error) as JSON on stdout."""
    try:
        known, rows = _parse_here(_library(), sys.stdin.read())
    except Unparseable as exc:
        print(json.dumps({"error": exc.message}))
    else:
        print(json.dumps({"known": sorted(known), "commands": rows}))
