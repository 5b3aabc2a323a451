"""Index DDL per SQL dialect: PostgreSQL's ``CREATE INDEX CONCURRENTLY`` or MySQL/MariaDB's
``ALTER TABLE ... ADD INDEX``, and which designs a MySQL server can build at all."""

from __future__ import annotations

import re
from dataclasses import replace

from opskit.db.candidates import Candidates
from opskit.db.interface import IndexCandidate, Rejection, Schema

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


def for_mysql(found: Candidates, schema: Schema) -> Candidates:
    """The candidates as MySQL/MariaDB builds them: what it cannot build is rejected with the reason;
    a trailing primary-key column is dropped, since InnoDB appends the primary key to every secondary
    index (the designs it alone told apart merge); no GIN advice."""
    wanted: dict[IndexCandidate, set[str]] = {}
    rejected = list(found.rejected)
    design = {c: _without_primary_key_tail(c, schema) for c in found.wanted}
    for candidate, fingerprints in found.wanted.items():
        reason = mysql_unbuildable(design[candidate], schema)
        if reason:
            rejected.append(Rejection(candidate, reason))
        else:
            wanted.setdefault(design[candidate], set()).update(fingerprints)
    mapped = (tuple(design.get(c, c) for c in bundle) for bundle in found.bundles)
    bundles = [bundle for bundle in mapped if set(bundle) <= set(wanted)]
    ordered = {design[c] for c in found.ordered if design[c] in wanted}
    return Candidates(wanted, rejected, bundles, {}, ordered)


def _primary_key(table: str, schema: Schema) -> tuple[str, ...]:
    found = next((ix.keys for ix in schema.indexes_on(table) if ix.primary), None)
    return found if found is not None else tuple(PRIMARY_KEY_NAMES)


def _without_primary_key_tail(candidate: IndexCandidate, schema: Schema) -> IndexCandidate:
    primary = _primary_key(candidate.table, schema)
    keys = candidate.keys
    for size in range(min(len(primary), len(keys) - 1), 0, -1):
        tail = keys[-size:]
        if [k.expr for k in tail] == list(primary[:size]) and not any(k.descending or k.is_expression for k in tail):
            return replace(candidate, keys=keys[:-size])
    return candidate


def mysql_ddl(candidate: IndexCandidate) -> str:
    keys = ", ".join(_mysql_ident(k.expr) + (" DESC" if k.descending else "") for k in candidate.keys)
    return f"ALTER TABLE {mysql_table(candidate.table)} ADD INDEX {candidate.name} ({keys});"


def ddl(candidate: IndexCandidate, dialect: str) -> str:
    return mysql_ddl(candidate) if dialect == "mysql" else candidate.ddl()
