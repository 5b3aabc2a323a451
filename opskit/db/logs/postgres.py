"""PostgreSQL server logs: stderr (any ``log_line_prefix``), csvlog and jsonlog.

Statements come as ``duration: N ms  statement: ...`` / ``execute <name>: ...`` entries with an
optional ``DETAIL:  parameters: $1 = ...``, or split into a ``statement:`` entry
(``log_statement``) and a later bare ``duration: N ms`` entry (``log_duration``) of the same
backend, paired here by process id. ``parse``/``bind`` durations are not executions and are skipped.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import replace
from typing import Any

from opskit.core.errors import InputError
from opskit.db.interface import LogReader, LogSource, StatementSink
from opskit.db.logs.sources import read_chunks, read_lines, valid_text
from opskit.db.normalize import Aggregator

_SQL = r"[^\n]*(?:\n\t[^\n]*)*"
# Starts with a literal so the regex engine can skip to candidates at C speed.
_ENTRY = re.compile(
    r"LOG:  (?:duration: (?P<ms>[0-9.]+) ms(?:  (?:statement|execute [^:\n]*): (?P<sql>" + _SQL + r")|$)"
    r"|(?:statement|execute [^:\n]*): (?P<split>" + _SQL + r"))",
    re.M,
)
_DETAIL = re.compile(r"\n[^\n]*?DETAIL:  (parameters: [^\n]*)")
_MESSAGE = re.compile(
    r"(?:duration: (?P<ms>[0-9.]+) ms(?:  (?:statement|execute [^:]*): (?P<sql>.*))?"
    r"|(?:statement|execute [^:]*): (?P<split>.*))\Z",
    re.S,
)
_PREFIX_ESCAPES = {
    "m": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?: [A-Z+\-0-9]+)?",
    "t": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Z+\-0-9]+)?",
    "n": r"\d+\.\d+",
    "p": r"(?P<pid>\d+)",
    "l": r"\d+",
    "c": r"[0-9a-f]+\.[0-9a-f]+",
    "s": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Z+\-0-9]+)?",
    "v": r"[0-9/]*",
    "x": r"\d+",
    "e": r"[0-9A-Z]{5}",
    "q": r"",
    "%": r"%",
}
# Common prefixes, tried in order: the pid in brackets (Debian's '%m [%p] '), pgbadger's
# recommended '%t [%p]: [%l-1] ', key=value style, and syslog-like 'postgres[%p]:'.
_PID_PATTERNS = (
    re.compile(r"\[(?P<pid>\d+)(?:-\d+)?\]"),
    re.compile(r"\bpid=(?P<pid>\d+)"),
    re.compile(r"postgres(?:ql)?\[(?P<pid>\d+)\]"),
)


def prefix_regex(log_line_prefix: str) -> re.Pattern[str]:
    """A regex for a ``log_line_prefix`` value; ``%p`` becomes the ``pid`` group."""
    out: list[str] = []
    i = 0
    while i < len(log_line_prefix):
        ch = log_line_prefix[i]
        if ch == "%" and i + 1 < len(log_line_prefix):
            esc = log_line_prefix[i + 1]
            out.append(_PREFIX_ESCAPES.get(esc, r"[^\s\]\[@,:]*"))
            i += 2
            continue
        out.append(re.escape(ch))
        i += 1
    pattern = "".join(out)
    if "(?P<pid>" not in pattern:
        raise InputError(f"--log-prefix {log_line_prefix!r}: has no %p, cannot pair statements with durations")
    return re.compile("^" + pattern, re.M)


def detect_pid_pattern(head: str) -> re.Pattern[str] | None:
    """The first common pid pattern that every ``LOG:`` line of ``head`` matches."""
    lines = [line for line in head.splitlines()[:200] if "LOG:  " in line]
    for pattern in _PID_PATTERNS:
        if lines and all(pattern.search(line.split("LOG:  ", 1)[0]) for line in lines):
            return pattern
    return None


class _Sessions:
    """Pairs split ``statement:`` entries with the next bare ``duration:`` of the same process."""

    def __init__(self, sink: StatementSink, display: str) -> None:
        self.sink = sink
        self.display = display
        self.pending: dict[str, tuple[str, int, str | None]] = {}

    def statement(self, pid: str, sql: str, line: int, detail: str | None) -> None:
        previous = self.pending.pop(pid, None)
        if previous is not None:
            self.sink.add(previous[0], None, self.display, previous[1], previous[2])
        self.pending[pid] = (sql, line, detail)

    def duration(self, pid: str, ms: float) -> None:
        previous = self.pending.pop(pid, None)
        if previous is not None:
            self.sink.add(previous[0], ms, self.display, previous[1], previous[2])

    def flush(self) -> None:
        for sql, line, detail in self.pending.values():
            self.sink.add(sql, None, self.display, line, detail)
        self.pending.clear()


def _number(value: str, display: str, line: int) -> float:
    try:
        return float(value)
    except ValueError:
        raise InputError(f"{display}:{line}: malformed duration {value!r}") from None


def scan_stderr(
    text: str,
    sink: StatementSink,
    sessions: _Sessions,
    pid_pattern: re.Pattern[str] | None,
    display: str,
    first_line: int,
) -> int:
    """Feed every statement of a chunk of stderr log into ``sink``; return the chunk's line count."""
    line = first_line
    last = 0
    count = text.count
    add = sink.add
    for m in _ENTRY.finditer(text):
        start = m.start()
        line += count("\n", last, start)
        last = start
        sql = m.group("sql")
        detail = None
        end = m.end()
        if text.find("DETAIL:  parameters", end, end + 400) > 0:
            d = _DETAIL.match(text, end)
            if d:
                detail = d.group(1)
        if sql is not None:
            add(sql.replace("\n\t", "\n"), _number(m.group("ms"), display, line), display, line, detail)
            continue
        line_start = text.rfind("\n", 0, start) + 1
        pid = "-"
        if pid_pattern is not None:
            found = pid_pattern.search(text, line_start, start)
            pid = found.group("pid") if found else "-"
        split = m.group("split")
        if split is not None:
            sessions.statement(pid, split.replace("\n\t", "\n"), line, detail)
        else:
            sessions.duration(pid, _number(m.group("ms"), display, line))
    return line - first_line + count("\n", last)


