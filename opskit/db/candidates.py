"""Index candidates from query shapes: pure functions over plain data.

Key order follows the btree rule: equality (and IN, and join keys) first, then one range, or else
the ORDER BY keys with their directions, so a LIMIT query can stop early. Variants add INCLUDE
columns for index-only scans, partial indexes from constant predicates (``deleted_at IS NULL``),
and expression keys (``lower(email)``). A candidate an existing index already covers is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from opskit.db.interface import (
    ColumnRef,
    ExistingIndex,
    IndexCandidate,
    IndexKey,
    Predicate,
    PredicateKind,
    QueryShape,
    Rejection,
    Schema,
    SortKey,
    TableInfo,
    quote_ident,
)
from opskit.db.schema import normalize_expr

MAX_KEYS = 4
MAX_INCLUDE = 3
_EQUALITY = (PredicateKind.EQ, PredicateKind.IN)
_RANGES = (PredicateKind.RANGE, PredicateKind.PREFIX)
_GIN = (PredicateKind.PATTERN, PredicateKind.CONTAINS)


@dataclass(frozen=True)
class TableNeeds:
    """What one query needs from one table."""

    table: str
    equality: tuple[IndexKey, ...]
    ranges: tuple[IndexKey, ...]
    joins: tuple[IndexKey, ...]
    sort: tuple[IndexKey, ...]
    constants: tuple[str, ...]  # partial-index predicates such as "deleted_at is null"
    selected: tuple[str, ...]
    select_star: bool
    limit: bool
    disjuncts: tuple[tuple[IndexKey, ...], ...] = ()  # per OR branch: its keys, for a BitmapOr
    nulls: tuple[IndexKey, ...] = ()  # columns tested IS [NOT] NULL (btree indexes NULLs)
    rare: tuple[tuple[str, str], ...] = ()  # (column, "col = 'value'") for a rare value of a skewed column
    gin: tuple[IndexKey, ...] = ()  # jsonb/array containment, LIKE '%infix%' and ILIKE (pg_trgm), OR branches too
    fulltext: tuple[IndexKey, ...] = ()  # MySQL MATCH (cols) AGAINST: one FULLTEXT index over these, in order


def resolve(shape: QueryShape, schema: Schema) -> QueryShape:
    """Attribute unqualified columns to the query's table that has them (per the schema)."""

    def fix(col: ColumnRef) -> ColumnRef:
        if col.table or col.is_expression:
            return col
        owners = [t for t in shape.tables if t in schema.tables and col.expr in schema.tables[t].columns]
        return replace(col, table=owners[0]) if len(owners) == 1 else col

    return replace(
        shape,
        predicates=tuple(replace(p, column=fix(p.column)) for p in shape.predicates),
        joins=tuple((fix(a), fix(b)) for a, b in shape.joins),
        order_by=tuple(replace(k, column=fix(k.column)) for k in shape.order_by),
        group_by=tuple(fix(c) for c in shape.group_by),
        selected=tuple(fix(c) for c in shape.selected),
    )


def _key(col: ColumnRef) -> IndexKey:
    return IndexKey(col.expr, is_expression=col.is_expression)


def _sort_key(sort: SortKey) -> IndexKey:
    return replace(_key(sort.column), descending=sort.descending, nulls_reversed=sort.nulls_reversed)


