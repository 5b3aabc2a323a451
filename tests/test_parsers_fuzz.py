"""Every parser on generated and mutated input: no exception but the project's own errors.

Realistic seeds (the bundled examples and fixtures) are mutated the way the fuzzing in issue 16
did it (nesting, huge lines, truncation, bit flips, bad UTF-8, NUL bytes), and plain generated
text is thrown in; hypothesis runs few, derandomized examples so this stays fast and repeatable.
The pathological inputs that once crashed or hung a parser are kept as explicit cases.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opskit.audit.deps.manifests import parser_for
from opskit.audit.iac.interface import Unparseable
from opskit.audit.interface import Scanner, ScanSettings, SourceFile
from opskit.core.errors import OpskitError
from opskit.db.interface import NotIndexable, Schema, UnparseableQuery
from opskit.db.logs import FORMATS, read_workload
from opskit.db.mysql.understand import understand
from opskit.db.pgsql import understand as pg_understand
from opskit.deploy.playbook import load_playbook
from opskit.monitor.checks_file import load_checks
from opskit.monitor.lint.loader import load_text

REPO = Path(__file__).resolve().parents[1]
OWN_ERRORS = (OpskitError, UnparseableQuery, NotIndexable, Unparseable)
HANG_GUARD_SECONDS = 120  # a safety net that turns a hang into a failure; work is bounded by the parsers
FUZZ = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


def _seed(*parts: str) -> bytes:
    return REPO.joinpath(*parts).read_bytes()


SEEDS = {
    "log": [_seed("examples", "db", "postgresql.log"), _seed("tests", "db", "fixtures", "jsonlog.json"),
            _seed("tests", "db", "fixtures", "csvlog.csv"), _seed("tests", "db", "fixtures", "mysql-slow.log")],
    "sql": [b"SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
            b"WHERE o.status = 'open' AND o.created_at > now() - interval '1 day' ORDER BY o.created_at DESC LIMIT 20",
            b"UPDATE accounts SET balance = balance - 10 WHERE id IN (SELECT account_id FROM holds WHERE n > 2)",
            b"WITH t AS (SELECT * FROM events WHERE kind = $1) DELETE FROM t USING users u WHERE u.id = t.user_id"],
    "playbook": [_seed("playbooks", "demo-local.yml"), _seed("playbooks", "demo-local-broken.yml")],
    "checks": [_seed("examples", "monitor", "checks.yml"), _seed("examples", "monitor", "slo.yml")],
    "dockerfile": [_seed("examples", "sample-service", "Dockerfile"),
                   _seed("examples", "deploy-service", "Dockerfile")],
    "terraform": [_seed("examples", "sample-service", "terraform", "main.tf")],
    "python": [_seed("examples", "sample-service", "app.py"), _seed("examples", "sample-service", "settings.py")],
    "javascript": [_seed("examples", "sample-service", "server.js")],
    "secrets": [_seed("examples", "sample-service", ".env"), _seed("examples", "sample-service", "config",
                                                                     "settings.yaml")],
    "package-lock": [_seed("examples", "sample-service", "package-lock.json")],
    "bun-lock": [_seed("tests", "audit", "deps", "fixtures", "lockfiles", "bun", "bun.lock")],
    "pylock": [_seed("tests", "audit", "deps", "fixtures", "lockfiles", "pylock", "pylock.toml")],
    "requirements": [_seed("examples", "sample-service", "requirements.txt")],
    "rule-file": [_seed("examples", "monitor", "rules.yml")],
    "kubernetes": [_seed("bench", "corpus", "iac", "kubernetes", "helm-wordpress", "rendered.yaml"),
                   _seed("bench", "corpus", "iac", "kubernetes", "raw-manifests", "flow-style.yaml")],
    "compose": [_seed("bench", "corpus", "iac", "compose", "elastic", "docker-compose.yml")],
}


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few mutations, or generated text."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.text(max_size=400)).encode("utf-8", "surrogatepass")
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "flip", "truncate", "nest", "long", "nul", "utf8", "dup"]))
        at = draw(st.integers(0, len(data)))
        if kind == "insert":
            data[at:at] = draw(st.binary(max_size=40))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 200))]
        elif kind == "flip" and data:
            i = min(at, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "nest":
            opener, closer = draw(st.sampled_from([(b"[", b"]"), (b"(", b")"), (b"{", b"}"), (b"${", b"}")]))
            depth = draw(st.integers(10, 2000))
            data[at:at] = opener * depth + closer * draw(st.integers(0, depth))
        elif kind == "long":
            data[at:at] = draw(st.sampled_from([b"a", b" ", b"'", b"\\"])) * draw(st.integers(1000, 200_000))
        elif kind == "nul":
            data[at:at] = b"\0"
        elif kind == "utf8":
            data[at:at] = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf"]))
        elif kind == "dup":
            data[at:at] = data[at:at + draw(st.integers(1, 500))] * draw(st.integers(2, 20))
    return bytes(data)


@pytest.fixture(autouse=True)
def hang_guard() -> Iterator[None]:
    def hung(*_: object) -> None:
        raise TimeoutError(f"a parser ran past the {HANG_GUARD_SECONDS}s hang guard")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_GUARD_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _only_own_errors(parse: Callable[[], object]) -> None:
    with contextlib.suppress(*OWN_ERRORS):  # anything else fails the test
        parse()


def _scanner(family: str, name: str, root: Path) -> Scanner:
    import importlib

    module = importlib.import_module(f"opskit.audit.{family}")
    (cls,) = [c for c in module.SCANNERS if c.name == name]
    scanner: Scanner = cls(ScanSettings(root=str(root)))
    return scanner


def parse_log(data: bytes, tmp: Path, fmt: str | None = None) -> None:
    path = tmp / "fuzz.log"
    path.write_bytes(data)
    _only_own_errors(lambda: read_workload([str(path)], input_format=fmt, jobs=1))


def parse_sql(data: bytes, tmp: Path) -> None:
    _only_own_errors(lambda: understand(data.decode("utf-8", "replace")))
    _only_own_errors(lambda: pg_understand(data.decode("utf-8", "replace"), Schema(tables={})))  # PostgreSQL


def parse_playbook(data: bytes, tmp: Path) -> None:
    path = tmp / "playbooks" / "fuzz.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    for env in (None, "staging"):
        _only_own_errors(lambda env=env: load_playbook(path, env))  # type: ignore[misc]


def parse_checks(data: bytes, tmp: Path) -> None:
    path = tmp / "checks.yml"
    path.write_bytes(data)
    _only_own_errors(lambda: load_checks(path))


def _scan(family: str, name: str, filename: str) -> Callable[[bytes, Path], None]:
    def parse(data: bytes, tmp: Path) -> None:
        scanner = _scanner(family, name, tmp)
        source = SourceFile(path=filename, text=data.decode("utf-8", "replace"))
        _only_own_errors(lambda: scanner.scan([source]))

    return parse


def _manifest(filename: str) -> Callable[[bytes, Path], None]:
    def parse(data: bytes, tmp: Path) -> None:
        parser = parser_for(filename)
        assert parser is not None
        _only_own_errors(lambda: parser(data.decode("utf-8", "replace"), filename, lambda relative: None))

    return parse


def parse_rule_file(data: bytes, tmp: Path) -> None:
    _only_own_errors(lambda: load_text("rules.yml", data.decode("utf-8", "replace")))


PARSERS: dict[str, Callable[[bytes, Path], None]] = {
    "log": parse_log,
    "sql": parse_sql,
    "playbook": parse_playbook,
    "checks": parse_checks,
    "dockerfile": _scan("iac", "iac-dockerfile", "Dockerfile"),
    "terraform": _scan("iac", "iac-terraform", "main.tf"),
    "python": _scan("code", "code-rules", "app.py"),
    "javascript": _scan("code", "code-rules", "server.js"),
    "secrets": _scan("secrets", "secrets", ".env"),
    "package-lock": _manifest("package-lock.json"),
    "bun-lock": _manifest("bun.lock"),
    "pylock": _manifest("pylock.toml"),
    "requirements": _manifest("requirements.txt"),
    "rule-file": parse_rule_file,
    "kubernetes": _scan("iac", "iac-kubernetes", "deploy.yaml"),
    "compose": _scan("iac", "iac-compose", "docker-compose.yml"),
}


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_mutated_and_generated_input_gives_only_own_errors(kind: str, tmp_path: Path) -> None:
    @FUZZ
    @given(data=mutated(SEEDS[kind]))
    def run(data: bytes) -> None:
        PARSERS[kind](data, tmp_path)

    run()


@FUZZ
@given(data=mutated(SEEDS["log"]), fmt=st.sampled_from(FORMATS))
def test_every_log_reader_on_mutated_logs(data: bytes, fmt: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    parse_log(data, tmp_path_factory.mktemp("log"), fmt)


def _nested_json_line(depth: int) -> bytes:
    return b'{"timestamp":"2024-01-01 00:00:00 UTC","message":"duration: 1 ms  statement: SELECT 1","x":' + \
        b"[" * depth + b"]" * depth + b"}\n"


PATHOLOGICAL: list[tuple[str, str, Callable[[], bytes]]] = [
    ("checks", "nested-flow-sequences", lambda: b"checks: " + b"[" * 20_000 + b"]" * 20_000 + b"\n"),
    ("playbook", "nested-flow-sequences", lambda: b"service: " + b"[" * 20_000 + b"]" * 20_000 + b"\n"),
    ("playbook", "alias-bomb", lambda: b"a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
        b"%c: &%c [%s]\n" % (98 + i, 98 + i, b",".join([b"*%c" % (97 + i)] * 9)) for i in range(9))
     + b"service: *j\n"),
    ("playbook", "path-longer-than-the-os-allows",
     lambda: b"service: api\nimage: {repository: r/api, context: " + b"d" * 5000 + b"}\n"
             b"terraform: {dir: " + b"/x" * 3000 + b"}\n"),
    ("log", "deeply-nested-jsonlog-line", lambda: _nested_json_line(100_000)),
    ("sql", "nested-parentheses", lambda: b"SELECT * FROM t WHERE a = " + b"(" * 3000 + b"1" + b")" * 3000),
    ("sql", "mutated-statement", lambda: b"SELECT a FROM t WHERE " + b"(b = 1 AND (c IN (SELECT d FROM u WHERE (e"
     * 150),
    ("dockerfile", "nested-substitutions", lambda: b"FROM alpine\nENV A=" + b"${A:-" * 1000 + b"x" + b"}" * 1000
     + b"\n"),
    ("terraform", "heredoc-with-long-space-line", lambda: b'resource "x" "y" {\n  v = <<EOT\n' + b" " * 40_000
     + b"\nEOT\n}\n"),
    ("python", "huge-line", lambda: b"import os\nx = " + b"a + " * 250_000 + b"request.args['q']\nos.system(x)\n"),
    ("python", "nested-parentheses", lambda: b"import os\nos.system(" + b"(" * 50_000 + b"1" + b")" * 50_000
     + b")\n"),
    ("javascript", "nested-parentheses", lambda: b"const x = " + b"(" * 50_000 + b"1" + b")" * 50_000 + b";\n"),
    ("dockerfile", "megabyte-url-authority", lambda: b"FROM scratch\nRUN git clone https://" + b"u:" * 300_000
     + b"@" * 1000 + b"host/" + b"x://a@b " * 50_000 + b"\n"),
    ("secrets", "megabyte-line", lambda: b"token = '" + b"Ab3" * 400_000 + b"'\n"),
    ("requirements", "long-run-of-spaces", lambda: b"flask==" + b" " * 400_000 + b"x --hash=sha256:00\n"),
    ("rule-file", "nested-flow-sequences", lambda: b"groups: " + b"[" * 20_000 + b"]" * 20_000 + b"\n"),
    ("kubernetes", "nested-flow-sequences", lambda: b"apiVersion: v1\nkind: Pod\nspec: " + b"[" * 20_000
     + b"]" * 20_000 + b"\n"),
    ("compose", "alias-bomb", lambda: b"a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
        b"%c: &%c [%s]\n" % (98 + i, 98 + i, b",".join([b"*%c" % (97 + i)] * 9)) for i in range(9))
     + b"services: {web: {image: *j}}\n"),
    ("package-lock", "nested-objects", lambda: b'{"packages": ' + b'{"a":' * 20_000 + b"1" + b"}" * 20_001),
    ("bun-lock", "megabyte-line-of-commas-and-quotes", lambda: b'{"packages": {"a": [' + b'",\\"' * 300_000
     + b", ]}, }"),
    ("bun-lock", "nested-arrays", lambda: b'{"packages": ' + b"[" * 20_000 + b"," + b"]" * 20_000 + b"}"),
]


@pytest.mark.parametrize(("kind", "case", "make"), PATHOLOGICAL, ids=[f"{k}-{c}" for k, c, _ in PATHOLOGICAL])
def test_pathological_input_gives_only_own_errors(kind: str, case: str, make: Callable[[], bytes],
                                                  tmp_path: Path) -> None:
    PARSERS[kind](make(), tmp_path)
