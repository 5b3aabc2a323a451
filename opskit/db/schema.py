"""Schema from ``pg_dump -s`` output, and index definitions as PostgreSQL prints them.

``parse_index_definition`` reads both pg_dump's ``CREATE INDEX`` lines and the live catalog's
``pg_get_indexdef()``, so offline and online runs compare candidates with existing indexes the
same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from opskit.core.errors import InputError
from opskit.db.interface import ExistingIndex, Schema, TableInfo
from opskit.db.mysql.dump import is_mysqldump, parse_mysqldump
from opskit.db.mysql.scope import ident, table_name

_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)'
_QUALIFIED = rf"{_NAME}(?:\.{_NAME})?"
_CREATE_TABLE = re.compile(
    rf"CREATE (?:UNLOGGED |TEMP(?:ORARY)? )?TABLE (?:IF NOT EXISTS )?(?P<name>{_QUALIFIED}) \((?P<body>.*?)\n\)",
    re.S | re.I,
)
_CREATE_INDEX = re.compile(
    rf"CREATE (?P<unique>UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?(?P<name>{_NAME}) ON "
    rf"(?:ONLY )?(?P<table>{_QUALIFIED})(?: USING (?P<method>\w+))? (?P<rest>\(.*)",
    re.S | re.I,
)
_CONSTRAINT = re.compile(
    rf"ALTER TABLE (?:ONLY )?(?P<table>{_QUALIFIED})\s+ADD CONSTRAINT (?P<name>{_NAME}) "
    r"(?P<kind>PRIMARY KEY|UNIQUE) \((?P<cols>[^)]*)\)",
    re.S | re.I,
)
_COLUMN = re.compile(rf"^\s*(?P<name>{_NAME})\s+(?!KEY\b)\w")
_CAST = re.compile(r"::[a-z ]+(?:\[\])?(?:\(\d+\))?")
_PAREN_NAME = re.compile(r"\((\w+)\)")
_STATEMENT = re.compile(r";\s*$", re.M)
_CREATE_VIEW = re.compile(
    rf"CREATE (?:OR REPLACE )?VIEW (?P<name>{_QUALIFIED}) AS\s+(?P<body>.*?);\s*$", re.S | re.I | re.M
)


def qualified(name: str) -> str:
    """``schema.table`` for a possibly quoted, possibly unqualified name."""
    parts = re.findall(_NAME, name)
    return table_name(parts[-1], parts[0] if len(parts) > 1 else None)


def normalize_expr(expr: str) -> str:
    """Comparable text for a column or expression: casts, redundant parentheses and case dropped."""
    text = " ".join(expr.split())
    text = _CAST.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _unwrap_names(text)
    if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1]
    return text.strip().strip('"').lower()


def _unwrap_names(text: str) -> str:
    """``(email)`` to ``email``, but not the argument list of a call like ``lower(email)``."""

    def unwrap(m: re.Match[str]) -> str:
        return m.group(0) if _is_call(text, m.start()) else m.group(1)

    return _PAREN_NAME.sub(unwrap, text)


def _is_call(text: str, at: int) -> bool:
    return at > 0 and (text[at - 1].isalnum() or text[at - 1] == "_")


def _depths(text: str) -> Iterator[tuple[int, str, int]]:
    """Each character outside quotes with the parenthesis depth after it."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth


def _balanced(text: str) -> bool:
    depths = [d for _i, _ch, d in _depths(text)]
    return all(d >= 0 for d in depths) and (not depths or depths[-1] == 0)


