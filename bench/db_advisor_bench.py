"""Benchmark: the indexes opskit chooses for a skewed shop workload, measured, against an expert set.

Loads bench/db_shop.py's schema at ``--scale`` into its own database on the PostgreSQL of the
test harness (or ``--dsn``), runs the 38 templates through psycopg (literal values and ``$n``
parameters; writes in rolled-back transactions) and logs them in PostgreSQL's stderr format.
Then, for each index set, it builds the indexes for real and measures the same workload:
none, opskit's live choice (HypoPG), opskit's offline choice (pg_dump -s), and the hand-written
expert set (bench/db_expert_indexes.sql). It reports workload times side by side, sizes
estimated vs real, and every query slower than with no indexes. Writes
bench/results/db_advisor_bench.json.

    .venv/bin/python bench/db_advisor_bench.py [--scale 1.0] [--dsn postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from db_shop import SCHEMA, TEMPLATES, Template, data_sql, sizes  # noqa: E402

from opskit.core.atomic import atomic_write  # noqa: E402

DATABASE = "opskit_bench_advisor"
PG_DUMP = "/usr/lib/postgresql/15/bin/pg_dump"
PREFIX_TIME = datetime(2026, 11, 29, 8, 0, 0)


@dataclass
class Call:
    template: Template
    params: tuple[object, ...]


def server_dsn(given: str | None) -> str:
    if given:
        return given
    facts = json.loads(Path("/tmp/opskit-services/services.json").read_text())
    return str(facts["postgres"]["dsn"])


def database_dsn(server: str) -> str:
    params = conninfo_to_dict(server)
    params["dbname"] = DATABASE
    return make_conninfo("", **params)


def url(dsn: str) -> str:
    p = conninfo_to_dict(dsn)
    return f"postgresql://{p['user']}:{p['password']}@{p['host']}:{p['port']}/{p['dbname']}"


def load(server: str, scale: float) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    dsn = database_dsn(server)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute(data_sql(scale))
        # Hint bits and the visibility map set now, not by the first measured scans or by an
        # autovacuum that would start in the middle of one index set's measurement.
        conn.execute("VACUUM (FREEZE, ANALYZE)")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_reset()")  # the load is history: the workload's own writes count
    return dsn


def draw(rounds: int, scale: float) -> list[Call]:
    rng = random.Random(7)
    n = sizes(scale)
    return [Call(t, tuple(t.params(rng, n))) for _ in range(rounds) for t in TEMPLATES for _ in range(t.calls)]


def run(dsn: str, calls: list[Call]) -> list[float]:
    """Seconds per call; writes run in transactions that are rolled back, so every set sees the same data."""
    out = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET statement_timeout = '60s'")
        conn.execute("SET max_parallel_workers_per_gather = 0")  # 2 shared cores: parallel plans are noise
        literal = psycopg.ClientCursor(conn)
        bound = conn.cursor()
        for call in calls:
            cursor = bound if call.template.bound else literal
            start = time.perf_counter()
            if call.template.write:
                with conn.transaction(force_rollback=True):
                    cursor.execute(call.template.sql, call.params)
            else:
                cursor.execute(call.template.sql, call.params)
                cursor.fetchall()
            out.append(time.perf_counter() - start)
    return out


def _param(value: object) -> str:
    text = "{" + ",".join(str(v) for v in value) + "}" if isinstance(value, list) else str(value)
    return "'" + text.replace("'", "''") + "'"


def write_log(path: Path, dsn: str, calls: list[Call], seconds: list[float]) -> None:
    """The workload as PostgreSQL logs it with log_min_duration_statement = 0 and '%m [%p] %q%u@%d '."""
    literal = psycopg.ClientCursor(psycopg.connect(dsn, autocommit=True))
    with path.open("w") as log:
        for i, (call, took) in enumerate(zip(calls, seconds, strict=True)):
            at = (PREFIX_TIME + timedelta(milliseconds=10 * i)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
            prefix = f"{at} UTC [{4000 + i % 7}] shop@{DATABASE} "
            ms = f"{took * 1000:.3f}"
            if call.template.bound:
                sql = call.template.sql
                for number in range(1, len(call.params) + 1):
                    sql = sql.replace("%s", f"${number}", 1)
                log.write(f"{prefix}LOG:  duration: {ms} ms  execute <unnamed>: {sql}\n")
                values = ", ".join(f"${k} = {_param(v)}" for k, v in enumerate(call.params, 1))
                if values:
                    log.write(f"{prefix}DETAIL:  parameters: {values}\n")
            else:
                sql = literal.mogrify(call.template.sql, call.params)
                log.write(f"{prefix}LOG:  duration: {ms} ms  statement: {sql}\n")
    literal.connection.close()


def opskit_choice(log: Path, *args: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "opskit", "db", "suggest-indexes", str(log), "--format", "json", "-q", *args]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"opskit failed ({done.returncode}): {done.stderr[-500:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    report["seconds"] = round(time.perf_counter() - start, 2)
    return report


def build(dsn: str, ddls: list[str]) -> dict[str, int]:
    """Build the indexes for real (not concurrently: nothing else runs); their real sizes by name."""
    names = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        for ddl in ddls:
            statement = ddl.replace("CREATE INDEX CONCURRENTLY", "CREATE INDEX").rstrip(";")
            conn.execute(statement)
            name = statement.split()[2]
            row = conn.execute("SELECT pg_relation_size(%s::regclass)", [name]).fetchone()
            names[name] = int(row[0]) if row else 0
        conn.execute("ANALYZE")
    return names


def drop(dsn: str, names: list[str]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP INDEX IF EXISTS {name}")


def per_template(calls: list[Call], seconds: list[float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for call, took in zip(calls, seconds, strict=True):
        out[call.template.name] = out.get(call.template.name, 0.0) + took
    return out


def measure(dsn: str, calls: list[Call], warmed: bool = False) -> dict[str, float]:
    """Per template, the best of two measured runs after a warming one (the machine is shared)."""
    if not warmed:
        run(dsn, calls)
    first, second = per_template(calls, run(dsn, calls)), per_template(calls, run(dsn, calls))
    return {t: min(first[t], second[t]) for t in first}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is about 4.6 million rows (default)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the workload per measurement")
    parser.add_argument("--dsn", help="PostgreSQL server (default: the test harness's)")
    parser.add_argument("--results", type=Path, default=HERE / "results" / "db_advisor_bench.json")
    args = parser.parse_args()
    started = time.perf_counter()
    server = server_dsn(args.dsn)
    dsn = load(server, args.scale)
    loaded = time.perf_counter() - started
    print(f"loaded {sum(sizes(args.scale).values()) + sizes(args.scale)['orders']:,} rows in {loaded:.0f} s")
    calls = draw(args.rounds, args.scale)
    work = Path(tempfile.mkdtemp(prefix="opskit-advisor-bench-"))
    log = work / "postgresql.log"
    first = run(dsn, calls)
    write_log(log, dsn, calls, first)
    results: dict[str, dict[str, Any]] = {"none": {"templates": measure(dsn, calls, warmed=True), "indexes": {}}}
    live = opskit_choice(log, "--dsn", url(dsn), "--max-indexes", "17")
    schema = work / "schema.sql"
    subprocess.run([PG_DUMP, "-s", "-f", str(schema), url(dsn)], check=True)
    offline = opskit_choice(log, "--schema", str(schema), "--max-indexes", "17")
    expert = [line for line in (HERE / "db_expert_indexes.sql").read_text().splitlines() if line.startswith("CREATE")]
    sets = {
        "opskit live": [ix["ddl"] for ix in live["indexes"]],
        "opskit offline": [ix["ddl"] for ix in offline["indexes"]],
        "expert": expert,
    }
    for name, ddls in sets.items():
        built = build(dsn, ddls)
        results[name] = {"templates": measure(dsn, calls), "indexes": built}
        drop(dsn, list(built))
        print(f"measured {name}: {len(ddls)} indexes")
    report = summarize(results, live, offline, args, loaded, time.perf_counter() - started)
    atomic_write(args.results, json.dumps(report, indent=2) + "\n")


def summarize(
    results: dict[str, dict[str, Any]],
    live: dict[str, Any],
    offline: dict[str, Any],
    args: argparse.Namespace,
    loaded: float,
    elapsed: float,
) -> dict[str, Any]:
    total = {name: sum(r["templates"].values()) for name, r in results.items()}
    none = results["none"]["templates"]
    print(f"\n{'index set':16} {'indexes':>7} {'size MB':>8} {'workload s':>11} {'vs none':>8} {'vs expert':>10}")
    for name, r in results.items():
        size = sum(r["indexes"].values()) / 1e6
        print(
            f"{name:16} {len(r['indexes']):7} {size:8.1f} {total[name]:11.3f} "
            f"{total['none'] / total[name]:7.1f}x {total[name] / total['expert']:9.2f}x"
        )
    writes = {t.name for t in TEMPLATES if t.write}  # index maintenance makes these dearer by design
    regressions = {
        name: {
            t: {"none_s": round(none[t], 4), "with_s": round(s, 4), "write": t in writes}
            for t, s in r["templates"].items()
            if s > none[t] * 1.1 and s - none[t] > 0.002
        }
        for name, r in results.items()
        if name != "none"
    }
    estimated = {ix["name"]: ix["size_bytes"] for ix in live["indexes"]}
    real = results["opskit live"]["indexes"]
    errors = {n: round(estimated[n] / real[n] - 1, 3) for n in real if estimated.get(n) and real[n]}
    print(f"\nsizes, live estimate vs real: worst {max(map(abs, errors.values()), default=0):.0%}")
    for name, found in regressions.items():
        for template, times in found.items():
            kind = "write (index upkeep)" if times["write"] else "query"
            before, after = times["none_s"], times["with_s"]
            print(f"  {kind} slower than with no index under {name}: {template} {before} -> {after} s")
    return {
        "benchmark": "db_advisor_bench",
        "scale": args.scale,
        "rounds": args.rounds,
        "rows": sum(sizes(args.scale).values()) + sizes(args.scale)["orders"],
        "templates": len(TEMPLATES),
        "load_seconds": round(loaded, 1),
        "total_seconds": round(elapsed, 1),
        "opskit_seconds": {"live": live["seconds"], "offline": offline["seconds"]},
        "workload_seconds": {k: round(v, 3) for k, v in total.items()},
        "live_vs_expert": round(total["opskit live"] / total["expert"], 2),
        "offline_vs_expert": round(total["opskit offline"] / total["expert"], 2),
        "index_bytes": {name: sum(r["indexes"].values()) for name, r in results.items()},
        "indexes": {name: sorted(r["indexes"]) for name, r in results.items()},
        "live_size_error": errors,
        "regressions_vs_none": regressions,
        "per_template_seconds": {n: {t: round(s, 4) for t, s in r["templates"].items()} for n, r in results.items()},
        "live_notes": live["notes"],
    }


if __name__ == "__main__":
    main()
