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
    if any(k.is_expression and not k.generated for k in candidate.keys):
        return "MariaDB indexes expressions only through a generated column, and this one is not LOWER/UPPER(col)"
    if candidate.keys[0].expr in PRIMARY_KEY_NAMES:
        return f"{candidate.keys[0].expr} is the primary key"
    info = schema.tables.get(candidate.table)
    unprefixed = [k.expr for k in candidate.keys if not k.prefix]
    blob = next((c for c in unprefixed if info is not None and c in info.prefix_only), None)
    if blob is not None:
        return f"{blob} is a TEXT/BLOB/JSON column: MySQL indexes it only by a prefix or a generated column"
    case_folded = next((k for k in candidate.keys if k.generated), None)
    if case_folded is not None and info is not None:
        expr = case_folded.expr
        folded = _CASE_FOLD.fullmatch(expr)
        plain = folded.group(2).lower() if folded else ""
        lead = next((ix for ix in schema.indexes_on(candidate.table) if ix.keys[:1] == (plain,)), None)
        if lead is not None:
            return (f"under a case-insensitive (_ci) collation {plain} = ? finds the same rows as {expr} = ?: "
                    f"drop the function and {lead.name} serves")  # fmt: skip
    return None


def for_mysql(found: Candidates, schema: Schema) -> Candidates:
    """The candidates as MySQL/MariaDB builds them: what it cannot build is rejected with the reason;
    a TEXT/BLOB or over-long VARCHAR key gets its prefix length, LOWER/UPPER(col) a generated column;
    a trailing primary-key column is dropped, since InnoDB appends the primary key to every secondary
    index (the designs it alone told apart merge); no GIN advice, FULLTEXT advice kept."""
    wanted: dict[IndexCandidate, set[str]] = {}
    rejected = list(found.rejected)
    design = {c: _mysql_keys(_without_primary_key_tail(c, schema), schema) for c in found.wanted}
    for candidate, fingerprints in found.wanted.items():
        reason = mysql_unbuildable(design[candidate], schema)
        if reason:
            rejected.append(Rejection(candidate, reason))
        else:
            wanted.setdefault(design[candidate], set()).update(fingerprints)
    mapped = (tuple(design.get(c, c) for c in bundle) for bundle in found.bundles)
    bundles = [bundle for bundle in mapped if set(bundle) <= set(wanted)]
    ordered = {design[c] for c in found.ordered if design[c] in wanted}
    fulltext = {c: fps for c, fps in found.advisory.items() if c.method == "fulltext"}
    return Candidates(wanted, rejected, bundles, fulltext, ordered)


_CASE_FOLD = re.compile(r"(?i)(lower|upper)\(`?([A-Za-z_][A-Za-z0-9_$]*)`?\)")
DEFAULT_STRING_TYPE = "varchar(255)"  # the generated column's type when no dump declares the column's


def _mysql_keys(candidate: IndexCandidate, schema: Schema) -> IndexCandidate:
    """Keys as MySQL can build them: a prefix length on long string columns, and ``lower(col)`` as a
    VIRTUAL generated column ``col_lower`` (MariaDB has no functional key parts)."""
    info = schema.tables.get(candidate.table)
    lengths = info.prefix_lengths if info is not None else {}
    types = info.column_types if info is not None else {}
    keys = []
    for key in candidate.keys:
        folded = _CASE_FOLD.fullmatch(key.expr) if key.is_expression else None
        if folded:
            fn, column = folded.group(1).lower(), folded.group(2).lower()
            kind = types.get(column, DEFAULT_STRING_TYPE)
            generated = f"{column}_{fn} {kind} AS ({fn.upper()}({column}))"
            key = replace(key, generated=generated, prefix=lengths.get(column))  # a TEXT column's prefix too
        elif key.expr in lengths and not key.is_expression:
            key = replace(key, prefix=lengths[key.expr])
        keys.append(key)
    return replace(candidate, keys=tuple(keys))


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
    """``ALTER TABLE``: generated columns first, then the index (FULLTEXT or btree, prefixes kept)."""
    keys = ", ".join(
        (k.generated.split(" ", 1)[0] if k.generated else _mysql_ident(k.expr))
        + (f"({k.prefix})" if k.prefix else "")
        + (" DESC" if k.descending else "")
        for k in candidate.keys
    )
    columns = [f"ADD COLUMN {k.generated} VIRTUAL" for k in candidate.keys if k.generated]
    kind = "FULLTEXT INDEX" if candidate.method == "fulltext" else "INDEX"
    parts = ", ".join([*columns, f"ADD {kind} {candidate.name} ({keys})"])
    return f"ALTER TABLE {mysql_table(candidate.table)} {parts};"


def mysql_why(candidate: IndexCandidate) -> list[str]:
    """What a MySQL DBA should know before running the DDL: prefixes, generated columns, FULLTEXT."""
    out = []
    for k in candidate.keys:
        if k.prefix:
            name = k.generated.split(" ", 1)[0] if k.generated else k.expr
            out.append(
                f"{name}({k.prefix}): a TEXT/BLOB column or a VARCHAR past InnoDB's 3072-byte key is indexed by "
                f"a prefix; {k.prefix} characters fit 767 bytes, so it builds on every row format; the index "
                "finds rows by equality or LIKE 'prefix%' but cannot sort or cover on it"
            )
        if k.generated:
            column = k.generated.split(" ", 1)[0]
            out.append(
                f"{column} is a VIRTUAL generated column for {k.expr}: MySQL 5.7+ uses its index for the "
                "expression as written (=, <, >, IN, BETWEEN); MariaDB (10.11 tested) only when the query names "
                f"{column}; MySQL 8.0.13+ can instead ADD INDEX (({k.expr})); under a case-insensitive (_ci) "
                "collation dropping the function and indexing the column is simpler"
            )
    if candidate.method == "fulltext":
        out.append("MATCH ... AGAINST uses no btree: a FULLTEXT index over exactly the MATCH columns, in that order")
    return out


def ddl(candidate: IndexCandidate, dialect: str) -> str:
    return mysql_ddl(candidate) if dialect == "mysql" else candidate.ddl()