def needs(shape: QueryShape, schema: Schema | None = None) -> list[TableNeeds]:
    """Per table of the query: its equality, range, join, sort and constant predicates.

    Equality columns come first (IN after =), the most selective first when pg_stats knows
    their number of distinct values. Without an ORDER BY, GROUP BY columns of one table are
    the sort order an index can deliver.
    """
    out = []
    c_collation = schema is not None and schema.collation in ("C", "POSIX")
    for table in shape.tables:
        info = schema.tables.get(table) if schema else None
        distinct = info.n_distinct if info is not None else {}
        ours = [p for p in shape.predicates if p.column.table == table]
        mine: list[Predicate] = [p for p in ours if not p.group]
        equality = [p for p in mine if p.kind in _EQUALITY and p.constant is None]
        equality.sort(key=lambda p: (p.kind != PredicateKind.EQ, -distinct.get(p.column.expr, 0.0)))
        branches: dict[int, list[Predicate]] = {}
        for p in ours:
            if p.group and p.kind in (*_EQUALITY, *_RANGES):
                branches.setdefault(p.group, []).append(p)
        join_cols = [a if a.table == table else b for a, b in shape.joins if table in (a.table, b.table)]
        order = shape.order_by or tuple(SortKey(c) for c in shape.group_by)
        sort = [k for k in order if k.column.table == table]
        prefixed = info.prefix_only if info is not None else frozenset()
        if any(k.column.expr in prefixed for k in sort):  # a MySQL prefix index cannot deliver the order
            sort = []
        out.append(
            TableNeeds(
                table=table,
                equality=tuple(dict.fromkeys(_key(p.column) for p in equality)),
                ranges=tuple(
                    dict.fromkeys(
                        _key_for(p, c_collation)
                        for p in mine
                        if p.kind in _RANGES and (p.column.expr not in prefixed or p.literal)  # MySQL: LIKE only
                    )
                ),
                joins=tuple(dict.fromkeys(_key(c) for c in join_cols)),
                sort=tuple(_sort_key(k) for k in sort) if len(sort) == len(order) else (),
                constants=tuple(p.constant for p in mine if p.constant),
                selected=tuple(dict.fromkeys(c.expr for c in shape.selected if c.table == table)),
                select_star=shape.select_star,
                limit=shape.limit,
                nulls=tuple(
                    dict.fromkeys(
                        _key(p.column) for p in mine if p.kind in (PredicateKind.IS_NULL, PredicateKind.IS_NOT_NULL)
                    )
                ),
                rare=tuple(dict.fromkeys(rare for p in equality if (rare := _rare(p, info)))),
                gin=tuple(dict.fromkeys(_key_for(p, c_collation) for p in ours if p.kind in _GIN)),  # OR too
                fulltext=tuple(dict.fromkeys(_key(p.column) for p in ours if p.kind == PredicateKind.FULLTEXT)),
                disjuncts=tuple(
                    _unique(_key(p.column) for p in sorted(branch, key=lambda p: p.kind not in _EQUALITY))
                    for _group, branch in sorted(branches.items())
                ),
            )
        )
    return out


def _key_for(p: Predicate, c_collation: bool) -> IndexKey:
    """The key a predicate wants: LIKE 'prefix%' needs text_pattern_ops unless the collation is C."""
    if p.kind == PredicateKind.PREFIX and not c_collation:
        return replace(_key(p.column), opclass="text_pattern_ops")
    if p.kind == PredicateKind.PATTERN:
        return replace(_key(p.column), opclass="gin_trgm_ops")
    return _key(p.column)


RARE = 0.1  # a value this rare on a column with few distinct values earns a partial index
FEW_DISTINCT = 1000


def _rare(p: Predicate, info: TableInfo | None) -> tuple[str, str] | None:
    """``(column, "column = literal")`` when pg_stats says the compared value is rare on a skewed column."""
    stats = info.stats.get(p.column.expr) if info is not None and not p.column.is_expression else None
    value = _unquoted(p.literal) if p.kind == PredicateKind.EQ and p.literal else None
    if stats is None or value is None or not 0 < stats.n_distinct <= FEW_DISTINCT:
        return None
    frequency = stats.frequency(value)
    if frequency is None or frequency > RARE:
        return None
    return p.column.expr, f"{quote_ident(p.column.expr)} = {p.literal}"


def _unquoted(literal: str) -> str | None:
    """The value of a SQL literal as pg_stats prints it: ``'pending'`` -> ``pending``, ``42`` -> ``42``."""
    if literal.startswith("'"):
        end = literal.find("'", 1)
        while end > 0 and literal[end + 1 : end + 2] == "'":
            end = literal.find("'", end + 2)
        return literal[1:end].replace("''", "'") if end > 0 else None
    return literal if literal.replace(".", "", 1).lstrip("-").isdigit() else None


def _unique(keys: Iterable[IndexKey]) -> tuple[IndexKey, ...]:
    seen: set[str] = set()
    out = []
    for key in keys:
        if key.expr not in seen:
            seen.add(key.expr)
            out.append(key)
    return tuple(out[:MAX_KEYS])


