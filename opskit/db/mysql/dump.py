"""Schema from ``mysqldump --no-data`` output: tables, columns and their keys.

MySQL names columns case-insensitively and most servers fold table names
(``lower_case_table_names``), so both are read in lower case, as the statement reader names them.
Free of sqlparse, like ``scope``.
"""

from __future__ import annotations

import re

from opskit.db.interface import ExistingIndex, Schema, TableInfo
from opskit.db.mysql.scope import table_name

_BACKQUOTED = r"`(?:[^`]|``)+`"
_CREATE_TABLE = re.compile(
    rf"CREATE (?:TEMPORARY )?TABLE (?:IF NOT EXISTS )?(?:(?P<db>{_BACKQUOTED})\.)?(?P<name>{_BACKQUOTED}|\w+) \("
    r"(?P<body>.*?)\n\)",
    re.S | re.I,
)
_COLUMN = re.compile(rf"^(?P<name>{_BACKQUOTED}|\w+)\s+(?P<type>\w+)")
_BLOB = re.compile(r"(?i)(?:tiny|medium|long)?(?:text|blob)|json|geometry")
_KEY = re.compile(
    rf"^(?P<kind>PRIMARY KEY|UNIQUE (?:KEY|INDEX)|KEY|INDEX)\s*(?P<name>{_BACKQUOTED}|\w+)?\s*"
    r"(?:USING \w+\s*)?\((?P<cols>.*)\)",
    re.I,
)
_KEY_PART = re.compile(rf"({_BACKQUOTED}|\w+)\s*(?:\(\d+\))?(?:\s+(?:ASC|DESC))?")


def is_mysqldump(text: str) -> bool:
    return re.search(r"CREATE (?:TEMPORARY )?TABLE (?:IF NOT EXISTS )?`", text, re.I) is not None


def name_of(quoted: str) -> str:
    """A backquoted or bare MySQL name, in lower case."""
    bare = quoted[1:-1].replace("``", "`") if quoted.startswith("`") else quoted
    return bare.lower()


def parse_mysqldump(text: str) -> Schema:
    tables: dict[str, TableInfo] = {}
    indexes: list[ExistingIndex] = []
    for m in _CREATE_TABLE.finditer(text):
        table = table_name(name_of(m.group("name")), name_of(m.group("db")) if m.group("db") else None)
        columns, blobs = [], set()
        for raw in m.group("body").split("\n"):
            line = raw.strip().rstrip(",")
            key = _KEY.match(line)
            if key:
                indexes.append(_index(table, key, line))
            elif not line.upper().startswith(("CONSTRAINT", "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK")):
                column = _COLUMN.match(line)
                if column:
                    columns.append(name_of(column.group("name")))
                    if _BLOB.fullmatch(column.group("type")):
                        blobs.add(columns[-1])
        tables[table] = TableInfo(name=table, columns=tuple(columns), prefix_only=frozenset(blobs))
    return Schema(tables=tables, indexes=tuple(indexes))


def _index(table: str, key: re.Match[str], line: str) -> ExistingIndex:
    kind = key.group("kind").upper()
    primary = kind == "PRIMARY KEY"
    name = "PRIMARY" if primary else name_of(key.group("name") or "")
    keys = tuple(name_of(part) for part in _KEY_PART.findall(key.group("cols")))
    return ExistingIndex(name, table, keys, unique=primary or kind.startswith("UNIQUE"), primary=primary,
                         definition=line)  # fmt: skip
