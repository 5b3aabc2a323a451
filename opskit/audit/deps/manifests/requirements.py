"""pip requirements files: pins, ranges, ``-r`` includes, hashes, extras and markers.

Only exact pins (``==``/``===`` without a wildcard) name a version to check; ranges are what
the resolver chooses from and are left to the lockfile. ``pip-compile`` annotations
(``# via -r requirements.in`` versus ``# via requests``) tell direct from transitive.
"""

from __future__ import annotations

import posixpath
import re

from packaging.requirements import InvalidRequirement, Requirement

from opskit.audit.deps.interface import Ecosystem, Package, ParsedManifest
from opskit.audit.deps.manifests import Siblings

MAX_INCLUDE_DEPTH = 10
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)(\S+)")
_COMMENT = re.compile(r"(^|\s)#.*$")
_VIA = re.compile(r"^\s*#\s+(?:via\s+)?(.*)$")


def _logical_lines(text: str) -> list[tuple[int, str, list[str]]]:
    """(first line number, requirement text, following comment lines) with ``\\`` continuations joined."""
    out: list[tuple[int, str, list[str]]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
            if raw.lstrip().startswith("#"):
                if out:
                    out[-1][2].append(raw)
                continue
        stripped = _COMMENT.sub("", raw).rstrip()
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        joined = " ".join(p.strip() for p in pending).strip()
        pending = []
        if joined:
            out.append((start, joined, []))
    return out


def _direct(comments: list[str]) -> bool | None:
    """From pip-compile's ``# via`` block: direct when an input file (``-r``) is among the sources."""
    via = [m.group(1).strip() for c in comments if (m := _VIA.match(c))]
    if not any(c.strip().startswith("# via") for c in comments):
        return None
    return any(v.startswith(("-r ", "-c ")) for v in via)


def parse_requirements(text: str, path: str, siblings: Siblings) -> ParsedManifest:
    return _parse(text, path, siblings, path, set(), 0)


def _parse(text: str, path: str, siblings: Siblings, top: str, seen: set[str], depth: int) -> ParsedManifest:
    packages: list[Package] = []
    notes: list[str] = []
    lines = _logical_lines(text)
    annotated = any(comments for _, _, comments in lines)
    for number, line, comments in lines:
        include = _INCLUDE.match(line)
        if include:
            _include(include.group(1), path, number, siblings, top, seen, depth, packages, notes)
            continue
        if line.startswith("-"):
            continue  # -c, -e, --index-url, -f ...: not a pinned requirement
        # drop per-line options (--hash=...); one \s, not \s+, keeps a long run of spaces linear
        spec = re.split(r"\s--?[a-z]", line, maxsplit=1)[0].rstrip()
        try:
            requirement = Requirement(spec)
        except InvalidRequirement:
            if "://" not in spec and "/" not in spec:
                notes.append(f"{path}:{number}: unparseable requirement skipped")
            continue
        pins = [s.version for s in requirement.specifier if s.operator in ("==", "===") and "*" not in s.version]
        if len(pins) != 1:
            continue
        direct = _direct(comments) if annotated else True
        packages.append(Package(Ecosystem.PYPI, requirement.name, pins[0], number, direct,
                                declared_in=None if path == top else path, declared=str(requirement.specifier)))
    return ParsedManifest(tuple(packages), tuple(notes))


def _include(
    target: str, path: str, number: int, siblings: Siblings, top: str, seen: set[str], depth: int,
    packages: list[Package], notes: list[str],
) -> None:
    from opskit.audit.deps.manifests import parser_for

    base = posixpath.dirname(path)
    top_base = posixpath.dirname(top)
    joined = posixpath.normpath(posixpath.join(base, target))
    if parser_for(joined) is not None or joined in seen:
        return  # scanned on its own (or already included): reading it again would repeat its findings
    relative = posixpath.relpath(joined, top_base) if top_base else joined
    text = siblings(relative) if depth < MAX_INCLUDE_DEPTH else None
    if text is None:
        notes.append(f"{path}:{number}: cannot read included requirements file {target}")
        return
    seen.add(joined)
    parsed = _parse(text, joined, siblings, top, seen, depth + 1)
    packages.extend(parsed.packages)
    notes.extend(parsed.notes)
