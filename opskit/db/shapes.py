"""A query's shape while a parser walks it, shared by both grammars (PostgreSQL's and sqlparse's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from opskit.db.interface import ColumnRef, Predicate, QueryShape, SortKey


@dataclass
class ShapeBuilder:
    """Mutable while walking; ``build`` drops repeats into the frozen ``QueryShape``."""

    kind: str = "other"
    tables: list[str] = field(default_factory=list)
    predicates: list[Predicate] = field(default_factory=list)
    joins: list[tuple[ColumnRef, ColumnRef]] = field(default_factory=list)
    order_by: list[SortKey] = field(default_factory=list)
    group_by: list[ColumnRef] = field(default_factory=list)
    selected: list[ColumnRef] = field(default_factory=list)
    select_star: bool = False
    limit: bool = False
    written: str | None = None
    params: dict[int, ColumnRef] = field(default_factory=dict)
    inner_orders: list[tuple[tuple[SortKey, ...], bool]] = field(default_factory=list)  # (keys, under a LIMIT)

    def build(self, implied: list[Predicate] | None = None) -> QueryShape:
        """The shape, with ``implied`` predicates (equalities carried across joins) added; without an
        ORDER BY of its own, the first inner order (a top-N subquery's, a window's) is the order."""
        order, limit = tuple(self.order_by), self.limit
        if not order and self.inner_orders:
            order, inner_limit = self.inner_orders[0]
            limit = limit or inner_limit
        return QueryShape(
            kind=self.kind,
            tables=tuple(dict.fromkeys(self.tables)),
            predicates=tuple(dict.fromkeys([*self.predicates, *(implied or ())])),
            joins=tuple(dict.fromkeys(self.joins)),
            order_by=order,
            group_by=tuple(dict.fromkeys(self.group_by)),
            selected=tuple(dict.fromkeys(self.selected)),
            select_star=self.select_star,
            limit=limit,
            written_table=self.written,
            params=tuple(sorted(self.params.items())),
        )