def split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses and quotes."""
    cuts = [i for i, ch, depth in _depths(text) if ch == "," and depth == 0]
    bounds = zip([-1, *cuts], [*cuts, len(text)], strict=True)
    return [part for a, b in bounds if (part := text[a + 1 : b].strip())]


def _closing(text: str) -> int:
    """Index of the parenthesis that closes the one ``text`` starts with."""
    return next((i for i, ch, depth in _depths(text) if ch == ")" and depth == 0), -1)


def _key(part: str) -> str:
    """An index key without ordering, opclass or collation."""
    text = re.sub(r"\s+(?:ASC|DESC)?\s*(?:NULLS (?:FIRST|LAST))?\s*$", "", part, flags=re.I)
    text = re.sub(r'\s+COLLATE\s+\S+|\s+[a-z_]+_ops\b', "", text, flags=re.I)
    return normalize_expr(text)


def parse_index_definition(ddl: str, size_bytes: int | None = None, scans: int | None = None) -> ExistingIndex:
    """An ``ExistingIndex`` from ``CREATE [UNIQUE] INDEX name ON table USING method (keys) ...``."""
    m = _CREATE_INDEX.match(ddl.strip().rstrip(";"))
    if m is None:
        raise ValueError(f"not an index definition: {ddl[:80]}")
    rest = m.group("rest")
    end = _closing(rest)
    keys = tuple(_key(p) for p in split_top_level(rest[1:end]))
    tail = rest[end + 1 :]
    include: tuple[str, ...] = ()
    inc = re.match(r"\s*INCLUDE \((.*?)\)", tail, re.I | re.S)
    if inc:
        include = tuple(normalize_expr(p) for p in split_top_level(inc.group(1)))
    where = re.search(r"\bWHERE\s+(.*)$", tail, re.I | re.S)
    method = (m.group("method") or "btree").lower()
    return ExistingIndex(
        name=m.group("name").strip('"'),
        table=qualified(m.group("table")),
        keys=keys if method == "btree" else tuple(f"{method}:{k}" for k in keys),
        where=normalize_expr(where.group(1)) if where else None,
        unique=bool(m.group("unique")),
        include=include,
        size_bytes=size_bytes,
        scans=scans,
        definition=" ".join(ddl.split()),
    )


def parse_schema_dump(text: str, display: str) -> Schema:
    """Tables, columns, indexes (including constraint-backed ones) and views of a ``pg_dump -s`` file
    (or of a ``mysqldump --no-data`` file, for a MySQL/MariaDB workload)."""
    if is_mysqldump(text):
        dumped = parse_mysqldump(text.splitlines())
        if not dumped.tables:
            raise InputError(f"{display}: no complete CREATE TABLE found; expected mysqldump --no-data output")
        return dumped
    tables: dict[str, TableInfo] = {}
    for m in _CREATE_TABLE.finditer(text):
        columns = []
        for line in m.group("body").split("\n"):
            line = line.strip()
            if not line or line.upper().startswith(("CONSTRAINT", "PRIMARY KEY", "UNIQUE", "CHECK", "FOREIGN")):
                continue
            col = _COLUMN.match(line)
            if col:
                columns.append(ident(col.group("name")))  # "createdAt" keeps its case
        name = qualified(m.group("name"))
        tables[name] = TableInfo(name=name, columns=tuple(columns))
    if not tables:
        raise InputError(f"{display}: no CREATE TABLE found; expected pg_dump -s output")
    indexes: list[ExistingIndex] = []
    for statement in _STATEMENT.split(text):
        body = statement.strip()
        start = re.search(r"^CREATE (?:UNIQUE )?INDEX", body, re.M | re.I)
        if start:
            try:
                indexes.append(parse_index_definition(body[start.start() :]))
            except ValueError:
                line = text[: text.find(body)].count("\n") + 1
                raise InputError(f"{display}:{line}: cannot parse index definition") from None
    for m in _CONSTRAINT.finditer(text):
        primary = m.group("kind").upper() == "PRIMARY KEY"
        indexes.append(
            ExistingIndex(
                name=m.group("name").strip('"'),
                table=qualified(m.group("table")),
                keys=tuple(normalize_expr(c) for c in split_top_level(m.group("cols"))),
                unique=True,
                primary=primary,
                definition=" ".join(m.group(0).split()),
            )
        )
    views = {qualified(m.group("name")): m.group("body").strip() for m in _CREATE_VIEW.finditer(text)}
    return Schema(tables=tables, indexes=tuple(indexes), views=views)
