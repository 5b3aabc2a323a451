"""PostgreSQL SQL read with PostgreSQL's own grammar: the only package importing pglast (libpg_query).

pglast is the parser Dexter and pganalyze build on: typed literals, casts, every JOIN form,
sublinks, CTEs and views are read exactly as the server reads them.
"""

from opskit.db.pgsql.parse import Outline, Work, guard, inline_views, outline, parse, script_slices
from opskit.db.pgsql.placeholders import number_placeholders
from opskit.db.pgsql.understand import understand

__all__ = [
    "Outline",
    "Work",
    "guard",
    "inline_views",
    "number_placeholders",
    "outline",
    "parse",
    "script_slices",
    "understand",
]
