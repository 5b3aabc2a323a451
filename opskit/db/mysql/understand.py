"""Query understanding over sqlparse tokens: the tables, predicates, joins and sort keys of one statement.

Walks SELECT/UPDATE/DELETE/INSERT clause by clause, recursing into CTEs and subqueries.
"""

from __future__ import annotations

import re

import sqlparse
from sqlparse import sql as S
from sqlparse import tokens as T

from opskit.db.bounds import guard
from opskit.db.interface import ColumnRef, NotIndexable, Predicate, PredicateKind, QueryShape, SortKey, UnparseableQuery
from opskit.db.mysql.predicates import atoms_of, column_of, identifier_atom, meaningful, predicates
from opskit.db.mysql.scope import Scope, ident, table_name
from opskit.db.shapes import ShapeBuilder

_UTILITY = re.compile(
    r"(?i)\s*(?:begin|commit|rollback|end|abort|set|show|reset|vacuum|analyze|copy|deallocate|discard|listen"
    r"|unlisten|notify|start|savepoint|release|lock|create|alter|drop|truncate|grant|revoke|comment"
    r"|checkpoint|explain|fetch|close|declare|move|prepare|execute|call|do|refresh|reindex|cluster"
    r"|optimize|repair|check|checksum|flush|kill|use|describe|desc|help|handler|xa|purge|rename|install"
    r"|uninstall|load|cache|binlog|change|backup)\b"  # MySQL/MariaDB's own
)


def understand(sql: str) -> QueryShape:
    """The index-relevant shape of one statement; raises UnparseableQuery or NotIndexable."""
    if _UTILITY.match(sql):
        raise NotIndexable("utility statement")
    guard(sql)
    try:
        statements = [s for s in sqlparse.parse(sql.strip().rstrip(";")) if s.token_first(skip_cm=True) is not None]
    except Exception as exc:  # sqlparse raises assorted errors on garbage
        raise UnparseableQuery(f"cannot parse: {exc}") from None
    if len(statements) != 1:
        raise UnparseableQuery("cannot parse: expected one statement")
    statement = statements[0]
    kind = (statement.get_type() or "UNKNOWN").lower()
    if kind == "unknown":
        raise UnparseableQuery("cannot parse: not a SELECT, INSERT, UPDATE or DELETE statement")
    shape = ShapeBuilder(kind=kind)
    _statement(list(statement.tokens), shape, Scope(), top=True)
    if not shape.tables and kind in ("select", "update", "delete"):
        raise NotIndexable("no table")
    return shape.build()


def _statement(tokens: list[S.Token], shape: ShapeBuilder, scope: Scope, top: bool) -> None:
    """Walk one SELECT/UPDATE/DELETE/INSERT level, recursing into CTEs and subqueries."""
    clause = ""
    last_table: str | None = None
    order: list[S.Token] = []
    clause_tokens: dict[str, list[S.Token]] = {"on": [], "select": [], "group": []}
    for tok in meaningful(tokens):
        value = tok.normalized if tok.ttype is not None else ""
        keyword_before, last_table = last_table, None  # a keyword table's alias follows it at once
        if tok.ttype is T.Keyword.CTE:
            clause = "with"
        elif tok.ttype in T.Keyword and value in ("FOR", "LOCK"):
            clause = "lock"  # FOR UPDATE [SKIP LOCKED | NOWAIT], LOCK IN SHARE MODE: no tables
        elif clause == "lock":
            continue
        elif tok.ttype is T.DML:
            clause = {"SELECT": "select", "UPDATE": "update", "DELETE": "delete", "INSERT": "insert"}.get(
                value, ""
            )
        elif tok.ttype in T.Keyword and (value == "FROM" or "JOIN" in value or value == "INTO"):
            clause = clause if clause in ("insert", "delete") else "from"
        elif tok.ttype in T.Keyword and value in ("ON", "USING"):
            clause = "on" if value == "ON" else "using"
            if clause == "on" and clause_tokens["on"]:
                clause_tokens["on"].append(S.Token(T.Keyword, "AND"))  # each ON is its own conjunction
        elif tok.ttype in T.Keyword and value == "ORDER BY":
            clause = "order"
        elif tok.ttype in T.Keyword and value == "GROUP BY":
            clause = "group"
        elif tok.ttype in T.Keyword and value in ("LIMIT", "FETCH", "FIRST"):
            if top:
                shape.limit = True
            clause = "limit"
        elif tok.ttype in T.Keyword and value in ("SET", "HAVING", "RETURNING", "VALUES", "OFFSET"):
            clause = value.lower()
        elif isinstance(tok, S.Where):
            predicates(list(tok.tokens)[1:], shape, scope, _subquery)
            clause = "where"
        elif clause == "with":
            _ctes(tok, shape, scope)
        elif clause in ("from", "update", "delete", "insert"):
            keyword_table = tok.ttype in T.Keyword and value not in _JOIN_WORDS
            if keyword_table:
                tok = S.Identifier([S.Token(T.Name, tok.value)])  # a table named like a keyword
            elif isinstance(tok, S.Identifier) and keyword_before is not None and _bare_name(tok):
                scope.aliases[tok.value.lower()] = scope.aliases[keyword_before]  # alias of the keyword table
                continue
            found = _from_item(tok, shape, scope, written=clause if clause != "from" else None)
            last_table = found if keyword_table else None
            if clause in ("update", "insert"):
                clause = "set" if clause == "update" else "insert-columns"
        elif clause in clause_tokens:
            clause_tokens[clause].append(tok)
        elif clause == "order":
            order.append(tok)
        elif clause == "set" and isinstance(tok, S.Parenthesis | S.Comparison | S.IdentifierList):
            _subqueries(tok, shape, scope)
        elif clause == "using" and isinstance(tok, S.Parenthesis) and len(scope.joined) >= 2:
            left, right = scope.joined[-2], scope.joined[-1]
            for atom in atoms_of(list(tok.tokens)[1:-1]):
                if atom.kind == "col":
                    name = ident(atom.text)
                    shape.joins.append((ColumnRef(left, name), ColumnRef(right, name)))
    predicates(clause_tokens["on"], shape, scope, _subquery)
    aliases = _select_list(clause_tokens["select"], shape, scope, top)
    if top:
        shape.group_by = [c for tok in clause_tokens["group"] for c in _columns(tok, scope)]
        shape.order_by = [key for tok in order for key in _sort_keys(tok, scope, aliases)]


