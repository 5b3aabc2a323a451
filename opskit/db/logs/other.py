"""The other workload sources: pg_stat_statements exports, MySQL slow query logs, plain SQL files."""

from __future__ import annotations

import csv
import io
import json
import re

from opskit.core.errors import InputError
from opskit.db.interface import LogReader, LogSource, QueryStats, StatementSink
from opskit.db.logs.sources import read_chunks, read_lines, valid_text

_PGSS_TIME_COLUMNS = ("total_exec_time", "total_time")


def pgss_row(row: dict[str, object], display: str, line: int) -> QueryStats:
    """One pg_stat_statements row (live or exported) as an aggregate."""
    try:
        query = valid_text(str(row["query"]))
        calls = int(float(str(row["calls"])))
        total = next(float(str(row[c])) for c in _PGSS_TIME_COLUMNS if row.get(c) not in (None, ""))
    except (KeyError, StopIteration, ValueError, TypeError):
        raise InputError(
            f"{display}:{line}: pg_stat_statements row needs query, calls and total_exec_time"
        ) from None
    return QueryStats(
        fingerprint="",
        calls=calls,
        total_ms=total,
        mean_ms=total / calls if calls else 0.0,
        p95_ms=None,
        sample=query,
        source=display,
        line=line,
    )


class PgStatStatementsExport(LogReader):
    """A CSV (``\\copy ... to csv header``) or JSON (array of objects) export of pg_stat_statements."""

    name = "pg-stat-statements"

    def sniff(self, head: str, path: str) -> bool:
        first = head.lstrip()[:2000].lower()
        return '"query"' in first and '"calls"' in first or (
            first.startswith(("query,", "userid,", "queryid,")) or ",calls," in first.split("\n", 1)[0]
        ) and "query" in first.split("\n", 1)[0]

    def read(self, source: LogSource, sink: StatementSink) -> None:
        text = "".join(read_chunks(source))
        if text.lstrip().startswith(("[", "{")):
            try:
                rows = json.loads(text)
            except ValueError as exc:
                raise InputError(f"{source.display}: malformed JSON: {exc}") from None
            except RecursionError:
                raise InputError(f"{source.display}: JSON nested too deeply") from None
            if isinstance(rows, dict):
                rows = rows.get("rows") or rows.get("queries") or [rows]
            if not isinstance(rows, list):
                raise InputError(f"{source.display}: expected a JSON array of pg_stat_statements rows")
            for number, row in enumerate(rows, 1):
                if not isinstance(row, dict):
                    raise InputError(f"{source.display}: row {number}: expected an object")
                sink.add_stats(pgss_row(row, source.display, number))
            return
        reader = csv.DictReader(io.StringIO(text))
        try:
            for row in reader:
                sink.add_stats(pgss_row(dict(row), source.display, reader.line_num))
        except csv.Error as exc:
            raise InputError(f"{source.display}:{reader.line_num}: malformed CSV: {exc}") from None


_MYSQL_TIME = re.compile(r"# Query_time: ([0-9.]+)")
# the server's own lines: ``SET [last_insert_id=N,][insert_id=N,]timestamp=N;``, ``use db;``, the banner
_MYSQL_SKIP = re.compile(
    r"(?i)^(?:SET (?:\w+=\d+,)*timestamp=\d+;|use \S+;|/\S+mysqld.*|Tcp port:.*|Time\s+Id\s+Command.*)$"
)


class MysqlSlowLog(LogReader):
    """MySQL/MariaDB slow query log: ``# Query_time:`` headers followed by the statement."""

    name = "mysql-slow"

    def sniff(self, head: str, path: str) -> bool:
        return "# Query_time:" in head or "# User@Host:" in head

    def read(self, source: LogSource, sink: StatementSink) -> None:
        duration: float | None = None
        start = 0
        body: list[str] = []

        def flush() -> None:
            if body and duration is not None:
                sink.add("\n".join(body).rstrip().rstrip(";"), duration, source.display, start)
            body.clear()

        for number, raw in enumerate(read_lines(source), 1):
            line = raw.rstrip("\n")
            if line.startswith("#"):
                found = _MYSQL_TIME.match(line)
                if found or line.startswith("# Time:") or line.startswith("# User@Host:"):
                    flush()
                if found:
                    duration = float(found.group(1)) * 1000.0
                continue
            if not line.strip() or _MYSQL_SKIP.match(line.strip()):
                continue
            if not body:
                start = number
            body.append(line)
        flush()


_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?\n")


class SqlFile(LogReader):
    """A plain ``.sql`` file: each statement counts as one call of unknown duration."""

    name = "sql"

    def sniff(self, head: str, path: str) -> bool:
        if path.endswith(".sql"):
            return True
        return bool(re.match(r"(?is)\s*(?:--[^\n]*\n\s*)*(select|with|update|delete|insert)\b", head))

    def read(self, source: LogSource, sink: StatementSink) -> None:
        text = "".join(read_chunks(source))
        from opskit.db.mysql.split import script_slices as sqlparse_slices  # loaded only for scripts
        from opskit.db.pgsql.parse import script_slices

        for line, statement in numbered_statements(text, script_slices(text) or sqlparse_slices(text)):
            sink.add(statement, None, source.display, line)


_LEADING_COMMENTS = re.compile(r"(?:\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/))*\s*", re.S)


def numbered_statements(text: str, slices: list[slice]) -> list[tuple[int, str]]:
    """Each statement of a script without its leading comments, with the line it starts on
    (lines are counted onwards from the previous statement, so this stays linear)."""
    out, line, counted = [], 1, 0
    for piece in slices:
        lead = _LEADING_COMMENTS.match(text, piece.start, piece.stop)
        start = max(counted, lead.end() if lead else piece.start)
        body = text[start : piece.stop].strip()
        if body:
            line += text.count("\n", counted, start)
            counted = start
            out.append((line, body))
    return out
