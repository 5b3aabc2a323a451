"""The db contracts: statements read from logs, their aggregates, query shapes, schema and indexes.

Everything here is plain frozen data so the analysis (fingerprinting, candidate generation,
selection) stays pure; readers, the sqlparse wrapper and the psycopg adapter sit at the edges.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Protocol


@dataclass(frozen=True)
class QueryStats:
    """One fingerprint's aggregate over the workload, with an executable sample."""

    fingerprint: str
    calls: int
    total_ms: float
    mean_ms: float
    p95_ms: float | None
    sample: str
    source: str
    line: int
    timed: bool = True  # False when the log carries no durations (plain .sql, log_statement only)


@dataclass(frozen=True)
class WorkloadRequest:
    """Where the workload comes from and which statements count."""

    logs: tuple[str, ...] = ()
    input_format: str | None = None
    log_prefix: str | None = None
    from_pg_stat_statements: bool = False
    min_calls: int = 1
    min_time_ms: float = 0.0
    jobs: int | None = None


@dataclass(frozen=True)
class LogSource:
    """A log to read: a path ("-" for stdin), how it is compressed and its display name."""

    path: str
    display: str
    compression: str | None = None  # "gzip", "bz2", "xz" or None
    data: bytes | None = field(default=None, repr=False)  # stdin, read once
    on_read: Callable[[int], None] | None = field(default=None, repr=False, compare=False)  # progress, bytes
    on_damage: Callable[[int, int], None] | None = field(default=None, repr=False, compare=False)  # skipped bytes


class StatementSink(Protocol):
    """Where readers put statements (the fingerprint aggregator)."""

    def add(
        self, text: str, duration_ms: float | None, source: str, line: int, params: str | None = None
    ) -> None: ...

    def add_stats(self, stats: QueryStats) -> None: ...


class LogReader(ABC):
    """A log format: recognises its own head and feeds every executed statement into a sink."""

    name: ClassVar[str]  # the --input-format value

    @abstractmethod
    def sniff(self, head: str, path: str) -> bool:
        """Whether ``head`` (the first kilobytes, decoded) looks like this format."""

    @abstractmethod
    def read(self, source: LogSource, sink: StatementSink) -> None:
        """Read the whole log into ``sink``; malformed input raises InputError naming file:line."""


class UnparseableQuery(ValueError):
    """A statement the SQL grammar does not accept (or too deep or big to read safely)."""


class NotIndexable(ValueError):
    """A statement no index can serve: utility commands (BEGIN, SET, VACUUM, DDL) or no table."""


class Catalog(Protocol):
    """What understanding a statement needs from the schema: names, columns, view definitions."""

    def qualify(self, schema: str | None, name: str) -> str:
        """``schema.table`` for a name as written, following the search path for a bare one."""

    def columns(self, table: str) -> tuple[str, ...]:
        """The table's columns, or ``()`` when unknown."""

    def view(self, name: str) -> str | None:
        """The SELECT behind view ``schema.view``, or None when it is not a view."""


class PredicateKind(StrEnum):
    EQ = "eq"
    IN = "in"
    RANGE = "range"
    IS_NULL = "is null"
    IS_NOT_NULL = "is not null"
    PREFIX = "like prefix"  # LIKE 'abc%': a btree with text_pattern_ops under a non-C collation
    PATTERN = "pattern"  # LIKE '%abc%', ILIKE: pg_trgm GIN
    CONTAINS = "contains"  # jsonb @>, ?, array && and @>: GIN
    FULLTEXT = "fulltext"  # MySQL MATCH (cols) AGAINST (...): a FULLTEXT index over exactly those columns


@dataclass(frozen=True)
class ColumnRef:
    """A column (or an expression over columns, like ``lower(email)``) of a resolved table.

    ``table`` is ``schema.table`` or ``""`` when an unqualified column could not be attributed yet.
    """

    table: str
    expr: str
    is_expression: bool = False


@dataclass(frozen=True)
class Predicate:
    column: ColumnRef
    kind: PredicateKind
    constant: str | None = None  # the predicate text when it compares to a constant in the SQL itself
    group: int = 0  # 0: a conjunct of the WHERE; n > 0: part of the n-th disjunct of an OR
    literal: str | None = None  # the literal compared to, for equality (a partial index's value)


@dataclass(frozen=True)
class SortKey:
    column: ColumnRef
    descending: bool = False
    nulls_reversed: bool = False  # NULLS FIRST with ASC, NULLS LAST with DESC: not PostgreSQL's default


