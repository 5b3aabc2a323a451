"""The held-out corpora of ORM- and tool-generated SQL, scored through the advisor's real pipeline.

Each case of ``fixtures/corpus/statements.sql`` names the columns an expert expects to reach an
index candidate. A statement goes through what ``suggest-indexes`` does offline (normalise,
prepare against the pg_dump-style ``schema.sql``, candidate generation); a labelled column is
reached when a kept candidate (or a GIN or FULLTEXT advisory) has it in a key, a key expression
(a MySQL generated column's too) or its partial predicate. A candidate using any unlabelled
column is a false candidate. The MySQL/MariaDB sets (``statements_mysql*.sql`` over the
mysqldump-style ``schema_mysql.sql``) go through the MySQL path, as a slow log does: only the
candidates MySQL can build count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from opskit.db.candidates import generate
from opskit.db.dialects import for_mysql
from opskit.db.interface import IndexCandidate, QueryStats, Schema
from opskit.db.prepare import prepare
from opskit.db.schema import parse_schema_dump
from opskit.db.workload import Dialect, normalise

HERE = Path(__file__).resolve().parent / "fixtures" / "corpus"
_CASE = re.compile(r"^-- @case (?P<name>\S+) expect: (?P<expect>.+)$", re.M)
_WORD = re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)')


@dataclass(frozen=True)
class Case:
    name: str
    sql: str
    expected: frozenset[str]  # "table.column", schema public implied


@dataclass(frozen=True)
class Outcome:
    case: Case
    parsed: bool  # False: the pipeline noted it as unparseable
    kept: bool  # False: parsed but dropped (utility, no table) without a note
    reached: frozenset[str]
    false: tuple[str, ...]  # labels of candidates using a column the case does not name

    @property
    def missed(self) -> frozenset[str]:
        return self.case.expected - self.reached


SETS = ("statements.sql", "statements_later.sql", "statements_placeholders.sql")  # the second written after
# the fixes the first led to; the third before the placeholder styles it holds (EF Core, :name) were read
MYSQL_SETS = ("statements_mysql.sql", "statements_mysql_later.sql", "statements_mysql_features.sql")  # MySQL path
MYSQL_SCHEMA = HERE / "schema_mysql.sql"


def dialect_of(name: str) -> Dialect:
    return Dialect.MYSQL if name in MYSQL_SETS else Dialect.POSTGRESQL


def load_cases(*names: str) -> list[Case]:
    """The cases of the named sets (default: all)."""
    return [case for name in names or SETS for case in _cases(HERE / name)]


def _cases(path: Path) -> list[Case]:
    text = path.read_text()
    heads = list(_CASE.finditer(text))
    cases = []
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        body = text[head.end() : after.start() if after else len(text)].strip().rstrip(";").strip()
        expect = head.group("expect").split()
        cases.append(Case(head.group("name"), body, frozenset() if expect == ["none"] else frozenset(expect)))
    return cases


def load_schema(path: Path = HERE / "schema.sql") -> Schema:
    return parse_schema_dump(path.read_text(), str(path))


def columns_of(candidate: IndexCandidate, schema: Schema) -> set[str]:
    """``table.column`` for every column a candidate's keys, expressions or predicate use."""
    table = candidate.table.removeprefix("public.")
    known = set(schema.columns(candidate.table))
    texts = [k.generated or k.expr for k in candidate.keys] + ([candidate.where] if candidate.where else [])
    out = set()
    for text in texts:
        for quoted, bare in _WORD.findall(text):
            name = quoted.replace('""', '"') if quoted else bare
            if name in known:
                out.add(f"{table}.{name}")
    return out


def score(case: Case, schema: Schema, dialect: Dialect = Dialect.POSTGRESQL) -> Outcome:
    stats = QueryStats(case.name, 1, 1.0, 1.0, None, case.sql, "corpus.sql", 1, timed=False)
    workload = normalise([stats], dialect)
    prepared = prepare(workload, schema)
    parsed = not any("corpus.sql:1:" in note for note in prepared.notes)
    shape = prepared.shapes.get(case.name)
    if shape is None:
        return Outcome(case, parsed, False, frozenset(), ())
    found = generate({case.name: shape}, schema)
    if dialect == Dialect.MYSQL:  # as the advisor: MySQL's designs, no GIN advice
        found = for_mysql(found, schema)
    kept = [*found.wanted, *found.advisory]
    reached: set[str] = set()
    false = []
    for candidate in sorted(kept, key=lambda c: c.label()):
        used = columns_of(candidate, schema)
        reached |= used & case.expected
        if used - case.expected:
            false.append(candidate.label())
    return Outcome(case, parsed, True, frozenset(reached), tuple(false))


@dataclass(frozen=True)
class Figures:
    statements: int
    labelled: int  # labelled columns over all cases
    reached: int
    unparseable: int
    dropped: int  # parsed, labelled, yet no shape came out (silently)
    silent: int  # parsed, labelled, no note, and not one labelled column reached
    false_candidates: int
    clean_negatives: int  # "none" cases that produced no candidate
    negatives: int

    @property
    def recall(self) -> float:
        return self.reached / self.labelled if self.labelled else 1.0


def figures(outcomes: Iterable[Outcome]) -> Figures:
    rows = list(outcomes)
    negatives = [o for o in rows if not o.case.expected]
    return Figures(
        statements=len(rows),
        labelled=sum(len(o.case.expected) for o in rows),
        reached=sum(len(o.reached) for o in rows),
        unparseable=sum(not o.parsed for o in rows),
        dropped=sum(o.parsed and not o.kept and bool(o.case.expected) for o in rows),
        silent=sum(o.parsed and bool(o.case.expected) and not o.reached for o in rows),
        false_candidates=sum(len(o.false) for o in rows),
        clean_negatives=sum(not o.false for o in negatives),
        negatives=len(negatives),
    )