_JOIN_WORDS = {"AS", "ON", "USING", "LATERAL", "ONLY", "NATURAL"}


def _bare_name(tok: S.Identifier) -> bool:
    return len(tok.tokens) == 1 and tok.tokens[0].ttype in T.Name


def _ctes(tok: S.Token, shape: ShapeBuilder, scope: Scope) -> None:
    items = tok.get_identifiers() if isinstance(tok, S.IdentifierList) else [tok]
    for item in items:
        if isinstance(item, S.Identifier):
            name = item.get_name() or ""
            scope.ctes.add(name.lower())
            for sub in item.tokens:
                if isinstance(sub, S.Parenthesis):
                    _subquery(sub, shape, scope)


def _from_item(tok: S.Token, shape: ShapeBuilder, scope: Scope, written: str | None) -> str | None:
    """Record the tables of a FROM/JOIN/UPDATE/INTO item; return the alias key of a lone bare name."""
    last: str | None = None
    items = tok.get_identifiers() if isinstance(tok, S.IdentifierList) else [tok]
    for item in items:
        if isinstance(item, S.Parenthesis):
            _subquery(item, shape, scope)
            continue
        if isinstance(item, S.Function):  # INSERT INTO t (a, b)
            name_tok = item.tokens[0]
            item = name_tok if isinstance(name_tok, S.Identifier) else S.Identifier([name_tok])
        if not isinstance(item, S.Identifier):
            if item.ttype in T.Name or item.ttype is T.Literal.String.Symbol:
                item = S.Identifier([item])
            else:
                continue
        first = item.token_first(skip_cm=True)
        if isinstance(first, S.Parenthesis):
            _subquery(first, shape, scope)
            alias = item.get_alias()
            if alias:
                scope.aliases[alias.lower()] = None
            continue
        if isinstance(first, S.Function):
            continue  # set-returning function
        real = item.get_real_name()
        if not real:
            continue
        parent = item.get_parent_name()
        alias = (item.get_alias() or real).lower()
        if parent is None and real.lower() in scope.ctes:
            scope.aliases[alias] = None
            continue
        name = table_name(_quoted_name(item, real), parent)
        scope.aliases[alias] = name
        scope.joined.append(name)
        scope.aliases.setdefault(name, name)
        shape.tables.append(name)
        if written:
            shape.written = name
        last = alias if item.get_alias() is None else None
    return last


def _quoted_name(item: S.Identifier, real: str) -> str:
    """sqlparse drops quotes from names; put them back when the source had them."""
    return f'"{real}"' if f'"{real}"' in str(item) else real