def candidates_for(n: TableNeeds) -> set[IndexCandidate]:
    """Every index design worth trying for one query's needs on one table."""
    designs: set[tuple[IndexKey, ...]] = set()
    for key in (*n.equality, *n.ranges, *n.joins):
        designs.add((key,))
    if n.sort and n.limit and not n.equality and not n.ranges:  # a whole table in order: a sort is as good
        designs.add(_unique(n.sort))
    if len(n.equality) + len(n.ranges) >= 2 or (n.equality and n.ranges):
        designs.add(_unique((*n.equality, *n.ranges[:1])))
    if n.equality and len(n.equality) > 1:
        designs.add(_unique(n.equality))
    if n.sort and n.equality:  # (a join key and the sort: below)
        designs.add(_unique((*n.equality, *n.sort)))
    for join in n.joins:
        if n.equality or n.ranges:
            designs.add(_unique((join, *n.equality, *n.ranges[:1])))
        elif n.sort:
            designs.add(_unique((join, *n.sort)))
    designs.update(n.disjuncts)
    if not designs:
        designs.update((key,) for key in n.nulls)
    designs.discard(())
    out = {IndexCandidate(n.table, keys) for keys in designs}
    richest = max(designs, key=lambda keys: (len(keys), [k.sql() for k in keys]), default=None)
    if richest is not None and n.selected and not n.select_star:
        extra = tuple(c for c in n.selected if c not in {k.expr for k in richest})
        if 0 < len(extra) <= MAX_INCLUDE:
            out.add(IndexCandidate(n.table, richest, include=extra))
    for column, where in n.rare:
        others = tuple(k for k in n.equality if k.expr != column)
        keys = _unique((*others, *n.sort)) if n.sort else _unique((*others, *n.ranges[:1]))
        if keys:
            out.add(IndexCandidate(n.table, keys, where=where))
    for constant in n.constants:
        column = constant.split(" ", 1)[0].strip('"')
        for keys in designs:
            kept = tuple(k for k in keys if k.expr != column)
            if kept:
                out.add(IndexCandidate(n.table, kept, where=constant))
    return out


def covering_index(candidate: IndexCandidate, existing: Sequence[ExistingIndex]) -> ExistingIndex | None:
    """An existing btree index with the same leading columns (and predicate) as ``candidate``.

    INCLUDE columns do not count: widening an existing index is not worth a second one.
    """
    wanted = [normalize_expr(k.expr) for k in candidate.keys]
    for index in existing:
        if index.table != candidate.table or list(index.keys[: len(wanted)]) != wanted:
            continue
        if index.where is not None and index.where != (candidate.where and normalize_expr(candidate.where)):
            continue
        return index
    return None


@dataclass(frozen=True)
class Candidates:
    """What to price: each candidate with the queries that asked for it, the OR bundles, the dropped."""

    wanted: dict[IndexCandidate, set[str]]
    rejected: list[Rejection]
    bundles: list[tuple[IndexCandidate, ...]]  # indexes an OR needs together (a BitmapOr)
    advisory: dict[IndexCandidate, set[str]]  # GIN indexes: HypoPG cannot price them
    ordered: set[IndexCandidate]  # deliver a LIMIT query's ORDER BY: robust whatever the skew


def generate(shapes: Mapping[str, QueryShape], schema: Schema) -> Candidates:
    """Candidates with the fingerprints of the queries that asked for them, and the ones dropped."""
    wanted: dict[IndexCandidate, set[str]] = {}
    bundles: set[tuple[IndexCandidate, ...]] = set()
    advisory: dict[IndexCandidate, set[str]] = {}
    ordered: set[IndexCandidate] = set()
    needed: set[IndexCandidate] = set()
    pointless: dict[IndexCandidate, ExistingIndex] = {}  # wanted only by lookups of one row by a unique key
    for fp, shape in shapes.items():
        for n in needs(shape, schema):
            if schema.tables and n.table not in schema.tables:
                continue
            lookup = _point_lookup(n, schema)
            for candidate in candidates_for(n):
                wanted.setdefault(candidate, set()).add(fp)
                if lookup is None:
                    needed.add(candidate)
                else:
                    pointless.setdefault(candidate, lookup)
                if n.limit and n.sort and candidate.keys[-len(n.sort) :] == n.sort[: len(candidate.keys)]:
                    ordered.add(candidate)
            for key in n.gin:
                advisory.setdefault(IndexCandidate(n.table, (key,), method="gin"), set()).add(fp)
            if n.fulltext:
                advisory.setdefault(IndexCandidate(n.table, n.fulltext, method="fulltext"), set()).add(fp)
            if len(n.disjuncts) > 1 and all(n.disjuncts):
                bundles.add(tuple(IndexCandidate(n.table, keys) for keys in n.disjuncts))
    kept: dict[IndexCandidate, set[str]] = {}
    rejected = []
    for candidate, fps in sorted(wanted.items(), key=lambda kv: kv[0].label()):
        cover = covering_index(candidate, schema.indexes)
        unique = _unique_prefix(candidate, schema)
        if cover is not None:
            rejected.append(Rejection(candidate, f"covered by existing index {cover.name}"))
        elif unique is not None:
            rejected.append(Rejection(candidate, f"leads with the unique key of {unique.name}: one row at most"))
        elif candidate in pointless and candidate not in needed:
            lookup = pointless[candidate]
            rejected.append(Rejection(candidate, f"its queries find one row by the unique key of {lookup.name}"))
        elif _unknown_columns(candidate, schema):
            rejected.append(Rejection(candidate, f"column not in {candidate.table}"))
        else:
            kept[candidate] = fps
    gin = {c: fps for c, fps in sorted(advisory.items(), key=lambda kv: kv[0].label())}
    bundled = sorted(bundles, key=lambda b: [c.label() for c in b])
    return Candidates(kept, rejected, bundled, gin, {c for c in ordered if c in kept})


