"""Query understanding over PostgreSQL's parse tree: what a statement asks of each table.

Every column is attributed to the relation it really belongs to (inner or outer scope, through
subqueries, CTEs and views) using the catalog's column lists; equalities to a value travel across
join keys; OR disjuncts are kept apart (one index each, for a BitmapOr). Work and depth are bounded.
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import CTEMaterialize, SetOperation, SubLinkType
from pglast.stream import RawStream

from opskit.db.interface import (
    Catalog,
    ColumnRef,
    NotIndexable,
    Predicate,
    PredicateKind,
    QueryShape,
    UnparseableQuery,
)
from opskit.db.pgsql.ordering import has_limit, sort_keys, target, window_orders
from opskit.db.pgsql.parse import KINDS, Work, nodes, nodes_shallow, one
from opskit.db.pgsql.predicates import PredicateWalk
from opskit.db.pgsql.scope import Level, Rel, owner, renamed
from opskit.db.shapes import ShapeBuilder

MAX_DEPTH = 150  # depth of the walk over the parse tree
MAX_VIEW_DEPTH = 5  # views over views


def understand(sql: str, catalog: Catalog, work: Work | None = None) -> QueryShape:
    """The index-relevant shape of one statement; raises UnparseableQuery or NotIndexable."""
    stmt = one(sql)
    kind = KINDS.get(type(stmt))
    if kind is None:
        raise NotIndexable("utility statement")
    walker = _Walker(catalog, work or Work(), ShapeBuilder(kind))
    walker.statement(stmt)
    shape = walker.shape
    if not shape.tables:
        raise NotIndexable("no table")
    return shape.build(_propagate(shape.predicates, shape.joins))


def _propagate(predicates: list[Predicate], joins: list[tuple[ColumnRef, ColumnRef]]) -> list[Predicate]:
    """Equalities to a value reach every column joined to theirs (``a.id = b.a_id AND a.id = 1``)."""
    linked: dict[ColumnRef, set[ColumnRef]] = {}
    for a, b in joins:
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    out = []
    for p in predicates:
        if p.kind not in (PredicateKind.EQ, PredicateKind.IN) or p.group or p.column not in linked:
            continue
        seen, todo = {p.column}, [p.column]
        while todo:
            for other in sorted(linked.get(todo.pop(), ()), key=lambda c: (c.table, c.expr)):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
                    out.append(Predicate(other, p.kind))
    return out


class _Walker(PredicateWalk):
    def __init__(self, catalog: Catalog, work: Work, shape: ShapeBuilder) -> None:
        self.catalog = catalog
        self.work = work
        self.shape = shape
        self.levels: list[Level] = []
        self.ctes: list[dict[str, Any]] = []
        self.expanding: set[str] = set()
        self.depth = 0
        self.groups = 0

    def _leave(self) -> None:
        self.depth -= 1

    def _enter(self) -> None:
        self.work.step()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise UnparseableQuery(f"nested deeper than {MAX_DEPTH} levels")

    # statements

    def statement(self, stmt: Any) -> None:
        if isinstance(stmt, ast.SelectStmt):
            self.select(stmt, top=True)
            return
        self._with(stmt.withClause)
        self.levels.append(Level())
        target = self._range_var(stmt.relation)
        self.shape.written = target.table
        if isinstance(stmt, ast.InsertStmt):
            self.levels.pop()
            if stmt.selectStmt is not None:
                self.select(stmt.selectStmt, top=False)
        else:
            extra = stmt.fromClause if isinstance(stmt, ast.UpdateStmt) else stmt.usingClause
            for item in extra or ():
                self._from_item(item)
            for res in getattr(stmt, "targetList", None) or ():
                self._sublinks(res.val)
            self.where(stmt.whereClause, 0)
            self.levels.pop()
        if self.ctes:
            self.ctes.pop()

    def _with(self, clause: Any) -> None:
        if clause is not None:
            self.ctes.append({cte.ctename: cte for cte in clause.ctes})

    def select(self, stmt: Any, top: bool) -> Rel:
        """Walk one SELECT; its output columns as a derived relation."""
        self._enter()
        try:
            return self._select(stmt, top)
        finally:
            self.depth -= 1

    def _select(self, stmt: Any, top: bool) -> Rel:
        if stmt.op != SetOperation.SETOP_NONE:
            left = self.select(stmt.larg, top=False)
            self.select(stmt.rarg, top=False)
            return Rel("", outputs=dict(left.outputs), star=left.star)
        pushed = stmt.withClause is not None
        self._with(stmt.withClause)
        level = Level()
        self.levels.append(level)
        try:
            for item in stmt.fromClause or ():
                self._from_item(item)
            for row in stmt.valuesLists or ():
                self._sublinks(row)
            self.where(stmt.whereClause, 0)
            self._sublinks(stmt.havingClause)
            out = Rel("", opaque=not level)
            for position, res in enumerate(stmt.targetList or ()):
                self._sublinks(res.val)
                if isinstance(res.val, ast.ColumnRef) and isinstance(res.val.fields[-1], ast.A_Star):
                    out.star.extend(level)
                    if top:
                        self.shape.select_star = True
                    continue
                name = res.name or _output_name(res.val) or f"?column?{position}"
                column = self._key(res.val)
                out.outputs.setdefault(name, column)
                if top and isinstance(res.val, ast.ColumnRef) and column is not None:
                    self.shape.selected.append(column)
            self._orders(stmt, top)
            return out
        finally:
            self.levels.pop()
            if pushed:
                self.ctes.pop()

    def _orders(self, stmt: Any, top: bool) -> None:
        target_list = list(stmt.targetList or ())
        if top:
            for item in stmt.groupClause or ():
                column = self._key(target(item, target_list))
                if column is not None:
                    self.shape.group_by.append(column)
            self.shape.order_by.extend(sort_keys(stmt.sortClause, self._key, target_list))
            self.shape.limit = self.shape.limit or has_limit(stmt)
        elif has_limit(stmt) and (keys := sort_keys(stmt.sortClause, self._key, target_list, whole=True)):
            self.shape.inner_orders.append((keys, True))
        self.shape.inner_orders.extend((keys, False) for keys in window_orders(stmt, self._key))

    # FROM

    def _from_item(self, node: Any) -> list[Rel]:
        self._enter()
        try:
            rels = self._from(node)
        finally:
            self.depth -= 1
        return rels

    def _from(self, node: Any) -> list[Rel]:
        level = self.levels[-1]
        if isinstance(node, ast.RangeVar):
            return [self._range_var(node)]
        if isinstance(node, ast.JoinExpr):
            left = self._from_item(node.larg)
            right = self._from_item(node.rarg)
            names = [n.sval for n in node.usingClause or ()]
            if node.isNatural:
                known = {c for r in left for c in (r.columns or r.outputs)}
                names = [c for r in right for c in (r.columns or r.outputs) if c in known]
            for name in names:
                a, b = owner(left, name), owner(right, name)
                if a is not None and b is not None:
                    self.shape.joins.append((a, b))
                    self.levels[-1].merged[name] = a  # a bare name now means the join's merged column
            self.where(node.quals, 0)
            return [*left, *right]
        alias = node.alias.aliasname if getattr(node, "alias", None) is not None else ""
        if isinstance(node, ast.RangeSubselect):
            rel = renamed(self.select(node.subquery, top=False), node.alias.colnames if node.alias else None)
            rel.alias = alias
        else:  # functions, table samples, XML/JSON tables
            for part in nodes(node, self.work):
                if isinstance(part, ast.SubLink):
                    self.select(part.subselect, top=False)
            rel = Rel(alias, opaque=True)
        level.append(rel)
        return [rel]

    def _range_var(self, node: Any) -> Rel:
        alias = node.alias.aliasname if node.alias is not None else node.relname
        level = self.levels[-1]
        scopes = [] if node.schemaname else [s for s in reversed(self.ctes) if node.relname in s]
        cte = scopes[0][node.relname] if scopes else None
        if cte is not None:
            rel = Rel(alias, opaque=True)  # a recursive reference to the CTE being read
            if node.relname not in self.expanding:
                rel = renamed(self._derived(node.relname, cte.ctequery), cte.aliascolnames)
            if cte.ctematerialized == CTEMaterialize.CTEMaterializeAlways:
                rel = Rel(alias, opaque=True)  # a fence: outer filters do not reach its tables
        else:
            table = self.catalog.qualify(node.schemaname, node.relname)
            view = self.catalog.view(table)
            if view is not None and table not in self.expanding and len(self.expanding) < MAX_VIEW_DEPTH:
                rel = self._derived(table, one(view))
            else:
                self.shape.tables.append(table)
                rel = Rel(alias, table=table, columns=self.catalog.columns(table))
        rel.alias = alias
        level.append(rel)
        return rel

    def _derived(self, name: str, query: Any) -> Rel:
        """A CTE or view, inlined: its own filters count, outer columns map through its outputs."""
        self.expanding.add(name)
        outer, self.levels = self.levels, self.levels[:-1]
        try:
            return self.select(query, top=False) if isinstance(query, ast.SelectStmt) else Rel("", opaque=True)
        finally:
            self.levels = outer
            self.expanding.discard(name)

    # columns and values

    def _column(self, node: Any) -> ColumnRef | None:
        names: list[str] = [str(f.sval) for f in node.fields if isinstance(f, ast.String)]
        if len(names) != len(node.fields) or not names:
            return None
        column = names[-1]
        if len(names) >= 2:
            qualifier = names[-2]
            schema = names[-3] if len(names) >= 3 else None
            for level in reversed(self.levels):
                for rel in level:
                    if rel.alias == qualifier and (schema is None or (rel.table or "").startswith(schema + ".")):
                        return rel.column(column)
            return None
        for level in reversed(self.levels):
            if column in level.merged:
                return level.merged[column]
            known = [r for r in level if r.has(column)]
            if len(known) == 1:
                return known[0].column(column)
            if known:
                return None  # ambiguous: PostgreSQL would refuse it
            unknown = [r for r in level if r.has(column) is None]
            if len(unknown) == 1 and len(level) == 1:
                return unknown[0].column(column)
            if unknown:
                return ColumnRef("", column)
        return None

    def _key(self, node: Any) -> ColumnRef | None:
        """The column, or the expression over one table's columns, that an index key could be."""
        if isinstance(node, ast.ColumnRef):
            return self._column(node)
        if node is None or isinstance(node, ast.SubLink):
            return None
        inside = list(nodes(node, self.work))
        refs = [n for n in inside if isinstance(n, ast.ColumnRef)]
        if not refs or any(isinstance(n, ast.SubLink) or _aggregate(n) for n in inside):
            return None
        columns = [self._column(r) for r in refs]
        tables = {c.table for c in columns if c is not None}
        if None in columns or len(tables) != 1 or "" in tables:
            return None
        for ref in refs:  # index expressions name columns bare
            ref.fields = ref.fields[-1:]
        return ColumnRef(tables.pop(), str(RawStream()(node)), is_expression=True)

    def _is_value(self, node: Any) -> bool:
        """No column of any scope in it (a sublink is a value computed once: an InitPlan)."""
        if isinstance(node, ast.SubLink):
            return True
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.ColumnRef):
                return False
            if isinstance(current, ast.SubLink):
                continue
            for part in nodes_shallow(current):
                stack.append(part)
        return True

    def _sublinks(self, node: Any) -> None:
        """Walk every subquery inside an expression (scalar subqueries in SELECT, HAVING, SET)."""
        if node is None:
            return
        stack = [node]
        while stack:
            current = stack.pop()
            self.work.step()
            if isinstance(current, ast.SubLink):
                self._sublink(current, 0)
                continue
            stack.extend(nodes_shallow(current))

    def _sublink(self, node: Any, group: int) -> None:
        inner = self.select(node.subselect, top=False)
        kind = node.subLinkType
        if kind == SubLinkType.ANY_SUBLINK and node.testexpr is not None and not group:
            outer = self._key(node.testexpr)
            firsts = [c for c in inner.outputs.values()]
            if outer is not None and len(firsts) == 1 and firsts[0] is not None:
                self.shape.joins.append((outer, firsts[0]))
        if node.testexpr is not None:
            self._sublinks(node.testexpr)


def _output_name(node: Any) -> str | None:
    if isinstance(node, ast.ColumnRef) and isinstance(node.fields[-1], ast.String):
        return str(node.fields[-1].sval)
    if isinstance(node, ast.FuncCall):
        return str(node.funcname[-1].sval)
    return None


_AGGREGATES = {
    "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "json_agg", "jsonb_agg", "bool_and",
    "bool_or", "every", "stddev", "variance", "percentile_cont", "percentile_disc", "mode", "json_object_agg",
}  # fmt: skip


def _aggregate(node: Any) -> bool:
    """Aggregate and window calls: no index can hold them."""
    if not isinstance(node, ast.FuncCall):
        return False
    return bool(node.over or node.agg_star or node.agg_distinct or node.funcname[-1].sval in _AGGREGATES)
