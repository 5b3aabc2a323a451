"""WHERE and ON conditions read from sqlparse tokens: which predicates an index can serve.

sqlparse's grouping of predicates is uneven, so they are read from a flat run of atoms per clause:
``col op value``, ``col IN (...)``, ``col IS [NOT] NULL``, ``col BETWEEN a AND b``, and
``col = other.col`` join keys. Terms under OR cannot be served by one btree scan and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlparse import sql as S
from sqlparse import tokens as T

from opskit.db.interface import ColumnRef, Predicate, PredicateKind
from opskit.db.mysql.scope import Scope, ident
from opskit.db.shapes import ShapeBuilder

_RANGE_OPS = {"<", ">", "<=", ">=", "<>"}
_SPACE = re.compile(r"\s+")

# walks a subquery into the shape and returns its first selected column: understand's statement walk,
# passed in so this module does not import it
Subquery = Callable[[S.Parenthesis, ShapeBuilder, Scope], ColumnRef | None]


@dataclass(frozen=True)
class Atom:
    kind: str  # col, expr, value, op, kw, paren, other
    text: str
    token: S.Token | None = None


def meaningful(tokens: list[S.Token]) -> list[S.Token]:
    return [t for t in tokens if not t.is_whitespace and t.ttype not in T.Comment and not isinstance(t, S.Comment)]


def atoms_of(tokens: list[S.Token]) -> list[Atom]:
    """Flatten grouped tokens into atoms; identifiers and function calls stay whole."""
    out: list[Atom] = []
    for tok in meaningful(tokens):
        if isinstance(tok, S.Comparison):
            out += atoms_of(list(tok.tokens))
        elif isinstance(tok, S.Identifier):
            out.append(identifier_atom(tok))
        elif isinstance(tok, S.Function):
            out.append(Atom("expr", _expr_text(tok), tok))
        elif isinstance(tok, S.Parenthesis):
            out.append(Atom("paren", str(tok), tok))
        elif isinstance(tok, S.IdentifierList | S.Operation):
            out += atoms_of(list(tok.tokens))
        elif tok.ttype in T.Comparison or (tok.ttype in T.Keyword and tok.normalized in ("LIKE", "ILIKE")):
            out.append(Atom("op", tok.normalized))
        elif tok.ttype in T.Keyword:
            out.append(Atom("kw", tok.normalized))
        elif tok.ttype in T.Literal or tok.ttype in T.Name.Placeholder:
            out.append(Atom("value", tok.value))
        elif tok.ttype in T.Name:
            out.append(Atom("col", tok.value))
        else:
            out.append(Atom("other", tok.value))
    return out


def identifier_atom(tok: S.Identifier) -> Atom:
    inner = meaningful(list(tok.tokens))
    if any(isinstance(t, S.Function | S.Parenthesis) for t in inner) or "::" in str(tok):
        first = inner[0] if inner else tok
        if isinstance(first, S.Function) and len(inner) == 1:
            return Atom("expr", _expr_text(first), first)
        if "::" in str(tok):
            return Atom("expr", _expr_text(tok), tok)
        return Atom("other", str(tok), tok)
    if all(t.ttype in T.Name or t.ttype is T.Literal.String.Symbol or t.match(T.Punctuation, ".") for t in inner):
        return Atom("col", "".join(t.value for t in inner), tok)
    if inner and inner[0].ttype in T.Literal:
        return Atom("value", str(tok), tok)
    return Atom("other", str(tok), tok)


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


def column_of(atom: Atom, scope: Scope) -> ColumnRef | None:
    """The column (or expression) an atom names, attributed to a table when possible."""
    if atom.kind == "col":
        parts = [ident(p) for p in atom.text.split(".")]
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
    """An expression worth indexing mentions a column (``now()``, ``INTERVAL 7 DAY`` do not)."""
    flat = list(tok.flatten())
    for i, t in enumerate(flat):
        is_call = i + 1 < len(flat) and flat[i + 1].match(T.Punctuation, "(")
        if t.ttype in T.Name and t.ttype not in T.Name.Placeholder and t.ttype not in T.Name.Builtin and not is_call:
            return True
    return False


def _only_table(scope: Scope) -> str:
    tables = scope.real_tables()
    return tables[0] if len(tables) == 1 else ""


def _terms(atoms: list[Atom]) -> tuple[list[list[Atom]], bool]:
    """Split atoms at top-level AND; report whether an OR joins them (then none is usable)."""
    terms: list[list[Atom]] = [[]]
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


def _is_value(atom: Atom) -> bool:
    if atom.kind == "value":
        return True
    if atom.kind == "kw" and atom.text in ("TRUE", "FALSE", "NULL", "CURRENT_DATE", "CURRENT_TIMESTAMP"):
        return True
    if atom.kind == "expr" and atom.token is not None:
        return not _references_column(atom.token)
    if atom.kind == "paren" and atom.token is not None:
        return not any(t.ttype is T.DML for t in atom.token.flatten())
    return atom.kind == "other" and atom.text.startswith(("interval", "INTERVAL", "'"))


def predicates(tokens: list[S.Token], shape: ShapeBuilder, scope: Scope, subquery: Subquery) -> None:
    atoms = atoms_of(tokens)
    terms, has_or = _terms(atoms)
    for term in terms:
        for atom in term:
            if atom.kind == "paren" and isinstance(atom.token, S.Parenthesis):
                if any(t.ttype is T.DML for t in atom.token.tokens):
                    inner = subquery(atom.token, shape, scope)
                    if inner is not None and not has_or:
                        _anti_join(term, inner, shape)
                elif not has_or and len(term) == 1:
                    predicates(list(atom.token.tokens)[1:-1], shape, scope, subquery)
        if not has_or:
            _term(term, shape, scope)


def _anti_join(term: list[Atom], inner: ColumnRef, shape: ShapeBuilder) -> None:
    """``col NOT IN (SELECT inner ...)``: MySQL probes the subquery's column once per outer row
    (an anti-join or ``index_subquery``), an equality on the inner column; the outer side is scanned."""
    if term[0].kind == "col" and [a.text for a in term[1:-1]] == ["NOT", "IN"] and term[-1].kind == "paren":
        shape.predicates.append(Predicate(inner, PredicateKind.EQ))


def _fulltext(term: list[Atom], scope: Scope) -> list[ColumnRef]:
    """The columns of ``MATCH (a, b) AGAINST (...)``, in order; [] for any other term."""
    if not any(a.kind == "expr" and a.text.startswith("against") for a in term):
        return []
    first = term[0]
    if first.kind == "kw" and first.text == "MATCH" and len(term) > 1 and isinstance(term[1].token, S.Parenthesis):
        names: list[S.Token] = []
        for tok in meaningful(list(term[1].token.tokens)[1:-1]):
            names += list(tok.get_identifiers()) if isinstance(tok, S.IdentifierList) else [tok]
    elif first.kind == "expr" and first.text.startswith("match(") and isinstance(first.token, S.Function):
        names = list(first.token.get_parameters())
    else:
        return []
    atoms = [identifier_atom(n) if isinstance(n, S.Identifier) else Atom("col", n.value) for n in names]
    columns = [column_of(a, scope) for a in atoms if a.kind == "col"]
    return [c for c in columns if c is not None] if len(columns) == len(names) else []


# keywords sqlparse knows that MySQL lets a column be named (Drupal's ``language``, ``type``, ``level``)
_NOT_A_NAME = {"NOT", "EXISTS", "MATCH", "CASE", "WHEN", "THEN", "ELSE", "END", "NULL", "TRUE", "FALSE", "BINARY",
               "INTERVAL", "WHERE", "ON", "HAVING", "DISTINCT", "ALL", "ANY", "SOME", "ROW", "DEFAULT",
               "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "UNKNOWN"}  # fmt: skip


def _term(term: list[Atom], shape: ShapeBuilder, scope: Scope) -> None:
    if fulltext := _fulltext(term, scope):
        shape.predicates += [Predicate(c, PredicateKind.FULLTEXT) for c in fulltext]
        return
    named = len(term) >= 3 and term[0].kind == "kw" and term[0].text not in _NOT_A_NAME
    if named and (term[1].kind == "op" or (term[1].kind == "kw" and term[1].text in ("IN", "IS", "BETWEEN"))):
        term = [Atom("col", term[0].text.lower()), *term[1:]]
    head = column_of(term[0], scope) if term[0].kind in ("col", "expr") else None
    if head is None and len(term) >= 3 and term[1].kind == "op" and _is_value(term[0]):
        term = [term[2], Atom("op", _flip(term[1].text)), term[0], *term[3:]]
        head = column_of(term[0], scope) if term[0].kind in ("col", "expr") else None
    if head is None or len(term) < 2:
        return
    second = term[1]
    if second.kind == "op" and len(term) >= 3:
        other = term[2]
        if second.text == "=" and other.kind == "col":
            right = column_of(other, scope)
            if right is not None and right != head:
                shape.joins.append((head, right))
            return
        if second.text == "LIKE" and _fixed_prefix(other):
            # MySQL ranges over a LIKE prefix; the pattern marks the one range a TEXT prefix index serves
            shape.predicates.append(Predicate(head, PredicateKind.RANGE, literal=other.text))
        if not _is_value(other) or second.text in ("LIKE", "ILIKE", "!=", "<>"):
            return
        if second.text == "=":  # MySQL has no partial index: ``flag = TRUE`` is a key like any other
            shape.predicates.append(Predicate(head, PredicateKind.EQ))
        elif second.text in _RANGE_OPS:
            shape.predicates.append(Predicate(head, PredicateKind.RANGE))
    elif second.kind == "kw" and second.text == "IN" and len(term) >= 3:
        shape.predicates.append(Predicate(head, PredicateKind.IN))
    elif second.kind == "kw" and second.text == "BETWEEN":
        shape.predicates.append(Predicate(head, PredicateKind.RANGE))
    elif second.kind == "kw" and second.text == "IS" and len(term) >= 3:
        rest = " ".join(a.text for a in term[2:])
        if rest == "NULL":  # MySQL looks NULL up in an index like a value (``ref`` access)
            shape.predicates.append(Predicate(head, PredicateKind.EQ))
        elif rest == "NOT NULL":
            shape.predicates.append(Predicate(head, PredicateKind.RANGE))
    elif second.kind == "kw" and second.text == "NOT NULL":
        shape.predicates.append(Predicate(head, PredicateKind.RANGE))


def _fixed_prefix(pattern: Atom) -> bool:
    """A LIKE pattern that is a string literal starting with at least one fixed character."""
    text = pattern.text
    return pattern.kind == "value" and len(text) > 2 and text[0] == "'" and text[1] not in "%_"


def _flip(op: str) -> str:
    return {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
