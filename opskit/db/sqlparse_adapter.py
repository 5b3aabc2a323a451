"""MySQL/MariaDB statements and SQL script splitting on top of sqlparse: the only module importing it.

PostgreSQL statements are read with PostgreSQL's own grammar (``opskit.db.pgsql``); sqlparse
stays for the MySQL dialect (backquotes, ``LIMIT a, b``) and for cutting scripts into statements.

sqlparse gives the statement split, tokens and coarse grouping (identifiers, WHERE, parentheses);
its grouping of predicates is uneven, so predicates are read here from a flat run of atoms per
clause: ``col op value``, ``col IN (...)``, ``col IS [NOT] NULL``, ``col BETWEEN a AND b``, and
``col = other.col`` join keys. Terms under OR cannot be served by one btree scan and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlparse
from sqlparse import sql as S
from sqlparse import tokens as T

from opskit.db.bounds import guard
from opskit.db.interface import (
    ColumnRef,
    NotIndexable,
    Predicate,
    PredicateKind,
    QueryShape,
    SortKey,
    UnparseableQuery,
    quote_ident,
)
from opskit.db.shapes import ShapeBuilder

DEFAULT_SCHEMA = "public"
_RANGE_OPS = {"<", ">", "<=", ">=", "<>"}
_SPACE = re.compile(r"\s+")
_LEADING_COMMENTS = re.compile(r"(?:\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/))*\s*", re.S)




_UTILITY = re.compile(
    r"(?i)\s*(?:begin|commit|rollback|end|abort|set|show|reset|vacuum|analyze|copy|deallocate|discard|listen"
    r"|unlisten|notify|start|savepoint|release|lock|create|alter|drop|truncate|grant|revoke|comment"
    r"|checkpoint|explain|fetch|close|declare|move|prepare|execute|call|do|refresh|reindex|cluster)\b"
)


def split_statements(text: str) -> Iterator[tuple[int, str]]:
    """Each statement of a SQL script (leading comments dropped) with the line it starts on.

    Lines are counted incrementally, so a script of many statements stays linear.
    """
    at, line, counted = 0, 1, 0
    for raw in sqlparse.split(text, strip_semicolon=True):
        found = text.find(raw, at)
        lead = _LEADING_COMMENTS.match(raw)
        skipped = lead.end() if lead else 0
        body = raw[skipped:].strip()
        start = max(counted, (found if found >= 0 else at) + skipped)
        if found >= 0:
            at = found + len(raw)
        if body:
            line += text.count("\n", counted, start)
            counted = start
            yield line, body


def table_name(name: str, schema: str | None = None) -> str:
    """``schema.table`` with quotes removed and unquoted names folded to lower case."""
    return f"{_ident(schema) if schema else DEFAULT_SCHEMA}.{_ident(name)}"


def _ident(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


@dataclass(frozen=True)
class _Atom:
    kind: str  # col, expr, value, op, kw, paren, other
    text: str
    token: S.Token | None = None


@dataclass
class _Scope:
    """Tables visible in one SELECT: alias -> ``schema.table`` (None for CTEs and subqueries)."""

    aliases: dict[str, str | None] = field(default_factory=dict)
    ctes: set[str] = field(default_factory=set)
    joined: list[str] = field(default_factory=list)  # real tables in FROM/JOIN order, for USING

    def real_tables(self) -> list[str]:
        return sorted({t for t in self.aliases.values() if t})


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
    _statement(list(statement.tokens), shape, _Scope(), top=True)
    if not shape.tables and kind in ("select", "update", "delete"):
        raise NotIndexable("no table")
    return shape.build()


def _meaningful(tokens: list[S.Token]) -> list[S.Token]:
    return [t for t in tokens if not t.is_whitespace and t.ttype not in T.Comment and not isinstance(t, S.Comment)]


def _statement(tokens: list[S.Token], shape: ShapeBuilder, scope: _Scope, top: bool) -> None:
    """Walk one SELECT/UPDATE/DELETE/INSERT level, recursing into CTEs and subqueries."""
    clause = ""
    last_table: str | None = None
    order: list[S.Token] = []
    clause_tokens: dict[str, list[S.Token]] = {"on": [], "select": [], "group": []}
    for tok in _meaningful(tokens):
        value = tok.normalized if tok.ttype is not None else ""
        if tok.ttype is T.Keyword.CTE:
            clause = "with"
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
            _predicates(list(tok.tokens)[1:], shape, scope)
            clause = "where"
        elif clause == "with":
            _ctes(tok, shape, scope)
        elif clause in ("from", "update", "delete", "insert"):
            if tok.ttype in T.Keyword and value not in _JOIN_WORDS:
                tok = S.Identifier([S.Token(T.Name, tok.value)])  # a table named like a keyword
            elif isinstance(tok, S.Identifier) and last_table is not None and _bare_name(tok):
                scope.aliases[tok.value.lower()] = scope.aliases[last_table]  # alias of the keyword table
                continue
            last_table = _from_item(tok, shape, scope, written=clause if clause != "from" else None)
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
            for atom in _atoms(list(tok.tokens)[1:-1]):
                if atom.kind == "col":
                    name = _ident(atom.text)
                    shape.joins.append((ColumnRef(left, name), ColumnRef(right, name)))
    _predicates(clause_tokens["on"], shape, scope)
    _select_list(clause_tokens["select"], shape, scope, top)
    if top:
        shape.group_by = [c for tok in clause_tokens["group"] for c in _columns(tok, scope)]
        shape.order_by = [key for tok in order for key in _sort_keys(tok, scope)]


_JOIN_WORDS = {"AS", "ON", "USING", "LATERAL", "ONLY", "NATURAL"}


def _bare_name(tok: S.Identifier) -> bool:
    return len(tok.tokens) == 1 and tok.tokens[0].ttype in T.Name


def _ctes(tok: S.Token, shape: ShapeBuilder, scope: _Scope) -> None:
    items = tok.get_identifiers() if isinstance(tok, S.IdentifierList) else [tok]
    for item in items:
        if isinstance(item, S.Identifier):
            name = item.get_name() or ""
            scope.ctes.add(name.lower())
            for sub in item.tokens:
                if isinstance(sub, S.Parenthesis):
                    _subquery(sub, shape, scope)


def _from_item(tok: S.Token, shape: ShapeBuilder, scope: _Scope, written: str | None) -> str | None:
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


def _subquery(paren: S.Parenthesis, shape: ShapeBuilder, outer: _Scope) -> None:
    inner = [t for t in paren.tokens[1:-1]]
    if any(t.ttype is T.DML for t in inner) or any(t.ttype is T.Keyword.CTE for t in inner):
        sub = ShapeBuilder(kind="select")
        _statement(inner, sub, _Scope(ctes=set(outer.ctes)), top=False)
        shape.tables += sub.tables
        shape.predicates += sub.predicates
        shape.joins += sub.joins


def _subqueries(tok: S.TokenList, shape: ShapeBuilder, scope: _Scope) -> None:
    for sub in tok.get_sublists():
        if isinstance(sub, S.Parenthesis):
            _subquery(sub, shape, scope)
        else:
            _subqueries(sub, shape, scope)


# --- predicates ------------------------------------------------------------------------------


def _atoms(tokens: list[S.Token]) -> list[_Atom]:
    """Flatten grouped tokens into atoms; identifiers and function calls stay whole."""
    out: list[_Atom] = []
    for tok in _meaningful(tokens):
        if isinstance(tok, S.Comparison):
            out += _atoms(list(tok.tokens))
        elif isinstance(tok, S.Identifier):
            out.append(_identifier_atom(tok))
        elif isinstance(tok, S.Function):
            out.append(_Atom("expr", _expr_text(tok), tok))
        elif isinstance(tok, S.Parenthesis):
            out.append(_Atom("paren", str(tok), tok))
        elif isinstance(tok, S.IdentifierList | S.Operation):
            out += _atoms(list(tok.tokens))
        elif tok.ttype in T.Comparison or (tok.ttype in T.Keyword and tok.normalized in ("LIKE", "ILIKE")):
            out.append(_Atom("op", tok.normalized))
        elif tok.ttype in T.Keyword:
            out.append(_Atom("kw", tok.normalized))
        elif tok.ttype in T.Literal or tok.ttype in T.Name.Placeholder:
            out.append(_Atom("value", tok.value))
        elif tok.ttype in T.Name:
            out.append(_Atom("col", tok.value))
        else:
            out.append(_Atom("other", tok.value))
    return out


def _identifier_atom(tok: S.Identifier) -> _Atom:
    inner = _meaningful(list(tok.tokens))
    if any(isinstance(t, S.Function | S.Parenthesis) for t in inner) or "::" in str(tok):
        first = inner[0] if inner else tok
        if isinstance(first, S.Function) and len(inner) == 1:
            return _Atom("expr", _expr_text(first), first)
        if "::" in str(tok):
            return _Atom("expr", _expr_text(tok), tok)
        return _Atom("other", str(tok), tok)
    if all(t.ttype in T.Name or t.ttype is T.Literal.String.Symbol or t.match(T.Punctuation, ".") for t in inner):
        return _Atom("col", "".join(t.value for t in inner), tok)
    if inner and inner[0].ttype in T.Literal:
        return _Atom("value", str(tok), tok)
    return _Atom("other", str(tok), tok)


def _expr_text(tok: S.Token) -> str:
    """An expression as index DDL wants it: aliases dropped, spacing normalised."""
    parts = []
    flat = list(tok.flatten())
    skip_next_dot = False
    for i, t in enumerate(flat):
        if skip_next_dot:
            skip_next_dot = False
            if t.match(T.Punctuation, "."):
                continue
        if t.ttype in T.Name and i + 1 < len(flat) and flat[i + 1].match(T.Punctuation, "."):
            skip_next_dot = True
            continue
        parts.append(t.value.lower() if t.ttype in T.Name or t.ttype in T.Keyword else t.value)
    text = _SPACE.sub(" ", "".join(parts)).strip()
    return text.replace("( ", "(").replace(" )", ")")


def _column(atom: _Atom, scope: _Scope) -> ColumnRef | None:
    """The column (or expression) an atom names, attributed to a table when possible."""
    if atom.kind == "col":
        parts = [_ident(p) for p in atom.text.split(".")]
        if len(parts) >= 2:
            qualifier = parts[-2] if len(parts) == 2 else f"{parts[-3]}.{parts[-2]}"
            table = scope.aliases.get(qualifier, "")
            if table is None:
                return None
            if len(parts) == 3 and not table:
                table = f"{parts[0]}.{parts[1]}"
            return ColumnRef(table, parts[-1])
        return ColumnRef(_only_table(scope), parts[0])
    if atom.kind == "expr" and atom.token is not None:
        qualifiers = {
            t.value.lower()
            for t in _name_qualifiers(atom.token)
        }
        tables = {scope.aliases.get(q) for q in qualifiers}
        if None in tables and qualifiers:
            return None
        table = next(iter(tables)) if len(tables) == 1 else _only_table(scope)
        if not _references_column(atom.token):
            return None
        return ColumnRef(table or "", atom.text, is_expression=True)
    return None


def _name_qualifiers(tok: S.Token) -> list[S.Token]:
    flat = list(tok.flatten())
    return [t for i, t in enumerate(flat[:-1]) if t.ttype in T.Name and flat[i + 1].match(T.Punctuation, ".")]


def _references_column(tok: S.Token) -> bool:
    """An expression worth indexing mentions a column (``now()`` does not)."""
    flat = list(tok.flatten())
    for i, t in enumerate(flat):
        is_call = i + 1 < len(flat) and flat[i + 1].match(T.Punctuation, "(")
        if t.ttype in T.Name and t.ttype not in T.Name.Placeholder and not is_call:
            return True
    return False


def _only_table(scope: _Scope) -> str:
    tables = scope.real_tables()
    return tables[0] if len(tables) == 1 else ""


def _terms(atoms: list[_Atom]) -> tuple[list[list[_Atom]], bool]:
    """Split atoms at top-level AND; report whether an OR joins them (then none is usable)."""
    terms: list[list[_Atom]] = [[]]
    has_or = False
    in_between = False
    for atom in atoms:
        if atom.kind == "kw" and atom.text == "BETWEEN":
            in_between = True
        elif atom.kind == "kw" and atom.text == "AND":
            if in_between:
                in_between = False
            else:
                terms.append([])
                continue
        elif atom.kind == "kw" and atom.text == "OR":
            has_or = True
        terms[-1].append(atom)
    return [t for t in terms if t], has_or


def _is_value(atom: _Atom) -> bool:
    if atom.kind == "value":
        return True
    if atom.kind == "kw" and atom.text in ("TRUE", "FALSE", "NULL", "CURRENT_DATE", "CURRENT_TIMESTAMP"):
        return True
    if atom.kind == "expr" and atom.token is not None:
        return not _references_column(atom.token)
    if atom.kind == "paren" and atom.token is not None:
        return not any(t.ttype is T.DML for t in atom.token.flatten())
    return atom.kind == "other" and atom.text.startswith(("interval", "INTERVAL", "'"))


def _predicates(tokens: list[S.Token], shape: ShapeBuilder, scope: _Scope) -> None:
    atoms = _atoms(tokens)
    terms, has_or = _terms(atoms)
    for term in terms:
        for atom in term:
            if atom.kind == "paren" and isinstance(atom.token, S.Parenthesis):
                if any(t.ttype is T.DML for t in atom.token.tokens):
                    _subquery(atom.token, shape, scope)
                elif not has_or and len(term) == 1:
                    _predicates(list(atom.token.tokens)[1:-1], shape, scope)
        if not has_or:
            _term(term, shape, scope)


def _term(term: list[_Atom], shape: ShapeBuilder, scope: _Scope) -> None:
    head = _column(term[0], scope) if term[0].kind in ("col", "expr") else None
    if head is None and len(term) >= 3 and term[1].kind == "op" and _is_value(term[0]):
        term = [term[2], _Atom("op", _flip(term[1].text)), term[0], *term[3:]]
        head = _column(term[0], scope) if term[0].kind in ("col", "expr") else None
    if head is None or len(term) < 2:
        return
    second = term[1]
    if second.kind == "op" and len(term) >= 3:
        other = term[2]
        if second.text == "=" and other.kind == "col":
            right = _column(other, scope)
            if right is not None and right != head:
                shape.joins.append((head, right))
            return
        if not _is_value(other) or second.text in ("LIKE", "ILIKE", "!=", "<>"):
            return
        if second.text == "=":
            constant = None
            if other.kind == "kw" and other.text in ("TRUE", "FALSE"):
                constant = f"{_sql_name(head)} = {other.text.lower()}"
            shape.predicates.append(Predicate(head, PredicateKind.EQ, constant))
        elif second.text in _RANGE_OPS:
            shape.predicates.append(Predicate(head, PredicateKind.RANGE))
    elif second.kind == "kw" and second.text == "IN" and len(term) >= 3:
        shape.predicates.append(Predicate(head, PredicateKind.IN))
    elif second.kind == "kw" and second.text == "BETWEEN":
        shape.predicates.append(Predicate(head, PredicateKind.RANGE))
    elif second.kind == "kw" and second.text == "IS" and len(term) >= 3:
        rest = " ".join(a.text for a in term[2:])
        if rest == "NULL":
            shape.predicates.append(Predicate(head, PredicateKind.IS_NULL, f"{_sql_name(head)} IS NULL"))
        elif rest == "NOT NULL":
            shape.predicates.append(Predicate(head, PredicateKind.IS_NOT_NULL, f"{_sql_name(head)} IS NOT NULL"))
    elif second.kind == "kw" and second.text == "NOT NULL":
        shape.predicates.append(Predicate(head, PredicateKind.IS_NOT_NULL, f"{_sql_name(head)} IS NOT NULL"))


def _sql_name(col: ColumnRef) -> str:
    return col.expr if col.is_expression else quote_ident(col.expr)


def _flip(op: str) -> str:
    return {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)


# --- select list, ORDER BY, GROUP BY --------------------------------------------------------


def _select_list(tokens: list[S.Token], shape: ShapeBuilder, scope: _Scope, top: bool) -> None:
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
            if top and isinstance(item, S.Identifier):
                first = item.token_first(skip_cm=True)
                if first is not None and (first.ttype in T.Name or first.ttype is T.Literal.String.Symbol):
                    column = _column(_identifier_atom(_without_alias(item)), scope)
                    if column is not None:
                        shape.selected.append(column)


def _without_alias(item: S.Identifier) -> S.Identifier:
    kept = []
    for t in item.tokens:
        if t.is_whitespace or (t.ttype in T.Keyword and t.normalized == "AS") or isinstance(t, S.Identifier):
            break
        kept.append(t)
    return S.Identifier(kept) if kept else item


def _columns(tok: S.Token, scope: _Scope) -> list[ColumnRef]:
    items = tok.get_identifiers() if isinstance(tok, S.IdentifierList) else [tok]
    out = []
    for item in items:
        atom = _identifier_atom(item) if isinstance(item, S.Identifier) else _atoms([item])[0]
        column = _column(atom, scope)
        if column is not None:
            out.append(column)
    return out


def _sort_keys(tok: S.Token, scope: _Scope) -> list[SortKey]:
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
        atoms = _atoms([target])
        if not atoms:
            continue
        column = _column(atoms[0], scope)
        if column is None:
            return []  # an unindexable sort key breaks the order for the keys after it
        keys.append(SortKey(column, descending))
    return keys
