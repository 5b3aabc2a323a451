"""Index DDL per SQL dialect: PostgreSQL's ``CREATE INDEX CONCURRENTLY`` or MySQL/MariaDB's
``ALTER TABLE ... ADD INDEX``, and which designs a MySQL server can build at all."""

from __future__ import annotations

import re

from opskit.db.interface import IndexCandidate, Schema

MYSQL_NOTE = "MySQL/MariaDB workload: heuristic advice, not validated (HypoPG prices PostgreSQL plans only)"
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
# without a catalog, "id" is taken for the primary key (the convention of every ORM)
PRIMARY_KEY_NAMES = {"id"}


def _mysql_ident(name: str) -> str:
    return name if _PLAIN.fullmatch(name) else "`" + name.replace("`", "``") + "`"


def mysql_table(table: str) -> str:
    """``db.table`` as MySQL names it: the default PostgreSQL schema ``public`` is no database."""
    schema, _, name = table.partition(".")
    if not name:
        return _mysql_ident(schema)
    return _mysql_ident(name) if schema == "public" else f"{_mysql_ident(schema)}.{_mysql_ident(name)}"


def mysql_unbuildable(candidate: IndexCandidate, schema: Schema) -> str | None:
    """Why MySQL/MariaDB cannot (or should not) have this index, or None."""
    if candidate.include:
        return "MySQL has no INCLUDE columns"
    if candidate.where:
        return "MySQL has no partial indexes"
    if candidate.method != "btree" or any(k.opclass for k in candidate.keys):
        return "MySQL has no GIN or operator classes"
    if any(k.is_expression for k in candidate.keys):
        return "MariaDB indexes expressions only through a generated column"
    if candidate.keys[0].expr in PRIMARY_KEY_NAMES:
        return f"{candidate.keys[0].expr} is the primary key"
    info = schema.tables.get(candidate.table)
    blob = next((k.expr for k in candidate.keys if info is not None and k.expr in info.prefix_only), None)
    if blob is not None:
        return f"{blob} is a TEXT/BLOB/JSON column: MySQL indexes it only by a prefix or a generated column"
    return None


def mysql_ddl(candidate: IndexCandidate) -> str:
    keys = ", ".join(_mysql_ident(k.expr) + (" DESC" if k.descending else "") for k in candidate.keys)
    return f"ALTER TABLE {mysql_table(candidate.table)} ADD INDEX {candidate.name} ({keys});"


def ddl(candidate: IndexCandidate, dialect: str) -> str:
    return mysql_ddl(candidate) if dialect == "mysql" else candidate.ddl()
