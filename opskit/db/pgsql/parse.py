"""Parsing with PostgreSQL's own grammar (pglast, i.e. libpg_query), bounded before it starts.

libpg_query accepts exactly what the server accepts, but crashes on left-deep operator chains
of ~40k terms, so ``bounds.guard`` refuses statements past fixed bounds first, in one linear pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pglast
from pglast import ast
from pglast.stream import RawStream

from opskit.db.bounds import guard
from opskit.db.interface import UnparseableQuery


@dataclass
class Work:
    """Parse-tree nodes visited for one statement; past ``limit`` the statement is refused."""

    limit: int = 200_000
    used: int = 0

    def step(self) -> None:
        self.used += 1
        if self.used > self.limit:
            raise UnparseableQuery(f"too complex to understand (over {self.limit} parse-tree nodes)")


def parse(sql: str) -> tuple[Any, ...]:
    """The statements of ``sql`` as pglast nodes; raises UnparseableQuery with the parser's reason."""
    guard(sql)
    try:
        return tuple(raw.stmt for raw in pglast.parse_sql(sql))
    except pglast.parser.ParseError as exc:
        raise UnparseableQuery(f"cannot parse: {exc}") from None
    except UnicodeEncodeError:
        raise UnparseableQuery("cannot parse: not valid UTF-8 text") from None


def script_slices(text: str) -> list[slice] | None:
    """Where each statement of a script lies, cut by PostgreSQL's own scanner (fast, linear);
    None when the scanner cannot (an unterminated string: sqlparse then cuts)."""
    try:
        slices = pglast.split(text, with_parser=False, only_slices=True)
    except (pglast.parser.ParseError, UnicodeEncodeError):
        return None
    out = [piece for piece in slices if isinstance(piece, slice)]
    return out if len(out) == len(slices) else None


def one(sql: str) -> Any:
    statements = parse(sql)
    if len(statements) != 1:
        raise UnparseableQuery(f"cannot parse: expected one statement, got {len(statements)}")
    return statements[0]


@dataclass(frozen=True)
class Outline:
    """What a statement is, before any catalog is known: its kind and the relations it names."""

    kind: str  # select, insert, update, delete, view (CREATE VIEW) or utility
    relations: frozenset[tuple[str | None, str]]  # (schema, name) as written
    view: tuple[str, str] | None = None  # CREATE VIEW: (name as written, its SELECT)


def outline(sql: str, work: Work | None = None) -> Outline:
    stmt = one(sql)
    names = frozenset(
        (node.schemaname, node.relname) for node in nodes(stmt, work or Work()) if isinstance(node, ast.RangeVar)
    )
    if isinstance(stmt, ast.ViewStmt):
        view = stmt.view
        name = f"{view.schemaname}.{view.relname}" if view.schemaname else view.relname
        body = str(RawStream()(stmt.query))
        if stmt.aliases:  # CREATE VIEW v (a, b) AS ...: the names the view's columns go by
            columns = ", ".join(str(RawStream()(ast.ColumnRef(fields=(a,)))) for a in stmt.aliases)
            body = f"SELECT * FROM ({body}) AS {view.relname}({columns})"
        return Outline("view", names, (name, body))
    return Outline(KINDS.get(type(stmt), "utility"), names)


def nodes(node: Any, work: Work) -> Iterator[Any]:
    """Every node below ``node``, iteratively (no recursion limit), counting work."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, tuple | list):
            stack.extend(reversed(current))
            continue
        if not isinstance(current, ast.Node):
            continue
        work.step()
        yield current
        for name in current.__slots__:
            value = getattr(current, name, None)
            if isinstance(value, ast.Node | tuple | list):
                stack.append(value)


def inline_views(sql: str, views: Mapping[str, str]) -> str:
    """``sql`` with the named views (defined by the workload, not the database) as leading CTEs."""
    if not views:
        return sql
    stmt = one(sql)
    used = [n.relname for n in nodes(stmt, Work()) if isinstance(n, ast.RangeVar) and n.relname in views]
    if not used or not hasattr(stmt, "withClause"):
        return sql
    ctes = [ast.CommonTableExpr(ctename=name, ctequery=one(views[name])) for name in dict.fromkeys(used)]
    if stmt.withClause is None:
        stmt.withClause = ast.WithClause(ctes=tuple(ctes), recursive=False)
    else:
        stmt.withClause.ctes = (*ctes, *stmt.withClause.ctes)
    return str(RawStream()(stmt))




KINDS = {ast.SelectStmt: "select", ast.UpdateStmt: "update", ast.DeleteStmt: "delete", ast.InsertStmt: "insert"}


def nodes_shallow(node: Any) -> Iterator[Any]:
    """The direct children of a node (or the items of a list)."""
    if isinstance(node, tuple | list):
        yield from node
        return
    if not isinstance(node, ast.Node):
        return
    for name in node.__slots__:
        value = getattr(node, name, None)
        if isinstance(value, ast.Node | tuple | list):
            yield value
