"""Query understanding over PostgreSQL's parse tree: what a statement asks of each table.

Every column is attributed to the relation it really belongs to (inner or outer scope, through
subqueries, CTEs and views) using the catalog's column lists; equalities to a value travel across
join keys; OR disjuncts are kept apart (one index each, for a BitmapOr). Work and depth are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, CTEMaterialize, NullTestType, SetOperation, SubLinkType
from pglast.stream import RawStream

from opskit.db.interface import (
    Catalog,
    ColumnRef,
    NotIndexable,
    Predicate,
    PredicateKind,
    QueryShape,
    SortKey,
    UnparseableQuery,
    quote_ident,
)
from opskit.db.pgsql.parse import KINDS, Work, nodes, nodes_shallow, one
from opskit.db.pgsql.scope import Level, Rel, owner, renamed

MAX_DEPTH = 150  # depth of the walk over the parse tree
MAX_VIEW_DEPTH = 5  # views over views
_RANGE = {"<", ">", "<=", ">="}
_CONTAINS = {"@>", "<@", "?", "?|", "?&", "&&"}
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "@>": "<@", "<@": "@>", "&&": "&&"}


@dataclass
class _Shape:
    kind: str
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


def understand(sql: str, catalog: Catalog, work: Work | None = None) -> QueryShape:
    """The index-relevant shape of one statement; raises UnparseableQuery or NotIndexable."""
    stmt = one(sql)
    kind = KINDS.get(type(stmt))
    if kind is None:
        raise NotIndexable("utility statement")
    walker = _Walker(catalog, work or Work(), _Shape(kind))
    walker.statement(stmt)
    shape = walker.shape
    if not shape.tables:
        raise NotIndexable("no table")
    predicates = _propagate(shape.predicates, shape.joins)
    return QueryShape(
        kind=kind,
        tables=tuple(dict.fromkeys(shape.tables)),
        predicates=tuple(dict.fromkeys(predicates)),
        joins=tuple(dict.fromkeys(shape.joins)),
        order_by=tuple(shape.order_by),
        group_by=tuple(dict.fromkeys(shape.group_by)),
        selected=tuple(dict.fromkeys(shape.selected)),
        select_star=shape.select_star,
        limit=shape.limit,
        written_table=shape.written,
        params=tuple(sorted(shape.params.items())),
    )


def _propagate(predicates: list[Predicate], joins: list[tuple[ColumnRef, ColumnRef]]) -> list[Predicate]:
    """Equalities to a value reach every column joined to theirs (``a.id = b.a_id AND a.id = 1``)."""
    linked: dict[ColumnRef, set[ColumnRef]] = {}
    for a, b in joins:
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    out = list(predicates)
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


class _Walker:
    def __init__(self, catalog: Catalog, work: Work, shape: _Shape) -> None:
        self.catalog = catalog
        self.work = work
        self.shape = shape
        self.levels: list[Level] = []
        self.ctes: list[dict[str, Any]] = []
        self.expanding: set[str] = set()
        self.depth = 0
        self.groups = 0

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
            targets: dict[str, Any] = {}
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
                targets[name] = res.val
                if top and isinstance(res.val, ast.ColumnRef) and column is not None:
                    self.shape.selected.append(column)
            if top:
                self._top_clauses(stmt, list(stmt.targetList or ()), targets)
            return out
        finally:
            self.levels.pop()
            if pushed:
                self.ctes.pop()

    def _top_clauses(self, stmt: Any, target_list: list[Any], targets: dict[str, Any]) -> None:
        for item in stmt.groupClause or ():
            column = self._key(_target(item, target_list, targets))
            if column is not None:
                self.shape.group_by.append(column)
        for sort in stmt.sortClause or ():
            column = self._key(_target(sort.node, target_list, targets))
            if column is None:
                break  # an unindexable key breaks the order for the keys after it
            self.shape.order_by.append(SortKey(column, sort.sortby_dir == 2))  # SORTBY_DESC
        count = stmt.limitCount
        if count is not None and not (isinstance(count, ast.A_Const) and count.isnull):
            self.shape.limit = True

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

    # WHERE

    def where(self, node: Any, group: int) -> None:
        if node is None:
            return
        self._enter()
        try:
            self._where(node, group)
        finally:
            self.depth -= 1

    def _where(self, node: Any, group: int) -> None:
        if isinstance(node, ast.BoolExpr):
            if node.boolop == BoolExprType.AND_EXPR:
                for arg in node.args:
                    self.where(arg, group)
            elif node.boolop == BoolExprType.OR_EXPR:
                for arg in node.args:
                    self.groups += 1
                    self.where(arg, self.groups)
            else:  # NOT: no index serves it, but NOT EXISTS still correlates
                for arg in node.args:
                    if isinstance(arg, ast.ColumnRef):
                        self._predicate(self._column(arg), PredicateKind.EQ, group, "= false")
                    else:
                        self._sublinks(arg)
        elif isinstance(node, ast.SubLink):
            self._sublink(node, group)
        elif isinstance(node, ast.NullTest):
            null = node.nulltesttype == NullTestType.IS_NULL
            self._predicate(
                self._key(node.arg),
                PredicateKind.IS_NULL if null else PredicateKind.IS_NOT_NULL,
                group,
                "IS NULL" if null else "IS NOT NULL",
            )
        elif isinstance(node, ast.A_Expr):
            self._comparison(node, group)
        elif isinstance(node, ast.ColumnRef):
            self._predicate(self._column(node), PredicateKind.EQ, group, "= true")
        else:
            self._sublinks(node)

    def _comparison(self, node: Any, group: int) -> None:
        op = node.name[-1].sval if node.name else ""
        left, right = node.lexpr, node.rexpr
        self._sublinks(left)
        self._sublinks(right)
        kind = node.kind
        if kind == A_Expr_Kind.AEXPR_OP and not self._is_value(right) and self._is_value(left):
            left, right, op = right, left, _FLIP.get(op, "")
        if kind == A_Expr_Kind.AEXPR_OP and op == "=" and isinstance(left, ast.ColumnRef) and isinstance(
            right, ast.ColumnRef
        ):
            a, b = self._column(left), self._column(right)
            if a is not None and b is not None and a != b and not group:
                self.shape.joins.append((a, b))
            return
        if not self._is_value(right):
            return
        column = self._key(left)
        param = right.arg if isinstance(right, ast.TypeCast) else right
        if isinstance(param, ast.ParamRef) and column is not None and not column.is_expression:
            self.shape.params.setdefault(param.number, column)
        if kind == A_Expr_Kind.AEXPR_OP and op == "=":
            literal = str(RawStream()(right)) if isinstance(right, ast.A_Const | ast.TypeCast) else None
            self._predicate(column, PredicateKind.EQ, group, literal=literal)
        elif kind == A_Expr_Kind.AEXPR_OP and op in _RANGE:
            self._predicate(column, PredicateKind.RANGE, group)
        elif kind == A_Expr_Kind.AEXPR_OP and op in _CONTAINS:
            self._predicate(column, PredicateKind.CONTAINS, group)
        elif (kind == A_Expr_Kind.AEXPR_IN and op == "=") or (kind == A_Expr_Kind.AEXPR_OP_ANY and op == "="):
            self._predicate(column, PredicateKind.IN, group)
        elif kind in (A_Expr_Kind.AEXPR_BETWEEN, A_Expr_Kind.AEXPR_BETWEEN_SYM):
            self._predicate(column, PredicateKind.RANGE, group)
        elif kind == A_Expr_Kind.AEXPR_LIKE and op == "~~":
            pattern = _string(right)
            prefix = pattern is not None and pattern[:1] not in ("%", "_", "") and not pattern.startswith("\\")
            self._predicate(column, PredicateKind.PREFIX if prefix else PredicateKind.PATTERN, group)
        elif kind == A_Expr_Kind.AEXPR_ILIKE and op == "~~*":
            self._predicate(column, PredicateKind.PATTERN, group)

    def _predicate(
        self, column: ColumnRef | None, kind: PredicateKind, group: int, test: str = "", literal: str | None = None
    ) -> None:
        if column is None:
            return
        name = column.expr if column.is_expression else quote_ident(column.expr)
        if test.startswith("="):  # a boolean column tested on its own
            constant: str | None = f"{name} {test}"
        else:
            constant = f"{name} {test}" if test else None
        if literal is not None and literal.lower() in ("true", "false"):
            constant = f"{name} = {literal.lower()}"
        self.shape.predicates.append(Predicate(column, kind, constant, group=group, literal=literal))


def _output_name(node: Any) -> str | None:
    if isinstance(node, ast.ColumnRef) and isinstance(node.fields[-1], ast.String):
        return str(node.fields[-1].sval)
    if isinstance(node, ast.FuncCall):
        return str(node.funcname[-1].sval)
    return None


def _target(node: Any, target_list: list[Any], targets: dict[str, Any]) -> Any:
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


_AGGREGATES = {
    "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "json_agg", "jsonb_agg", "bool_and",
    "bool_or", "every", "stddev", "variance", "percentile_cont", "percentile_disc", "mode", "json_object_agg",
}  # fmt: skip


def _aggregate(node: Any) -> bool:
    """Aggregate and window calls: no index can hold them."""
    if not isinstance(node, ast.FuncCall):
        return False
    return bool(node.over or node.agg_star or node.agg_distinct or node.funcname[-1].sval in _AGGREGATES)


def _string(node: Any) -> str | None:
    if isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return str(node.val.sval)
    return None
