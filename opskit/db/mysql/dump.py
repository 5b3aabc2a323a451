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
_COLUMN = re.compile(rf"(?P<name>{_NAME})\s+(?P<type>\w+)(?:\((?P<length>\d+)[^)]*\))?")
_BLOB = re.compile(r"(?i)(?:tiny|medium|long)?(?:text|blob)|json|geometry")
_PREFIXABLE = re.compile(r"(?i)(?:tiny|medium|long)?(?:text|blob)|(?:var)?(?:char|binary)")
_CHARSET = re.compile(r"(?i)(?:CHARACTER SET|CHARSET)\s*=?\s*(\w+)")
# bytes per character; a charset not listed counts as utf8mb4, MySQL 8's and MariaDB 11's default
_BYTES_PER_CHAR = {"utf8mb4": 4, "utf16": 4, "utf32": 4, "utf8": 3, "utf8mb3": 3, "ucs2": 2, "binary": 1,
                   "latin1": 1, "ascii": 1, "latin2": 1, "cp1250": 1, "cp1251": 1, "cp1252": 1}  # fmt: skip
KEY_BYTES = 3072  # InnoDB's longest key part (DYNAMIC rows, MySQL 5.7+/MariaDB 10.2+)
PREFIX_BYTES = 767  # the longest key part of COMPACT/REDUNDANT rows: a prefix this long builds everywhere
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
    declared: dict[str, tuple[str, int | None, str | None]] = {}  # column -> (type, length, charset)
    for raw in lines:
        line = raw.strip().rstrip(",")
        if table is None:
            start = _CREATE_TABLE.match(line)
            if start:
                db = start.group("db")
                table, columns, blobs = table_name(name_of(start.group("name")), name_of(db) if db else None), [], set()
                declared = {}
        elif line.startswith(")"):
            default = _CHARSET.search(line)
            lengths = {
                name: n
                for name, (kind, length, charset) in declared.items()
                if (n := prefix_length(kind, length, charset or (default.group(1) if default else None)))
            }
            types = {name: kind + (f"({length})" if length else "") for name, (kind, length, _) in declared.items()}
            tables[table] = TableInfo(name=table, columns=tuple(columns), prefix_only=frozenset(blobs | set(lengths)),
                                      prefix_lengths=lengths, column_types=types)  # fmt: skip
            table = None
        elif key := _KEY.match(line):
            indexes.append(_index(table, key, line))
        elif not line.upper().startswith(_NOT_A_COLUMN) and (column := _COLUMN.match(line)):
            columns.append(name_of(column.group("name")))
            length = column.group("length")
            charset = _CHARSET.search(line)
            declared[columns[-1]] = (column.group("type").lower(), int(length) if length else None,
                                     charset.group(1) if charset else None)  # fmt: skip
            if _BLOB.fullmatch(column.group("type")):
                blobs.add(columns[-1])
    return Schema(tables=tables, indexes=tuple(indexes))


def prefix_length(kind: str, length: int | None, charset: str | None) -> int | None:
    """How many leading characters to index of a string column too long for a whole key, else None.

    TEXT/BLOB always need one; (VAR)CHAR/(VAR)BINARY only past 3072 bytes. The prefix is what fits
    767 bytes (191 characters of utf8mb4, WordPress's choice), so it builds on every row format.
    """
    if not _PREFIXABLE.fullmatch(kind):
        return None
    binary = "binary" in kind or "blob" in kind
    per_char = 1 if binary else _BYTES_PER_CHAR.get((charset or "utf8mb4").lower(), 4)
    if "text" in kind or "blob" in kind:
        most = 255 if kind.startswith("tiny") else PREFIX_BYTES
        return min(most, PREFIX_BYTES) // per_char
    if length is None or length * per_char <= KEY_BYTES:
        return None
    return PREFIX_BYTES // per_char


def _index(table: str, key: re.Match[str], line: str) -> ExistingIndex:
    kind = key.group("kind").upper()
    primary = kind == "PRIMARY KEY"
    name = "PRIMARY" if primary else name_of(key.group("name") or "")
    keys = tuple(name_of(part) for part in _KEY_PART.findall(key.group("cols")))
    return ExistingIndex(name, table, keys, unique=primary or kind.startswith("UNIQUE"), primary=primary,
                         definition=line)  # fmt: skip