_bytes_done: Any = None  # a shared counter, inherited by worker processes for progress


def _share_counter(counter: Any) -> None:
    global _bytes_done
    _bytes_done = counter


def _count_bytes(n: int) -> None:
    with _bytes_done.get_lock():
        _bytes_done.value += n


def _scan(
    source: LogSource,
    sink: StatementSink,
    pid_pattern: re.Pattern[str] | None,
    start: int = 0,
    end: int | None = None,
) -> int:
    """Feed the statements of ``source`` (or of its byte range [start, end)) into ``sink``;
    return the number of lines read. Line numbers count from the start of the range."""
    sessions = _Sessions(sink, source.display)
    lines = 0
    for chunk in _entry_chunks(read_chunks(source, start=start, end=end)):
        lines += scan_stderr(chunk, sink, sessions, pid_pattern, source.display, lines + 1)
    sessions.flush()
    return lines


def _scan_range(
    path: str, start: int, end: int, pid_pattern: re.Pattern[str] | None
) -> tuple[Aggregator, int]:
    """Worker: aggregate the byte range [start, end) of a plain log file."""
    agg = Aggregator()
    source = LogSource(
        path=path,
        display=path,
        on_read=_count_bytes if _bytes_done is not None else None,
        on_damage=lambda a, b: agg.damaged(path, a, b),
    )
    return agg, _scan(source, agg, pid_pattern, start, end)