@dataclass(frozen=True)
class QueryShape:
    """What one query asks of its tables, as far as indexes are concerned."""

    kind: str  # select, update, delete, insert, other
    tables: tuple[str, ...]
    predicates: tuple[Predicate, ...] = ()
    joins: tuple[tuple[ColumnRef, ColumnRef], ...] = ()
    order_by: tuple[SortKey, ...] = ()
    group_by: tuple[ColumnRef, ...] = ()
    selected: tuple[ColumnRef, ...] = ()  # plain output columns, for INCLUDE
    select_star: bool = False
    limit: bool = False
    written_table: str | None = None  # the table an INSERT/UPDATE/DELETE changes
    params: tuple[tuple[int, ColumnRef], ...] = ()  # $n compared to a column, for representative values


@dataclass(frozen=True)
class IndexKey:
    expr: str
    descending: bool = False
    is_expression: bool = False
    opclass: str | None = None  # text_pattern_ops for LIKE 'prefix%', gin_trgm_ops for infix patterns
    nulls_reversed: bool = False  # as SortKey's: the key says NULLS FIRST/LAST
    prefix: int | None = None  # MySQL: index only this many leading characters (TEXT/BLOB, long VARCHAR)
    generated: str | None = None  # MySQL: "name type AS (expr)", the generated column standing for this key

    def sql(self) -> str:
        body = f"({self.expr})" if self.is_expression else quote_ident(self.expr)
        if self.opclass:
            body += f" {self.opclass}"
        body = f"{body} DESC" if self.descending else body
        if self.nulls_reversed:
            body += " NULLS LAST" if self.descending else " NULLS FIRST"
        return body


_PLAIN_IDENT = re.compile(r"[a-z_][a-z0-9_$]*")


def quote_ident(name: str) -> str:
    """A name as SQL needs it: quoted when it has upper case or other characters."""
    return name if _PLAIN_IDENT.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def quote_table(table: str) -> str:
    schema, _, name = table.partition(".")
    return f"{quote_ident(schema)}.{quote_ident(name)}" if name else quote_ident(schema)


@dataclass(frozen=True)
class IndexCandidate:
    """A possible index: key columns in order, INCLUDE columns, an optional partial predicate."""

    table: str
    keys: tuple[IndexKey, ...]
    include: tuple[str, ...] = ()
    where: str | None = None
    method: str = "btree"  # gin for jsonb/array containment and pg_trgm patterns (HypoPG cannot price it)

    @property
    def columns(self) -> list[str]:
        return [k.expr for k in self.keys]

    @property
    def name(self) -> str:
        table = self.table.split(".")[-1]
        parts = [_ident(table), *(_ident(k.expr) for k in self.keys)]
        if any(k.opclass == "text_pattern_ops" for k in self.keys):
            parts.append("pattern")
        if self.method != "btree":
            parts.append("trgm" if any(k.opclass == "gin_trgm_ops" for k in self.keys) else self.method)
        if self.include:
            parts.append("incl")
        if self.where:
            parts.append("partial")
        return "_".join(parts)[:59] + "_idx"

    def ddl(self, concurrently: bool = True) -> str:
        keys = ", ".join(k.sql() for k in self.keys)
        text = "CREATE INDEX CONCURRENTLY" if concurrently else "CREATE INDEX"
        using = f" USING {self.method}" if self.method != "btree" else ""
        text += f" {self.name} ON {quote_table(self.table)}{using} ({keys})"
        if self.include:
            text += f" INCLUDE ({', '.join(quote_ident(c) for c in self.include)})"
        if self.where:
            text += f" WHERE {self.where}"
        return text + ";"

    def label(self) -> str:
        return self.ddl(concurrently=False).removeprefix("CREATE INDEX ").removesuffix(";")


def _ident(expr: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in expr.lower()).strip("_").replace("__", "_")


@dataclass(frozen=True)
class ExistingIndex:
    """An index in the catalog or in a schema dump; keys are column names or expressions."""

    name: str
    table: str
    keys: tuple[str, ...]
    where: str | None = None
    unique: bool = False
    primary: bool = False
    include: tuple[str, ...] = ()
    size_bytes: int | None = None
    scans: int | None = None
    definition: str = ""


