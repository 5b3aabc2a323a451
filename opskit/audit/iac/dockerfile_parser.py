"""Thin adapter over the ``dockerfile`` package (BuildKit's own Go parser), so it can be swapped.

BuildKit's parser handles line continuations, comments, parser directives (``# escape=``),
exec and shell forms and heredocs exactly as ``docker build`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import dockerfile

from opskit.audit.iac.interface import Unparseable


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
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        raise Unparseable(str(exc)) from None
    known = set(dockerfile.all_cmds())
    for cmd in commands:
        if cmd.cmd.lower() not in known:
            # name it only when it looks like an instruction: the first word of a line may be a secret
            shown = f" {cmd.cmd.upper()!r}" if cmd.cmd.isalpha() and len(cmd.cmd) <= 20 else ""
            raise Unparseable(f"unknown instruction{shown}", cmd.start_line)
    return [
        Instruction(
            command=cmd.cmd.upper(),
            args=tuple(cmd.value),
            flags=tuple(cmd.flags),
            exec_form=cmd.json,
            original=cmd.original,
            start_line=cmd.start_line,
            end_line=cmd.end_line,
            heredocs=tuple(doc.content for doc in cmd.heredocs),
        )
        for cmd in commands
    ]
