"""Normalised statement text and per-statement aggregates: the hot path, compiled regexes only.

Statements that differ only in literals, parameter numbers, IN/VALUES list lengths, comments,
case or whitespace share one normalised text (``QueryStats.fingerprint``), like
pg_stat_statements' query text. Not to be confused with a finding's fingerprint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from opskit.db.interface import QueryStats

_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_LITERAL = re.compile(r"'[^']*'|\b[0-9][0-9.]*(?:[eE][-+]?[0-9]+)?")
_DOLLAR_QUOTED = re.compile(r"\$\$.*?\$\$", re.S)
_IN_LIST = re.compile(r"\(\?(?:, ?\?)+\)")
_VALUES_LIST = re.compile(r"values \((?:\?, ?)*\?\)(?:, ?\((?:\?, ?)*\?\))*")
_PARAM = re.compile(r"\$(\d+)(?!\d)")
_PARAM_VALUE = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def normalize(sql: str) -> str:
    """The normalised text of ``sql``: literals and ``$n`` to ``?``, lists collapsed, lower case."""
    if "--" in sql or "/*" in sql:
        sql = _COMMENT.sub(" ", sql)
    if "$$" in sql:
        sql = _DOLLAR_QUOTED.sub("?", sql)
    sql = _LITERAL.sub("?", sql)
    sql = " ".join(sql.split()).replace("$?", "?").replace("??", "?").replace("-?", "?")
    sql = sql.replace("( ", "(").replace(" )", ")").replace(" ,", ",").replace(",?", ", ?")
    sql = sql.rstrip("; ").lower()
    if "values (" in sql:
        sql = _VALUES_LIST.sub("values (...)", sql)
    if "?," in sql:
        sql = _IN_LIST.sub("(?)", sql)
    return sql


def bind_parameters(sql: str, detail: str | None) -> str:
    """Put ``$n`` parameter values from a ``parameters: $1 = '...'`` detail back into ``sql``.

    ``$1`` never matches inside ``$10``: each placeholder is looked up by its whole number.
    """
    if not detail:
        return sql
    values = {m[1]: m[2] for m in _PARAM_VALUE.finditer(detail)}
    if not values:
        return sql
    return _PARAM.sub(lambda m: values.get(m[1], m[0]), sql)


@dataclass
class _Entry:
    calls: int = 0
    total_ms: float = 0.0
    durations: list[float] = field(default_factory=list)
    sample: str = ""
    sample_params: str | None = None
    sample_ms: float = -1.0
    line: int = 0
    source: str = ""
    timed: bool = True
    per_call: bool = True  # durations are single calls (False for pg_stat_statements means)


class Aggregator:
    """Per-fingerprint calls, total/mean/p95 time and the slowest sample, mergeable across workers."""

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}
        self.formats: set[str] = set()  # the log formats read, for the SQL dialect
        self.damage: dict[str, list[tuple[int, int]]] = {}  # log -> byte ranges skipped as damaged
        self._by_text: dict[str, str] = {}

    def add(
        self, text: str, duration_ms: float | None, source: str, line: int, params: str | None = None
    ) -> None:
        key = self._by_text.get(text)
        if key is None:
            key = normalize(text)
            if len(self._by_text) < 200_000:
                self._by_text[text] = key
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = _Entry()
        entry.calls += 1
        if duration_ms is None:
            entry.timed = False
            duration_ms = 0.0
        else:
            entry.total_ms += duration_ms
            entry.durations.append(duration_ms)
        if duration_ms > entry.sample_ms:
            entry.sample, entry.sample_params, entry.sample_ms = text, params, duration_ms
            entry.line, entry.source = line, source

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the text cache: it only speeds up this process, and shipping it back
        from a parallel reader's worker cost more than the worker saved."""
        state = dict(self.__dict__)
        state["_by_text"] = {}
        return state

    def add_stats(self, stats: QueryStats) -> None:
        """Fold in an already aggregated row (pg_stat_statements)."""
        key = normalize(stats.sample)
        entry = self.entries.setdefault(key, _Entry())
        entry.calls += stats.calls
        entry.total_ms += stats.total_ms
        entry.per_call = False
        entry.timed = entry.timed and stats.timed
        if not entry.sample:
            entry.sample, entry.line, entry.source = stats.sample, stats.line, stats.source

    def damaged(self, log: str, start: int, end: int) -> None:
        """Record a skipped byte range, joined to the previous one when they touch."""
        spans = self.damage.setdefault(log, [])
        if spans and start <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))

    def notes(self) -> list[str]:
        out = []
        for log, spans in sorted(self.damage.items()):
            shown = ", ".join(f"{a}-{b}" for a, b in spans[:5])
            shown += f" and {len(spans) - 5} more" if len(spans) > 5 else ""
            total = sum(b - a for a, b in spans)
            out.append(f"{log}: skipped {total} damaged byte(s) (NUL padding or binary garbage) at bytes {shown}")
        return out

    def merge(self, other: Aggregator, line_offset: int = 0) -> None:
        self.formats |= other.formats
        for log, spans in other.damage.items():
            for a, b in spans:
                self.damaged(log, a, b)
        for key, theirs in other.entries.items():
            mine = self.entries.get(key)
            if mine is None:
                theirs.line += line_offset
                self.entries[key] = theirs
                continue
            mine.calls += theirs.calls
            mine.total_ms += theirs.total_ms
            mine.durations.extend(theirs.durations)
            mine.timed = mine.timed and theirs.timed
            mine.per_call = mine.per_call and theirs.per_call
            if theirs.sample_ms > mine.sample_ms:
                mine.sample, mine.sample_params, mine.sample_ms = (
                    theirs.sample,
                    theirs.sample_params,
                    theirs.sample_ms,
                )
                mine.line, mine.source = theirs.line + line_offset, theirs.source

    def results(self, min_calls: int = 1, min_time_ms: float = 0.0) -> list[QueryStats]:
        """Aggregates ordered by total time (then calls), filtered by ``--min-calls``/``--min-time``."""
        out = []
        for key, e in self.entries.items():
            if e.calls < min_calls or e.total_ms < min_time_ms:
                continue
            p95 = None
            if e.durations and e.timed and e.per_call:
                ordered = sorted(e.durations)
                p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            out.append(
                QueryStats(
                    fingerprint=key,
                    calls=e.calls,
                    total_ms=round(e.total_ms, 3),
                    mean_ms=round(e.total_ms / e.calls, 3) if e.calls else 0.0,
                    p95_ms=p95,
                    sample=bind_parameters(e.sample, e.sample_params),
                    source=e.source,
                    line=e.line,
                    timed=e.timed and e.total_ms > 0,
                )
            )
        out.sort(key=lambda q: (-q.total_ms, -q.calls, q.fingerprint))
        return out
