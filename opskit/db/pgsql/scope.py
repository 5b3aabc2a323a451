"""Relations in scope while walking a statement: base tables, derived relations, FROM levels.

A derived relation (subquery, CTE, view) maps its output columns to the base columns they are,
so a filter on the outer query reaches the table behind it; ``has`` answers None when only the
catalog could tell (offline, no schema), which the walk treats as "maybe".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opskit.db.interface import ColumnRef


@dataclass
class Rel:
    """A relation in a FROM list: a base table, or a derived one (subquery, CTE, view, function)."""

    alias: str
    table: str | None = None
    columns: tuple[str, ...] = ()  # a base table's columns from the catalog (empty: unknown)
    outputs: dict[str, ColumnRef | None] = field(default_factory=dict)
    star: list[Rel] = field(default_factory=list)  # a derived relation's SELECT * sources
    opaque: bool = False  # a function or VALUES: nothing to attribute

    def has(self, column: str) -> bool | None:
        """Whether ``column`` is this relation's (None: cannot tell without the catalog)."""
        if self.table is not None:
            return column in self.columns if self.columns else None
        if column in self.outputs:
            return True
        answers = [r.has(column) for r in self.star]
        return True if True in answers else (None if None in answers or self.opaque else False)

    def column(self, column: str) -> ColumnRef | None:
        if self.table is not None:
            return ColumnRef(self.table, column)
        if column in self.outputs:
            return self.outputs[column]
        for rel in self.star:
            if rel.has(column) is not False:
                return rel.column(column)
        return None


class Level(list[Rel]):
    """The relations of one FROM list, and the columns its JOIN ... USING/NATURAL merged."""

    def __init__(self) -> None:
        super().__init__()
        self.merged: dict[str, ColumnRef] = {}


def renamed(rel: Rel, names: Any) -> Rel:
    """A derived relation whose columns an alias list renames, in order (``AS v(a, b)``)."""
    if names:
        columns = list(rel.outputs.values())
        rel.outputs = {str(n.sval): c for n, c in zip(names, columns, strict=False)}
    return rel


def owner(rels: list[Rel], column: str) -> ColumnRef | None:
    known = [r for r in rels if r.has(column)]
    if len(known) == 1:
        return known[0].column(column)
    unknown = [r for r in rels if r.has(column) is None]
    return unknown[-1].column(column) if not known and unknown else None
