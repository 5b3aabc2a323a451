"""WHERE, ON and HAVING conditions over PostgreSQL's parse tree: which predicates an index can serve.

A mixin of the statement walk (``understand._Walker``), which supplies column resolution and
sublink walking: AND keeps conjuncts together, each OR branch gets its own group (one index
per branch, for a BitmapOr), comparisons become equality, range, IN, null, pattern and
containment predicates, and ``a.x = b.y`` a join key.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType
from pglast.stream import RawStream

from opskit.db.interface import ColumnRef, Predicate, PredicateKind, quote_ident
from opskit.db.shapes import ShapeBuilder

_RANGE = {"<", ">", "<=", ">="}
_CONTAINS = {"@>", "<@", "?", "?|", "?&", "&&"}
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "@>": "<@", "<@": "@>", "&&": "&&"}


class PredicateWalk(ABC):
    shape: ShapeBuilder
    groups: int

    @abstractmethod
    def _enter(self) -> None: ...

    @abstractmethod
    def _leave(self) -> None: ...

    @abstractmethod
    def _column(self, node: Any) -> ColumnRef | None: ...

    @abstractmethod
    def _key(self, node: Any) -> ColumnRef | None: ...

    @abstractmethod
    def _is_value(self, node: Any) -> bool: ...

    @abstractmethod
    def _sublinks(self, node: Any) -> None: ...

    @abstractmethod
    def _sublink(self, node: Any, group: int) -> None: ...

    def where(self, node: Any, group: int) -> None:
        if node is None:
            return
        self._enter()
        try:
            self._where(node, group)
        finally:
            self._leave()

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


def _string(node: Any) -> str | None:
    if isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return str(node.val.sval)
    return None