def _unique_keys(table: str, schema: Schema) -> list[ExistingIndex]:
    return [ix for ix in schema.indexes_on(table) if ix.unique and ix.where is None]


def _point_lookup(n: TableNeeds, schema: Schema) -> ExistingIndex | None:
    """The unique index whose keys the equalities cover: the table answers with one row at most."""
    equal = {normalize_expr(k.expr) for k in n.equality}
    return next((ix for ix in _unique_keys(n.table, schema) if set(ix.keys) <= equal), None)


def _unique_prefix(candidate: IndexCandidate, schema: Schema) -> ExistingIndex | None:
    """A unique index whose keys the candidate's leading keys already are: the keys after add nothing."""
    keys = [normalize_expr(k.expr) for k in candidate.keys]
    for ix in _unique_keys(candidate.table, schema):
        if len(ix.keys) < len(keys) and set(keys[: len(ix.keys)]) == set(ix.keys):
            return ix
    return None


def _unknown_columns(candidate: IndexCandidate, schema: Schema) -> bool:
    info = schema.tables.get(candidate.table)
    if info is None or not info.columns:
        return False
    plain = [k.expr for k in candidate.keys if not k.is_expression] + list(candidate.include)
    return any(c not in info.columns for c in plain)


def usefulness(candidate: IndexCandidate, n: TableNeeds) -> tuple[int, int, int, int]:
    """How much of a query's needs an index serves: (equality, range, sort, index-only).

    The heuristic behind offline ranking: leading keys matching equality columns (or join columns
    of a table without filters of its own: the inner side of the join), then one range or the
    ORDER BY sequence; a partial index only counts when the query has its predicate.
    """
    if candidate.table != n.table:
        return (0, 0, 0, 0)
    if candidate.where and normalize_expr(candidate.where) not in {normalize_expr(c) for c in n.constants}:
        return (0, 0, 0, 0)
    # a table with filters of its own probably drives the join, so its join key is not looked up
    lookups = n.joins if not (n.equality or n.ranges) else ()
    eq_exprs = {k.expr for k in (*n.equality, *lookups)}
    matched = 0
    keys = list(candidate.keys)
    while matched < len(keys) and keys[matched].expr in eq_exprs:
        matched += 1
    rest = keys[matched:]
    ranged = int(bool(rest) and rest[0].expr in {k.expr for k in n.ranges})
    sort = 0
    if n.sort and not ranged:
        tail = rest[: len(n.sort)]
        wanted = [(k.expr, k.descending, k.nulls_reversed) for k in n.sort]
        same = [(k.expr, k.descending, k.nulls_reversed) for k in tail] == wanted
        flipped = [(k.expr, not k.descending, k.nulls_reversed) for k in tail] == wanted  # a backward scan
        sort = int(same or flipped)
    if not (matched or ranged or sort):
        return (0, 0, 0, 0)
    used = {k.expr for k in keys} | set(candidate.include)
    index_only = int(bool(n.selected) and not n.select_star and set(n.selected) <= used)
    return (matched, ranged, sort, index_only)
