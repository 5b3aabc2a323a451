"""MySQL/MariaDB statements and SQL script splitting on top of sqlparse: the only package importing it.

PostgreSQL statements are read with PostgreSQL's own grammar (``opskit.db.pgsql``); sqlparse
stays for the MySQL dialect (backquotes, ``LIMIT a, b``) and for cutting scripts into statements
when PostgreSQL's scanner cannot (an unterminated string).

sqlparse gives the statement split, tokens and coarse grouping (identifiers, WHERE, parentheses);
its grouping of predicates is uneven, so ``predicates`` reads them from a flat run of atoms per clause.
Nothing is re-exported here: ``scope`` needs no sqlparse, so ``schema.table_name`` does not load it.
"""
