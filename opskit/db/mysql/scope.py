"""Table names as the catalog spells them, and the tables visible in one SELECT while it is walked.

Free of sqlparse: ``schema.py`` folds names with ``table_name`` without loading the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SCHEMA = "public"


def table_name(name: str, schema: str | None = None) -> str:
    """``schema.table`` with quotes removed and unquoted names folded to lower case."""
    return f"{ident(schema) if schema else DEFAULT_SCHEMA}.{ident(name)}"


def ident(name: str) -> str:
    """A name as the catalog spells it: ``"Quoted"`` keeps its case; MySQL's ```backquoted```
    names are case-insensitive, like bare ones."""
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    if name.startswith("`") and name.endswith("`") and len(name) > 1:
        return name[1:-1].replace("``", "`").lower()
    return name.lower()


@dataclass
class Scope:
    """Tables visible in one SELECT: alias -> ``schema.table`` (None for CTEs and subqueries)."""

    aliases: dict[str, str | None] = field(default_factory=dict)
    ctes: set[str] = field(default_factory=set)
    joined: list[str] = field(default_factory=list)  # real tables in FROM/JOIN order, for USING

    def real_tables(self) -> list[str]:
        return sorted({t for t in self.aliases.values() if t})
