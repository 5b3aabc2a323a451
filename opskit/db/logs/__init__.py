"""Workload readers: every log format a DBA has, detected from its first kilobytes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from opskit.core.errors import InputError, UsageError
from opskit.core.progress import Progress
from opskit.db.interface import LogReader
from opskit.db.logs.other import MysqlSlowLog, PgStatStatementsExport, SqlFile
from opskit.db.logs.postgres import CsvLog, JsonLog, StderrLog
from opskit.db.logs.sources import make_source, plain_size, read_head
from opskit.db.normalize import Aggregator

FORMATS = ("stderr", "csvlog", "jsonlog", "pg-stat-statements", "mysql-slow", "sql")


def readers(log_prefix: str | None = None, jobs: int | None = None) -> list[LogReader]:
    """All readers in detection order (the most specific sniffers first)."""
    return [
        JsonLog(),
        CsvLog(),
        StderrLog(log_prefix, jobs),
        MysqlSlowLog(),
        PgStatStatementsExport(),
        SqlFile(),
    ]


def read_workload(
    paths: Sequence[str],
    input_format: str | None = None,
    log_prefix: str | None = None,
    jobs: int | None = None,
    bar: Progress | None = None,
) -> Aggregator:
    """Read every log into one aggregate; the format of each is detected unless given.

    ``bar`` (a progress bar) advances by the bytes read.
    """
    if input_format is not None and input_format not in FORMATS:
        raise UsageError(f"--input-format {input_format!r}: expected one of {', '.join(FORMATS)}")
    agg = Aggregator()
    available = readers(log_prefix, jobs)
    sources = [make_source(path) for path in paths]
    sizes = [plain_size(s) for s in sources]
    if bar is not None:
        bar.set_total(None if None in sizes else sum(s or 0 for s in sizes))
    for path, plain in zip(paths, sources, strict=True):
        source = replace(
            plain, on_read=bar.advance if bar is not None else None, on_damage=partial(agg.damaged, plain.display)
        )
        if input_format is not None:
            reader = next(r for r in available if r.name == input_format)
        else:
            head = read_head(plain)
            if not head.strip():
                continue  # an empty log (a fresh rotation) holds no statements
            reader = next((r for r in available if r.sniff(head, path)), None)  # type: ignore[assignment]
            if reader is None:
                raise InputError(
                    f"{source.display}: unrecognised log format (use --input-format {'|'.join(FORMATS)})"
                )
        reader.read(source, agg)
        agg.formats.add(reader.name)
    return agg
