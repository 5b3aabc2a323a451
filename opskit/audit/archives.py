"""Archives inside the scanned tree (zip, jar, war, ear, apk, tar, tgz, gz) as audit sources.

Each text member becomes a ``SourceFile`` named ``archive!member`` (nested: ``a.zip!lib/b.jar!x``),
so a credential shipped inside a build artifact is reported where it is. Reading is bounded as
gitleaks' ``--max-archive-depth`` is, and against decompression bombs: nesting depth, the size of
each member (``--max-file-size``), the bytes inflated per top-level archive and the member count;
whatever a bound cuts off is named in one note. A damaged archive is one note, never a traceback.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from opskit.audit.content import SAMPLE_BYTES, binary_reason, to_text
from opskit.audit.interface import FileRef, SourceFile

ZIP_SUFFIXES = (".zip", ".jar", ".war", ".ear", ".apk", ".aar", ".nupkg", ".whl", ".egg")
TAR_SUFFIXES = (".tar", ".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz")
ARCHIVE_SUFFIXES = (*ZIP_SUFFIXES, *TAR_SUFFIXES, ".gz")
ARCHIVE_MAX_BYTES = 256 << 20  # an archive file itself; bigger ones are skipped with a note
INFLATE_LIMIT = 256 << 20  # bytes inflated from one top-level archive, nested ones included
MEMBER_LIMIT = 20_000  # members read from one top-level archive


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


@dataclass
class _Budget:
    """What one top-level archive may still cost, shared by its nested archives."""

    bytes_left: int = INFLATE_LIMIT
    members_left: int = MEMBER_LIMIT
    cut: list[str] = field(default_factory=list)  # why members were skipped, one entry per bound hit


@dataclass(frozen=True)
class _Limits:
    depth: int
    member_bytes: int


def _read_bounded(handle: IO[bytes] | gzip.GzipFile | None, declared: int, limits: _Limits,
                  budget: _Budget, label: str) -> bytes | None:
    """The member's bytes, or None (noted) when it is over a bound; never inflates past the bound."""
    if handle is None:
        return None
    if declared > limits.member_bytes:
        budget.cut.append(f"{label}: {declared} bytes is over --max-file-size {limits.member_bytes}")
        return None
    if budget.members_left <= 0 or budget.bytes_left <= 0:
        if not any(reason.startswith("limit") for reason in budget.cut):
            budget.cut.append(f"limit of {MEMBER_LIMIT} members or {INFLATE_LIMIT} inflated bytes reached")
        return None
    cap = min(limits.member_bytes, budget.bytes_left)
    data = handle.read(cap + 1)
    budget.members_left -= 1
    budget.bytes_left -= len(data)
    if len(data) > cap:  # the declared size lied (a bomb) or the budget ran out
        budget.cut.append(f"{label}: inflates past {cap} bytes")
        return None
    return data


def _members(name: str, data: bytes, limits: _Limits, budget: _Budget) -> Iterator[tuple[str, bytes]]:
    """(member path, bytes) of the archive ``name`` holding ``data``, regular files only."""
    lower = name.lower()
    if lower.endswith(ZIP_SUFFIXES):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as handle:
                    member = _read_bounded(handle, info.file_size, limits, budget, info.filename)
                if member is not None:
                    yield info.filename, member
    elif lower.endswith(TAR_SUFFIXES):
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for entry in archive:
                if entry.isfile():
                    member = _read_bounded(archive.extractfile(entry), entry.size, limits, budget, entry.name)
                    if member is not None:
                        yield entry.name.lstrip("./") or entry.name, member
    else:  # a single gzip-compressed file: its member is the name without .gz
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            member = _read_bounded(handle, 0, limits, budget, name[:-3])
        if member is not None:
            yield name.rsplit("/", 1)[-1][:-3], member


def _sources(path: str, data: bytes, limits: _Limits, budget: _Budget, level: int) -> Iterator[SourceFile]:
    for member, content in _members(path, data, limits, budget):
        label = f"{path}!{member}"
        if is_archive(member):
            if level < limits.depth:
                yield from _sources(label, content, limits, budget, level + 1)
            else:
                budget.cut.append(f"{member}: nested deeper than --max-archive-depth {limits.depth}")
        elif binary_reason(content[:SAMPLE_BYTES]) is None:
            yield SourceFile(path=label, text=to_text(content))


def archive_sources(ref: FileRef, depth: int, member_bytes: int) -> tuple[list[SourceFile], list[str]]:
    """The text members of the archive ``ref`` (to ``depth`` levels of nesting) and notes."""
    budget = _Budget()
    try:
        with open(ref.abspath, "rb") as handle:
            data = handle.read(ARCHIVE_MAX_BYTES + 1)
        if len(data) > ARCHIVE_MAX_BYTES:
            return [], [f"{ref.path}: archive skipped, over {ARCHIVE_MAX_BYTES} bytes"]
        sources = list(_sources(ref.path, data, _Limits(depth, member_bytes), budget, 1))
    except OSError as exc:
        return [], [f"{ref.path}: cannot read: {exc.strerror or exc}"]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, zlib.error, EOFError, ValueError,
            NotImplementedError, RuntimeError) as exc:  # RuntimeError: an encrypted zip member
        reason = str(exc).splitlines()[0] if str(exc) else "damaged"
        return [], [f"{ref.path}: not a readable archive ({type(exc).__name__}: {reason})"]
    notes = [f"{ref.path}: {len(budget.cut)} archive member(s) skipped, first: {budget.cut[0]}"] if budget.cut else []
    return sources, notes


def expand_archives(
    items: Sequence[FileRef], depth: int, member_bytes: int
) -> tuple[list[FileRef | SourceFile], list[str]]:
    """``items`` with every archive replaced by its text members (depth 0: archives are left out)."""
    expanded: list[FileRef | SourceFile] = []
    notes: list[str] = []
    for item in items:
        if not is_archive(item.path):
            expanded.append(item)
        elif depth > 0:
            sources, archive_notes = archive_sources(item, depth, member_bytes)
            expanded.extend(sources)
            notes.extend(archive_notes)
    return expanded, notes