@dataclass(frozen=True)
class TableInfo:
    name: str  # schema.table
    columns: tuple[str, ...]
    rows: float | None = None
    prefix_only: frozenset[str] = frozenset()  # MySQL TEXT/BLOB columns: indexed only by a prefix length
    prefix_lengths: Mapping[str, int] = field(default_factory=dict, hash=False)  # MySQL: the prefix to index
    column_types: Mapping[str, str] = field(default_factory=dict, hash=False)  # MySQL: declared, "varchar(254)"
    size_bytes: int | None = None
    writes: int | None = None  # rows inserted + updated + deleted since stats reset
    reads: int | None = None  # rows read by sequential and index scans since stats reset
    n_distinct: Mapping[str, float] = field(default_factory=dict, hash=False)
    stats: Mapping[str, ColumnStats] = field(default_factory=dict, hash=False)  # pg_stats per column


@dataclass(frozen=True)
class ColumnStats:
    """What pg_stats says about one column: enough to size an index and spot a rare value."""

    avg_width: float
    null_frac: float = 0.0
    n_distinct: float = 0.0  # absolute
    common: Mapping[str, float] = field(default_factory=dict, hash=False)  # most common values -> frequency
    type_name: str = ""  # format_type(), e.g. "bigint", "character varying(255)"
    typical: str | None = None  # a representative value: the histogram's median, else the most common

    def frequency(self, value: str) -> float | None:
        """The share of rows equal to ``value`` (from the MCV list, else spread over the rest)."""
        if value in self.common:
            return self.common[value]
        others = self.n_distinct - len(self.common)
        if not self.common or others <= 0:
            return None
        return max(0.0, 1.0 - self.null_frac - sum(self.common.values())) / others


@dataclass(frozen=True)
class Schema:
    tables: Mapping[str, TableInfo]
    indexes: Sequence[ExistingIndex] = ()
    views: Mapping[str, str] = field(default_factory=dict)  # schema.view -> its SELECT
    collation: str | None = None  # the database's LC_COLLATE (None offline: unknown)
    extensions: Mapping[str, bool] = field(default_factory=dict)  # available extension -> installed

    def indexes_on(self, table: str) -> list[ExistingIndex]:
        return [ix for ix in self.indexes if ix.table == table]

    def qualify(self, schema: str | None, name: str) -> str:
        if schema is not None:
            return f"{schema}.{name}"
        if f"public.{name}" in self.tables or f"public.{name}" in self.views:
            return f"public.{name}"
        found = sorted(t for t in [*self.tables, *self.views] if t.split(".", 1)[-1] == name)
        return found[0] if len(found) == 1 else f"public.{name}"

    def columns(self, table: str) -> tuple[str, ...]:
        info = self.tables.get(table)
        return info.columns if info is not None else ()

    def view(self, name: str) -> str | None:
        return self.views.get(name)


@dataclass(frozen=True)
class Regression:
    """A query an index makes dearer (within the tolerance), with its planner costs."""

    fingerprint: str
    cost_before: float
    cost_after: float


@dataclass(frozen=True)
class Suggestion:
    """A chosen index with the queries it serves and what it saves."""

    candidate: IndexCandidate
    queries: tuple[str, ...]  # fingerprints served
    saved_ms: float  # estimated workload time saved
    share: float  # saved_ms / total workload time
    cost_before: float | None = None
    cost_after: float | None = None
    size_bytes: int | None = None
    validated: bool = True
    source: str = ""
    line: int = 0
    regressions: tuple[Regression, ...] = ()


@dataclass(frozen=True)
class Rejection:
    candidate: IndexCandidate
    reason: str


@dataclass(frozen=True)
class Advice:
    """The outcome of a whole-workload run."""

    suggestions: tuple[Suggestion, ...]
    rejected: tuple[Rejection, ...]
    queries: tuple[QueryStats, ...]
    notes: tuple[str, ...] = ()
    validated: bool = False
    tables: Mapping[str, TableInfo] = field(default_factory=dict)  # the catalog's view of them
    advisory: tuple[Suggestion, ...] = ()  # GIN indexes HypoPG cannot price: listed, not chosen
    dialect: str = "postgresql"  # or "mysql": the DDL to print


class UnpricedCandidate(Exception):
    """A cost model cannot price one candidate (HypoPG rejects it); the candidate is rejected."""


class CostModel(ABC):
    """Estimates statement costs under a set of hypothetical indexes (HypoPG, or a heuristic)."""

    @abstractmethod
    def costs(self, queries: Sequence[QueryStats], config: Sequence[IndexCandidate]) -> dict[str, float]:
        """Planner cost of each query (by fingerprint) with ``config`` added to the real indexes."""

    @abstractmethod
    def size(self, candidate: IndexCandidate) -> int | None:
        """Estimated on-disk size of the index in bytes."""
