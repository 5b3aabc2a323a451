"""Schema from ``mysqldump --no-data`` output: tables, columns and their keys.

MySQL names columns case-insensitively and most servers fold table names
(``lower_case_table_names``), so both are read in lower case, as the statement reader names them.
Read line by line (mysqldump writes one column or key per line), so the work is linear in the
input. Free of sqlparse, like ``scope``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from opskit.db.interface import ExistingIndex, Schema, TableInfo
from opskit.db.mysql.scope import table_name

_NAME = r"`(?:[^`]|``)+`|\w+"
_CREATE_TABLE = re.compile(
    rf"CREATE (?:TEMPORARY )?TABLE (?:IF NOT EXISTS )?(?:(?P<db>{_NAME})\.)?(?P<name>{_NAME}) \(\s*$", re.I
)
_COLUMN = re.compile(rf"(?P<name>{_NAME})\s+(?P<type>\w+)")
_BLOB = re.compile(r"(?i)(?:tiny|medium|long)?(?:text|blob)|json|geometry")
_KEY = re.compile(
    rf"(?P<kind>PRIMARY KEY|UNIQUE (?:KEY|INDEX)|KEY|INDEX)\s*(?P<name>{_NAME})?\s*"
    r"(?:USING \w+\s*)?\((?P<cols>[^;]*)\)",
    re.I,
)
_KEY_PART = re.compile(rf"({_NAME})\s*(?:\(\d+\))?(?:\s+(?:ASC|DESC))?")
_NOT_A_COLUMN = ("CONSTRAINT", "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK", "PERIOD")


def is_mysqldump(text: str) -> bool:
    return re.search(r"CREATE (?:TEMPORARY )?TABLE (?:IF NOT EXISTS )?`", text, re.I) is not None


def name_of(quoted: str) -> str:
    """A backquoted or bare MySQL name, in lower case."""
    bare = quoted[1:-1].replace("``", "`") if quoted.startswith("`") else quoted
    return bare.lower()


def parse_mysqldump(lines: Iterable[str]) -> Schema:
    tables: dict[str, TableInfo] = {}
    indexes: list[ExistingIndex] = []
    table: str | None = None
    columns: list[str] = []
    blobs: set[str] = set()
    for raw in lines:
        line = raw.strip().rstrip(",")
        if table is None:
            start = _CREATE_TABLE.match(line)
            if start:
                db = start.group("db")
                table, columns, blobs = table_name(name_of(start.group("name")), name_of(db) if db else None), [], set()
        elif line.startswith(")"):
            tables[table] = TableInfo(name=table, columns=tuple(columns), prefix_only=frozenset(blobs))
            table = None
        elif key := _KEY.match(line):
            indexes.append(_index(table, key, line))
        elif not line.upper().startswith(_NOT_A_COLUMN) and (column := _COLUMN.match(line)):
            columns.append(name_of(column.group("name")))
            if _BLOB.fullmatch(column.group("type")):
                blobs.add(columns[-1])
    return Schema(tables=tables, indexes=tuple(indexes))


def _index(table: str, key: re.Match[str], line: str) -> ExistingIndex:
    kind = key.group("kind").upper()
    primary = kind == "PRIMARY KEY"
    name = "PRIMARY" if primary else name_of(key.group("name") or "")
    keys = tuple(name_of(part) for part in _KEY_PART.findall(key.group("cols")))
    return ExistingIndex(name, table, keys, unique=primary or kind.startswith("UNIQUE"), primary=primary,
                         definition=line)  # fmt: skip