def _split_points(path: str, parts: int) -> list[int]:
    size = os.path.getsize(path)
    points = [0]
    with open(path, "rb") as handle:
        for i in range(1, parts):
            handle.seek(size * i // parts)
            window = handle.read(1 << 20)
            at = window.find(b"LOG:  ")
            while at >= 0:
                line_start = window.rfind(b"\n", 0, at) + 1
                if line_start > 0:
                    points.append(size * i // parts + line_start)
                    break
                at = window.find(b"LOG:  ", at + 1)
    points.append(size)
    return sorted(set(points))


class StderrLog(LogReader):
    """``log_destination = 'stderr'`` files with any ``log_line_prefix``."""

    name = "stderr"
    parallel_threshold = 64 << 20

    def __init__(self, log_prefix: str | None = None, jobs: int | None = None) -> None:
        self.prefix = prefix_regex(log_prefix) if log_prefix else None
        self.jobs = jobs or os.cpu_count() or 1

    def sniff(self, head: str, path: str) -> bool:
        return "LOG:  " in head  # csvlog and jsonlog are tried first

    def _pid_pattern(self, head: str) -> re.Pattern[str] | None:
        return self.prefix or detect_pid_pattern(head)

    def read(self, source: LogSource, sink: StatementSink) -> None:
        head = "".join(_first(read_lines(replace(source, on_read=None)), 200))
        pid_pattern = self._pid_pattern(head)
        plain = source.compression is None and source.data is None
        if plain and self.jobs > 1 and os.path.getsize(source.path) >= self.parallel_threshold:
            self._read_parallel(source, sink, pid_pattern)
        else:
            _scan(source, sink, pid_pattern)

    def _read_parallel(
        self, source: LogSource, sink: StatementSink, pid_pattern: re.Pattern[str] | None
    ) -> None:
        """The first byte range is read here while worker processes read the others; their
        aggregates are merged in file order, so line numbers stay exact."""
        points = _split_points(source.path, self.jobs)
        ranges = list(zip(points, points[1:], strict=False))
        counter = multiprocessing.Value("q", 0)
        progress = _WorkerProgress(source.on_read, counter)
        with ProcessPoolExecutor(
            max(1, len(ranges) - 1), initializer=_share_counter, initargs=(counter,)
        ) as pool:
            futures = [pool.submit(_scan_range, source.path, a, b, pid_pattern) for a, b in ranges[1:]]
            offset = _scan(replace(source, on_read=progress.own), sink, pid_pattern, *ranges[0])
            while wait(futures, timeout=0.2).not_done:
                progress.report()
            for future in futures:
                agg, lines = future.result()
                sink.merge(agg, offset)  # type: ignore[attr-defined]
                offset += lines
        progress.report()


class _WorkerProgress:
    """Advances the progress bar by the bytes read here and by the workers (a shared counter)."""

    def __init__(self, on_read: Callable[[int], None] | None, counter: Any) -> None:
        self.on_read = on_read
        self.counter = counter
        self.reported = 0

    def own(self, n: int) -> None:
        if self.on_read is not None:
            self.on_read(n)
        self.report()

    def report(self) -> None:
        done = self.counter.value
        if self.on_read is not None and done > self.reported:
            self.on_read(done - self.reported)
        self.reported = max(done, self.reported)


def _first(lines: Iterator[str], n: int) -> list[str]:
    out = []
    for line in lines:
        out.append(line)
        if len(out) >= n:
            break
    return out


def _entry_chunks(chunks: Iterator[str]) -> Iterator[str]:
    """Re-cut line-aligned chunks between entries (never between a statement and its DETAIL)."""
    rest = ""
    for chunk in chunks:
        text = rest + chunk
        at = text.rfind("LOG:  ")
        if at < 0:  # no entry starts here: nothing to keep together
            yield text
            rest = ""
            continue
        cut = text.rfind("\n", 0, at) + 1
        if cut <= 0:
            rest = text
            continue
        yield text[:cut]
        rest = text[cut:]
    if rest:
        yield rest


_CSV_PID, _CSV_MESSAGE, _CSV_DETAIL = 3, 13, 14


class CsvLog(LogReader):
    """``log_destination = 'csvlog'``: one CSV record per entry (records may span lines)."""

    name = "csvlog"

    def sniff(self, head: str, path: str) -> bool:
        first = head.split("\n", 1)[0]
        return bool(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[.\d]* [A-Z+\-0-9]+,", first)) and (
            ',"duration: ' in head or ',"statement: ' in head or ',"execute ' in head
        )

    def read(self, source: LogSource, sink: StatementSink) -> None:
        sessions = _Sessions(sink, source.display)
        reader = csv.reader(read_lines(source))
        line = 1
        try:
            for row in reader:
                if len(row) > _CSV_DETAIL:
                    _message(sessions, row[_CSV_PID], row[_CSV_MESSAGE], row[_CSV_DETAIL], line, source)
                elif row:
                    raise InputError(f"{source.display}:{line}: not a csvlog record ({len(row)} fields)")
                line = reader.line_num + 1
        except csv.Error as exc:
            raise InputError(f"{source.display}:{reader.line_num}: malformed CSV: {exc}") from None
        sessions.flush()


class JsonLog(LogReader):
    """``log_destination = 'jsonlog'`` (PostgreSQL 15+): one JSON object per line."""

    name = "jsonlog"

    def sniff(self, head: str, path: str) -> bool:
        return head.lstrip().startswith("{") and '"error_severity"' in head

    def read(self, source: LogSource, sink: StatementSink) -> None:
        sessions = _Sessions(sink, source.display)
        for number, raw in enumerate(read_lines(source), 1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError as exc:
                raise InputError(f"{source.display}:{number}: malformed JSON: {exc}") from None
            except RecursionError:
                raise InputError(f"{source.display}:{number}: JSON nested too deeply") from None
            if not isinstance(entry, dict):
                raise InputError(f"{source.display}:{number}: expected a JSON object per line")
            message = entry.get("message")
            if isinstance(message, str):
                pid = str(entry.get("pid", "-"))
                detail = entry.get("detail")
                detail = valid_text(detail) if isinstance(detail, str) else detail
                _message(sessions, pid, valid_text(message), detail, number, source)
        sessions.flush()


def _message(
    sessions: _Sessions, pid: str, message: str, detail: object, line: int, source: LogSource
) -> None:
    m = _MESSAGE.match(message)
    if m is None:
        return
    params = detail if isinstance(detail, str) and detail.startswith("parameters: ") else None
    if m.group("sql") is not None:
        ms = _number(m.group("ms"), source.display, line)
        sessions.sink.add(m.group("sql"), ms, source.display, line, params)
    elif m.group("split") is not None:
        sessions.statement(pid, m.group("split"), line, params)
    else:
        sessions.duration(pid, _number(m.group("ms"), source.display, line))
