"""B-tree index sizes from pg_stats, as ``CREATE INDEX`` would build them.

HypoPG sizes every btree as one tuple per row, but since PostgreSQL 13 a btree stores a
duplicated key once with a posting list of heap pointers (deduplication), so indexes on
columns with few distinct values are several times smaller than HypoPG says. This model
follows the on-disk layout: tuple header, MAXALIGNed key, line pointer, posting lists capped
at half a page's item size, leaf pages filled to 90% by a build, internal levels above.
"""

from __future__ import annotations

import math

from opskit.db.interface import ColumnStats, IndexCandidate, TableInfo

PAGE = 8192
USABLE = PAGE - 24 - 16  # page header and btree special space
LEAF_FILL = 0.90  # CREATE INDEX fills leaf pages to the default fillfactor
MAX_POSTING = 1352  # bytes: a posting list tuple is at most half of BTMaxItemSize
TUPLE_HEADER = 8  # IndexTupleData
LINE_POINTER = 4
HEAP_TID = 6
# types whose btree operator classes cannot deduplicate (PostgreSQL docs, "Deduplication")
_NO_DEDUP = ("numeric", "jsonb", "real", "double precision", "[]")
_FIXED = {"bigint": 8, "integer": 4, "smallint": 2, "date": 4, "boolean": 1, "uuid": 16, "oid": 4}


def _align(n: float, to: int = 8) -> float:
    return math.ceil(n / to) * to


def _width(stats: ColumnStats) -> float:
    """Bytes one key column takes in an index tuple (a short varlena header is 1 byte)."""
    fixed = next((w for name, w in _FIXED.items() if stats.type_name.startswith(name)), None)
    if fixed is not None:
        return fixed
    if stats.type_name.startswith("timestamp") or stats.type_name.startswith("time "):
        return 8
    return stats.avg_width


def _share(where: str | None, info: TableInfo) -> float | None:
    """The share of rows a partial index holds (None when its predicate cannot be read)."""
    if where is None:
        return 1.0
    column, _, test = where.partition(" ")
    stats = info.stats.get(column.strip('"'))
    if stats is None:
        return None
    if test == "IS NULL":
        return stats.null_frac
    if test == "IS NOT NULL":
        return 1.0 - stats.null_frac
    if test.startswith("= "):
        literal = test[2:]
        value = {"true": "t", "false": "f"}.get(literal, literal.strip("'").replace("''", "'"))
        return stats.frequency(value)
    return None


def btree_size(candidate: IndexCandidate, info: TableInfo | None, distinct: float | None = None) -> int | None:
    """Estimated bytes of ``candidate`` once built, or None when pg_stats lacks what it needs.

    ``distinct`` is the number of distinct key combinations when known (a sample), else the
    product of the columns' n_distinct, capped at the row count.
    """
    if info is None or info.rows is None or candidate.method != "btree":
        return None
    columns = [k.expr for k in candidate.keys if not k.is_expression]
    if len(columns) != len(candidate.keys) or any(c not in info.stats for c in (*columns, *candidate.include)):
        return None
    share = _share(candidate.where, info)
    if share is None:
        return None
    rows = max(info.rows, 0.0) * share
    keys = [info.stats[c] for c in columns]
    width = sum(_width(s) for s in keys) + sum(_width(info.stats[c]) for c in candidate.include)
    tuple_size = _align(TUPLE_HEADER + width) + LINE_POINTER
    if distinct is None:
        distinct = math.prod(max(s.n_distinct, 1.0) for s in keys)
    distinct = max(1.0, min(rows, distinct))
    dedup = not candidate.include and not any(s.type_name.endswith(_NO_DEDUP) for s in keys)
    per_posting = max(1, int((MAX_POSTING - _align(TUPLE_HEADER + width)) // HEAP_TID)) if dedup else 1

    def key_bytes(k: float) -> float:
        """One key's rows: a tuple per row, or (deduplicated) a tuple per posting list of up to
        ``per_posting`` heap pointers of 6 bytes each."""
        if not dedup or k < 2:
            return k * tuple_size
        return math.ceil(k / per_posting) * tuple_size + HEAP_TID * k

    groups = [(distinct, rows / distinct)]  # (keys, rows per key)
    common = keys[0].common if len(keys) == 1 and candidate.where is None else {}
    if common:  # skew: the most common values hold their own share, the rest spread evenly
        nulls = rows * keys[0].null_frac
        hot = [f * rows for f in common.values()]
        rest_rows = max(0.0, rows - nulls - sum(hot))
        rest_keys = max(1.0, distinct - len(hot))
        groups = [(1.0, h) for h in hot] + [(rest_keys, rest_rows / rest_keys)] + ([(1.0, nulls)] if nulls else [])
    leaf_bytes = sum(n * key_bytes(k) for n, k in groups if k > 0)
    leaves = max(1, math.ceil(leaf_bytes / (USABLE * LEAF_FILL)))
    pages, level = leaves, leaves
    fanout = max(2, int(USABLE * LEAF_FILL // tuple_size))
    while level > 1:
        level = math.ceil(level / fanout)
        pages += level
    return int((pages + 1) * PAGE)  # and the metapage
