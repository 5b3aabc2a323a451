"""Benchmark: how much of SQL written by ORMs and tools the index advisor understands.

Runs every case of the held-out corpora (tests/db/fixtures/corpus: Django, Rails, Hibernate,
SQLAlchemy, Prisma/Sequelize, pgbench, TPC-H/TPC-DS, BI tools, Hasura, psql with comments; EF Core,
JDBC, MyBatis and sqlx placeholders; and MySQL/MariaDB slow-log sets: WordPress, Magento, Drupal,
Laravel, Rails, Django, Hibernate, and FULLTEXT/TEXT-prefix/anti-join/LOWER() shapes) through
the offline pipeline against its pg_dump-style (or
mysqldump-style, through the MySQL path) schema and reports, per statement,
whether it parsed, which labelled columns reached a candidate and the false candidates; then
recall of labelled columns, unparseable and silently dropped statements. Writes
bench/results/db_corpus_bench.json.

    .venv/bin/python bench/db_corpus_bench.py [--quiet]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opskit.core.atomic import atomic_write  # noqa: E402
from opskit.db.workload import Dialect  # noqa: E402
from tests.db.corpus import (  # noqa: E402
    MYSQL_SCHEMA,
    MYSQL_SETS,
    SETS,
    dialect_of,
    figures,
    load_cases,
    load_schema,
    score,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, no per-statement lines")
    args = parser.parse_args()
    schemas = {Dialect.POSTGRESQL: load_schema(), Dialect.MYSQL: load_schema(MYSQL_SCHEMA)}
    sets = {
        name: [score(case, schemas[dialect_of(name)], dialect_of(name)) for case in load_cases(name)]
        for name in (*SETS, *MYSQL_SETS)
    }
    outcomes = [o for name, found in sets.items() if name not in MYSQL_SETS for o in found]
    mysql = [o for name in MYSQL_SETS for o in sets[name]]
    rows = []
    for o in [*outcomes, *mysql]:
        state = "unparseable" if not o.parsed else ("dropped" if not o.kept else "ok")
        rows.append(
            {
                "case": o.case.name,
                "state": state,
                "reached": sorted(o.reached),
                "missed": sorted(o.missed),
                "false": list(o.false),
            }
        )
        if not args.quiet:
            line = f"{o.case.name:32} {state:11} reached {len(o.reached)}/{len(o.case.expected)}"
            if o.missed:
                line += f"  missed {' '.join(sorted(o.missed))}"
            if o.false:
                line += f"  false {len(o.false)}"
            print(line)
    summary = {}
    for name, found in [*sets.items(), ("all postgresql", outcomes), ("all mysql", mysql)]:
        total = figures(found)
        summary[name] = {**asdict(total), "recall": round(total.recall, 3)}
        print(
            f"\n{name}: {total.statements} statements, {total.labelled} labelled columns: recall "
            f"{total.recall:.1%} ({total.reached}/{total.labelled}), unparseable {total.unparseable}, dropped "
            f"{total.dropped}, parsed but nothing reached {total.silent}, false candidates "
            f"{total.false_candidates}, negatives without one {total.clean_negatives}/{total.negatives}"
        )
    out = ROOT / "bench" / "results" / "db_corpus_bench.json"
    atomic_write(out, json.dumps({"figures": summary, "statements": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
