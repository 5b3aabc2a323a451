"""The orders a statement asks rows in, as index keys: ORDER BY, top-N subqueries and windows.

The top query's ORDER BY (with its LIMIT) comes first. Without one, the order of an inner
``ORDER BY ... LIMIT n`` (Hasura's and Django's ``Subquery(...)[:1]``: a top-N read an index
stops early on) or of a window's ``PARTITION BY ... ORDER BY`` (latest row per group) is the
order an index could deliver instead of a sort.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pglast import ast
from pglast.enums import SortByDir, SortByNulls

from opskit.db.interface import ColumnRef, SortKey

KeyOf = Callable[[Any], ColumnRef | None]


def has_limit(stmt: Any) -> bool:
    count = stmt.limitCount
    return count is not None and not (isinstance(count, ast.A_Const) and count.isnull)


def sort_keys(sorts: Any, key: KeyOf, target_list: list[Any], whole: bool = False) -> tuple[SortKey, ...]:
    """ORDER BY items as sort keys; an item no index can hold ends them (``whole``: then none at all)."""
    out: list[SortKey] = []
    for sort in sorts or ():
        column = key(target(sort.node, target_list))
        if column is None:
            return () if whole else tuple(out)
        descending = sort.sortby_dir == SortByDir.SORTBY_DESC
        nulls = sort.sortby_nulls
        if nulls == SortByNulls.SORTBY_NULLS_DEFAULT:
            nulls_first = descending
        else:
            nulls_first = nulls == SortByNulls.SORTBY_NULLS_FIRST
        out.append(SortKey(column, descending, nulls_first != descending))
    return tuple(out)


def window_orders(stmt: Any, key: KeyOf) -> list[tuple[SortKey, ...]]:
    """Each window of the select list: its PARTITION BY keys, then its ORDER BY keys."""
    named = {w.name: w for w in stmt.windowClause or ()}
    out = []
    for res in stmt.targetList or ():
        over = res.val.over if isinstance(res.val, ast.FuncCall) else None
        if over is not None and not (over.partitionClause or over.orderClause):
            over = named.get(over.name or over.refname)
        if over is None:
            continue
        columns = [key(node) for node in over.partitionClause or ()]
        if None in columns:
            continue
        ordered = sort_keys(over.orderClause, key, [], whole=True)
        if over.orderClause and not ordered:
            continue
        keys = (*(SortKey(c) for c in columns if c is not None), *ordered)
        if keys:
            out.append(keys)
    return out


def target(node: Any, target_list: list[Any]) -> Any:
    """``ORDER BY 2`` and ``ORDER BY alias`` mean the select list's entry."""
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        index = int(node.val.ival or 0) - 1
        return target_list[index].val if 0 <= index < len(target_list) else None
    if isinstance(node, ast.ColumnRef) and len(node.fields) == 1 and isinstance(node.fields[0], ast.String):
        named = node.fields[0].sval
        for res in target_list:
            if res.name == named:
                return res.val
    return node
