"""The deps scanner's own file discovery: manifests and lockfiles, read whole.

Lock files are excluded from the other scanners and big files are read in windows for them;
a lockfile is structured data that only parses whole, and real ones pass 2 MB, so it is read
here in full up to ``LOCKFILE_MAX_BYTES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from opskit.audit.content import SAMPLE_BYTES, binary_reason, to_text
from opskit.audit.files import FileFilter, discover_files
from opskit.audit.interface import SourceFile
from opskit.core.errors import InputError
from opskit.core.inputs import open_input

LOCKFILE_MAX_BYTES = 64 << 20


def manifest_sources(
    target: Path, selection: FileFilter, wants: Callable[[str], bool],
) -> tuple[list[SourceFile], list[str]]:
    """Every manifest under ``target`` that ``wants`` accepts, as text, and one note per file skipped."""
    limit = max(selection.max_size, LOCKFILE_MAX_BYTES)
    refs, notes = discover_files(target, replace(selection, keep_lock_files=True, max_size=limit))
    sources = []
    for ref in refs:
        if not wants(ref.path):
            continue
        try:
            with open_input(ref.abspath, "manifest", max_bytes=limit, shown=ref.path) as handle:
                data = handle.read(limit + 1)
        except (InputError, OSError) as exc:
            notes.append(f"{ref.path}: skipped: {getattr(exc, 'message', None) or exc}")
            continue
        if binary_reason(data[:SAMPLE_BYTES]) is None:
            sources.append(SourceFile(path=ref.path, text=to_text(data)))
    return sources, [n for n in notes if wants(n.split(": ", 1)[0])]
