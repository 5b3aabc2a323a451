"""Manifest syntax the tools accept: requirements options, includes, extras, markers; pathological input."""

from __future__ import annotations

from pathlib import Path

import pytest

from opskit.audit.deps.manifests import parser_for
from opskit.audit.deps.manifests.jsonlines import key_lines
from opskit.audit.deps.manifests.requirements import parse_requirements


def _siblings(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda name: files.get(name)


REQUIREMENTS = """\
# comment
--index-url https://pypi.org/simple
-r base.txt
-c constraints.txt
-e git+https://github.com/psf/requests#egg=requests
requests[socks]==2.19.0 ; python_version >= "3.6" \\
    --hash=sha256:63b52e3c866428a224f97cab011de738c36aec0185aa91cfacd418b5d58911d1
Django>=3.2,<4
urllib3===1.23  # pinned for a reason
flask == 0.12.2 --hash=sha256:0749df235e3ff61ac108f69ac178c9770caeaccad2509cb762ce1f65570a8856
numpy==1.*
https://example.com/pkg.whl
"""


def test_requirements_pins_extras_markers_hashes_and_includes() -> None:
    parsed = parse_requirements(REQUIREMENTS, "requirements.txt", _siblings({"base.txt": "jinja2==2.10\n"}))
    got = {(p.name, p.version, p.line, p.declared_in) for p in parsed.packages}
    assert got == {("requests", "2.19.0", 6, None), ("urllib3", "1.23", 9, None), ("flask", "0.12.2", 10, None),
                   ("jinja2", "2.10", 1, "base.txt")}
    assert parsed.notes == ()


def test_missing_include_is_a_note_and_include_cycles_stop() -> None:
    parsed = parse_requirements("-r missing.txt\n", "requirements.txt", _siblings({}))
    assert parsed.notes == ("requirements.txt:1: cannot read included requirements file missing.txt",)
    cycle = {"a.txt": "-r b.txt\nsix==1.0\n", "b.txt": "-r a.txt\n"}
    parsed = parse_requirements("-r a.txt\n", "requirements.txt", _siblings(cycle))
    assert [(p.name, p.declared_in) for p in parsed.packages] == [("six", "a.txt")]


def test_which_files_are_read() -> None:
    for path in ("requirements.txt", "requirements-dev.txt", "dev-requirements.txt", "requirements/prod.txt",
                 "poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "package-lock.json", "npm-shrinkwrap.json",
                 "yarn.lock", "pnpm-lock.yaml", "pyproject.toml", "package.json",
                 "usr/lib/python3.11/site-packages/requests-2.19.0.dist-info/METADATA",
                 "app/node_modules/lodash/package.json", "app/node_modules/@babel/core/package.json"):
        assert parser_for(path) is not None, path
    for path in ("notes.txt", "Pipfile", "requirements.in", "node_modules/lodash/lib/package.json", "setup.py"):
        assert parser_for(path) is None, path


def test_package_json_alone_gives_its_exact_pins(tmp_path: Path) -> None:
    text = '{"dependencies": {"lodash": "4.17.15", "express": "^4.19.2"}, "devDependencies": {"minimist": "=0.0.8"}}'
    parsed = parser_for("package.json")(text, "package.json", _siblings({}))  # type: ignore[misc]
    assert {(p.name, p.version, p.direct) for p in parsed.packages} == {("lodash", "4.17.15", True),
                                                                      ("minimist", "0.0.8", True)}
    with_lock = parser_for("package.json")(text, "package.json", _siblings({"package-lock.json": "{}"}))  # type: ignore[misc]
    assert with_lock.packages == ()


def test_installed_metadata() -> None:
    metadata = "Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n\nVersion: 9.9 in the description\n"
    parsed = parser_for("x/requests-2.19.0.dist-info/METADATA")(metadata, "METADATA", _siblings({}))  # type: ignore[misc]
    assert [(p.name, p.version, p.line, p.direct) for p in parsed.packages] == [("requests", "2.19.0", 3, None)]
    node = parser_for("node_modules/lodash/package.json")(  # type: ignore[misc]
        '{\n  "name": "lodash",\n  "version": "4.17.15"\n}', "package.json", _siblings({}))
    assert [(p.name, p.version, p.line) for p in node.packages] == [("lodash", "4.17.15", 3)]


def test_malformed_files_give_one_note_each() -> None:
    for name, text in (("package-lock.json", "{"), ("Pipfile.lock", "[1"), ("poetry.lock", "[[package]\n"),
                       ("pnpm-lock.yaml", "packages:\n  - [\n"), ("uv.lock", "name = ")):
        parsed = parser_for(name)(text, name, _siblings({}))  # type: ignore[misc]
        assert parsed.packages == () and len(parsed.notes) == 1 and parsed.notes[0].startswith(name), name


class _CountingPattern:
    """Wraps the JSON tokenizer to count tokens: work must grow linearly with input."""

    def __init__(self, pattern: object) -> None:
        self.pattern, self.count = pattern, 0

    def finditer(self, text: str):  # type: ignore[no-untyped-def]
        for match in self.pattern.finditer(text):  # type: ignore[attr-defined]
            self.count += 1
            yield match


def test_key_lines_work_is_linear_in_nesting_depth(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from opskit.audit.deps.manifests import jsonlines

    counts = []
    for depth in (10_000, 20_000):
        counter = _CountingPattern(jsonlines._TOKEN)
        monkeypatch.setattr(jsonlines, "_TOKEN", counter)
        text = '{"a": ' * depth + "1" + "}" * depth
        lines = key_lines(text)
        monkeypatch.undo()
        assert len(lines) == jsonlines.MAX_DEPTH  # no recursion limit hit; paths past the cap not copied
        counts.append(counter.count)
    assert counts[1] == 2 * counts[0]


def test_long_lines_and_deep_lockfiles_parse_without_recursion() -> None:
    long_line = "requests==2.19.0 " + "--hash=sha256:" + "a" * 1_000_000 + "\n"
    assert [p.name for p in parse_requirements(long_line, "requirements.txt", _siblings({})).packages] == ["requests"]
    # npm v1 nests a package's own copies; walked with a stack, not recursion
    deep = '{"dependencies": ' + "".join(f'{{"p{i}": {{"version": "1.0.0", "dependencies": ' for i in range(400))
    deep += "{}" + "}}" * 400 + "}"
    parsed = parser_for("package-lock.json")(deep, "package-lock.json", _siblings({}))  # type: ignore[misc]
    assert len(parsed.packages) == 400
    for name, text in (("package-lock.json", "[" * 100_000), ("pnpm-lock.yaml", "a: " * 5000 + "b"),
                       ("Pipfile.lock", '{"a":' * 100_000), ("poetry.lock", "a = " + "[" * 100_000)):
        parsed = parser_for(name)(text, name, _siblings({}))  # type: ignore[misc]
        assert parsed.packages == () and len(parsed.notes) == 1, name


def test_yarn_aliases_resolve_to_the_package_they_name() -> None:
    v1 = ('"string-width-cjs@npm:string-width@^4.2.0":\n  version "4.2.3"\n'
          '  resolved "https://registry.yarnpkg.com/string-width/-/string-width-4.2.3.tgz"\n\n'
          '"@scope/pkg@^1.0.0":\n  version "1.2.0"\n')
    berry = ('__metadata:\n  version: 8\n\n"string-width-cjs@npm:string-width@^4.2.0":\n  version: 4.2.3\n'
             '  resolution: "string-width@npm:4.2.3"\n')
    for text in (v1, berry):
        parsed = parser_for("yarn.lock")(text, "yarn.lock", _siblings({}))  # type: ignore[misc]
        assert ("string-width", "4.2.3") in {(p.name, p.version) for p in parsed.packages}
    assert ("@scope/pkg", "1.2.0") in {(p.name, p.version) for p in parser_for("yarn.lock")(  # type: ignore[misc]
        v1, "yarn.lock", _siblings({})).packages}


def _work(parse, text: str, name: str) -> int:  # type: ignore[no-untyped-def]
    """Python and C calls made while parsing: a count of work that does not depend on machine load."""
    import sys

    count = 0

    def profile(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1

    sys.setprofile(profile)
    try:
        parse(text, name, _siblings({}))
    finally:
        sys.setprofile(None)
    return count


def _lockfile(name: str, n: int) -> str:
    import json

    if name == "requirements.txt":
        return "".join(f"pkg-{i}==1.0.{i} --hash=sha256:{'a' * 64}\n    # via -r requirements.in\n" for i in range(n))
    if name == "yarn.lock":
        return "".join(f'"pkg-{i}@^1.0.0", pkg-{i}@^1.0.1:\n  version "1.0.{i}"\n  resolved "x"\n\n' for i in range(n))
    if name == "pnpm-lock.yaml":
        return "lockfileVersion: '9.0'\npackages:\n" + "".join(
            f"  pkg-{i}@1.0.{i}:\n    resolution: {{integrity: sha512-x}}\n" for i in range(n))
    if name == "poetry.lock":
        return "".join(f'[[package]]\nname = "pkg-{i}"\nversion = "1.0.{i}"\n\n' for i in range(n))
    if name == "package-lock.json":
        return json.dumps({"lockfileVersion": 3, "packages": {f"node_modules/pkg-{i}": {"version": f"1.0.{i}"}
                                                              for i in range(n)}}, indent=2)
    return json.dumps({"default": {f"pkg-{i}": {"version": f"==1.0.{i}"} for i in range(n)}}, indent=2)


@pytest.mark.parametrize("name", ["requirements.txt", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
                                  "package-lock.json", "Pipfile.lock"])
def test_parsing_work_grows_linearly_with_lockfile_size(name: str) -> None:
    parse = parser_for(name)
    small, large = (_work(parse, _lockfile(name, n), name) for n in (500, 2000))
    assert large <= 4.4 * small, (name, small, large)  # 4x the input: at most ~4x the calls


def test_via_walk_is_linear_when_every_package_is_direct() -> None:
    """2,000 direct dependencies over one long chain: each package keeps at most VIA_LIMIT names."""
    from opskit.audit.deps.interface import Ecosystem, Package
    from opskit.audit.deps.manifests import VIA_LIMIT, with_via

    def walk(n: int) -> tuple[int, tuple[Package, ...]]:
        packages = [Package(Ecosystem.NPM, f"d{i}", "1.0.0", direct=True) for i in range(n)]
        packages += [Package(Ecosystem.NPM, f"t{i}", "1.0.0", direct=False) for i in range(n)]
        graph = {f"d{i}": [f"t{i}"] for i in range(n)} | {f"t{i}": [f"t{i + 1}"] for i in range(n - 1)}
        calls = 0

        class Counting(dict):  # type: ignore[type-arg]
            def get(self, key, default=None):  # type: ignore[no-untyped-def]
                nonlocal calls
                calls += 1
                return super().get(key, default)

        return calls, with_via(packages, Counting(graph))  # type: ignore[return-value]

    small, result = walk(500)
    large, _ = walk(2000)
    assert large <= 4.4 * small
    assert all(len(p.via) <= VIA_LIMIT for p in result) and result[-1].via == ("d497", "d498", "d499")