def _subquery(paren: S.Parenthesis, shape: ShapeBuilder, outer: Scope) -> ColumnRef | None:
    """Walk a subquery into ``shape``; return its first selected column (what ``x IN (...)`` compares)."""
    inner = [t for t in paren.tokens[1:-1]]
    if not (any(t.ttype is T.DML for t in inner) or any(t.ttype is T.Keyword.CTE for t in inner)):
        return None
    sub = ShapeBuilder(kind="select")
    _statement(inner, sub, Scope(ctes=set(outer.ctes)), top=False)
    shape.tables += sub.tables
    shape.predicates += sub.predicates
    for pair in sub.joins:  # a correlated key is probed once per outer row: an equality on the inner side
        inner = [c for c in pair if c.table in sub.tables]  # the outer side: another table, or unknown here
        if len(inner) == 1:
            shape.predicates.append(Predicate(inner[0], PredicateKind.EQ))
        else:
            shape.joins.append(pair)
    return sub.selected[0] if sub.selected else None


def _subqueries(tok: S.TokenList, shape: ShapeBuilder, scope: Scope) -> None:
    for sub in tok.get_sublists():
        if isinstance(sub, S.Parenthesis):
            _subquery(sub, shape, scope)
        else:
            _subqueries(sub, shape, scope)


# --- select list, ORDER BY, GROUP BY --------------------------------------------------------


def _select_list(
    tokens: list[S.Token], shape: ShapeBuilder, scope: Scope, top: bool
) -> dict[str, ColumnRef | None]:
    """Record the selected columns; return what each alias of the select list names (None: no column)."""
    aliases: dict[str, ColumnRef | None] = {}
    for tok in tokens:
        items = tok.get_identifiers() if isinstance(tok, S.IdentifierList) else [tok]
        for item in items:
            if item.ttype is T.Wildcard or (isinstance(item, S.Identifier) and item.is_wildcard()):
                shape.select_star = shape.select_star or top
                continue
            if isinstance(item, S.Parenthesis):
                _subquery(item, shape, scope)
                continue
            if isinstance(item, S.Identifier | S.Function):
                _subqueries(item, shape, scope)
            if isinstance(item, S.Identifier):  # a subquery's own builder: its columns stay in it
                first = item.token_first(skip_cm=True)
                column = None
                if first is not None and (first.ttype in T.Name or first.ttype is T.Literal.String.Symbol):
                    column = column_of(identifier_atom(_without_alias(item)), scope)
                    if column is not None:
                        shape.selected.append(column)
                alias = item.get_alias()
                if alias:
                    aliases[ident(alias)] = column
    return aliases


def _without_alias(item: S.Identifier) -> S.Identifier:
    kept = []
    for t in item.tokens:
        if t.is_whitespace or (t.ttype in T.Keyword and t.normalized == "AS") or isinstance(t, S.Identifier):
            break
        kept.append(t)
    return S.Identifier(kept) if kept else item


def _columns(tok: S.Token, scope: Scope) -> list[ColumnRef]:
    items = tok.get_identifiers() if isinstance(tok, S.IdentifierList) else [tok]
    out = []
    for item in items:
        atom = identifier_atom(item) if isinstance(item, S.Identifier) else atoms_of([item])[0]
        column = column_of(atom, scope)
        if column is not None:
            out.append(column)
    return out


def _sort_keys(tok: S.Token, scope: Scope, aliases: dict[str, ColumnRef | None]) -> list[SortKey]:
    items = tok.get_identifiers() if isinstance(tok, S.IdentifierList) else [tok]
    keys = []
    for item in items:
        descending = False
        target: S.Token = item
        if isinstance(item, S.Identifier):
            descending = item.get_ordering() == "DESC"
            kept = [t for t in item.tokens if not (t.ttype in T.Keyword.Order or t.is_whitespace)]
            kept = [t for t in kept if not (t.ttype in T.Keyword and t.normalized.startswith("NULLS"))]
            target = kept[0] if len(kept) == 1 else S.Identifier(kept)
        elif item.ttype in T.Keyword.Order:
            continue
        atoms = atoms_of([target])
        if not atoms:
            continue
        bare = ident(atoms[0].text) if atoms[0].kind == "col" and "." not in atoms[0].text else None
        column = aliases[bare] if bare in aliases else column_of(atoms[0], scope)
        if column is None:
            return []  # an unindexable sort key breaks the order for the keys after it
        keys.append(SortKey(column, descending))
    return keys
