"""Every manifest and lockfile format, read from files the real tools wrote (see fixtures/regenerate.sh)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from opskit.audit.deps.interface import Ecosystem
from opskit.audit.deps.manifests import parser_for
from opskit.cli import cli
from tests.audit.deps.conftest import LOCKFILES

PY = {("requests", "2.19.0", True), ("jinja2", "2.10", True), ("urllib3", "1.23", False),
      ("idna", "2.7", False), ("chardet", "3.0.4", False)}
NPM = {("lodash", "4.17.15", True), ("mkdirp", "0.5.1", True), ("minimist", "0.0.8", False)}
PY_IDS = {("requests", "GHSA-x84v-xcm2-53pg"), ("requests", "GHSA-j8r2-6x86-q33q"), ("requests", "GHSA-9wx4-h78v-vm56"),
          ("jinja2", "GHSA-462w-v97r-4m45"), ("urllib3", "GHSA-mh33-7rrq-662w")}
NPM_IDS = {("lodash", "GHSA-p6mc-m468-83gw"), ("lodash", "GHSA-35jh-r3h4-6jhm"), ("lodash", "GHSA-29mw-wpgm-hmr9"),
           ("minimist", "GHSA-vh95-rmgr-6w4m"), ("minimist", "GHSA-xvch-5gv4-984h")}

# (fixture file, tool that wrote it, packages expected among those read, ecosystem)
CASES = [
    ("pip/requirements.txt", "pip-compile --generate-hashes", PY, Ecosystem.PYPI),
    ("pipenv/Pipfile.lock", "pipenv", PY, Ecosystem.PYPI),
    ("poetry/poetry.lock", "poetry", PY, Ecosystem.PYPI),
    ("pdm/pdm.lock", "pdm", PY, Ecosystem.PYPI),
    ("uv/uv.lock", "uv", PY, Ecosystem.PYPI),
    ("pylock/pylock.toml", "pip lock (PEP 751)", PY, Ecosystem.PYPI),
    ("npm/package-lock.json", "npm 11 (lockfile v3)", NPM, Ecosystem.NPM),
    ("npm-v1/package-lock.json", "npm 6 (lockfile v1)", NPM, Ecosystem.NPM),
    ("shrinkwrap/npm-shrinkwrap.json", "npm shrinkwrap", NPM, Ecosystem.NPM),
    ("yarn-v1/yarn.lock", "yarn 1", NPM, Ecosystem.NPM),
    ("yarn-berry/yarn.lock", "yarn 4 (berry)", NPM, Ecosystem.NPM),
    ("pnpm/pnpm-lock.yaml", "pnpm", NPM, Ecosystem.NPM),
    ("bun/bun.lock", "bun 1 (text lockfile)", NPM, Ecosystem.NPM),
]


def _read(path: Path) -> object:
    parser = parser_for(path.name)
    assert parser is not None, path

    def sibling(name: str) -> str | None:
        candidate = path.parent / name
        return candidate.read_text() if candidate.is_file() else None

    return parser(path.read_text(), path.name, sibling)


@pytest.mark.parametrize(("fixture", "tool", "expected", "ecosystem"), CASES, ids=[c[0] for c in CASES])
def test_reads_packages_direct_flags_and_lines(fixture: str, tool: str, expected: set, ecosystem: Ecosystem) -> None:
    path = LOCKFILES / fixture
    parsed = _read(path)
    assert not parsed.notes  # type: ignore[attr-defined]
    packages = parsed.packages  # type: ignore[attr-defined]
    found = {(p.key[1], p.version, p.direct) for p in packages}
    assert expected <= found, f"{tool}: missing {expected - found}"
    lines = path.read_text().splitlines()
    for package in packages:
        assert package.ecosystem is ecosystem
        if package.direct and not fixture.startswith("poetry/"):  # Poetry's ^ syntax is not PEP 440
            assert package.declared in ("4.17.15", "0.5.1", "==2.19.0", "==2.10"), (package, tool)
        assert package.line is not None, package
        assert package.name.lower() in lines[package.line - 1].lower(), (package, lines[package.line - 1])


def test_pep_751_names_a_lock_pylock_dot_name_dot_toml() -> None:
    assert parser_for("app/pylock.dev.toml") is parser_for("pylock.toml") is not None
    assert parser_for("pylock.a.b.toml") is None and parser_for("mypylock.toml") is None


def test_pip_freeze_output() -> None:
    parsed = _read(LOCKFILES / "pip" / "requirements-freeze.txt")
    assert {(p.name, p.version) for p in parsed.packages} == {  # type: ignore[attr-defined]
        ("certifi", "2018.8.24"), ("chardet", "3.0.4"), ("idna", "2.7"), ("requests", "2.19.0"), ("urllib3", "1.23")}


def _audit(target: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["audit", "--only", "deps", "--no-cache", "--format", "json", *args, str(target)])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


@pytest.mark.parametrize("fixture", [c[0] for c in CASES])
def test_each_format_reports_the_planted_advisories(fixture: str, osv_records: Path) -> None:
    path = LOCKFILES / fixture
    _, doc = _audit(path, "--vuln-db", str(osv_records))
    found = {(f["properties"]["package"].lower(), f["rule_id"]) for f in doc["findings"]}
    assert found == (PY_IDS if "PyPI" in {f["properties"]["ecosystem"] for f in doc["findings"]} else NPM_IDS)
    for finding in doc["findings"]:
        assert finding["owasp"] == ["A06:2021-Vulnerable and Outdated Components"]
        assert finding["location"]["line"] and finding["properties"]["fixed_versions"]


@pytest.mark.parametrize("fixture", ["npm/package-lock.json", "shrinkwrap/npm-shrinkwrap.json",
                                     "npm-v1/package-lock.json", "yarn-v1/yarn.lock", "yarn-berry/yarn.lock",
                                     "pnpm/pnpm-lock.yaml", "bun/bun.lock", "poetry/poetry.lock", "pdm/pdm.lock",
                                     "uv/uv.lock"])
def test_transitive_packages_name_the_direct_dependency_that_pulls_them_in(fixture: str) -> None:
    via = {p.key[1]: p.via for p in _read(LOCKFILES / fixture).packages if p.direct is False}  # type: ignore[attr-defined]
    python = fixture.startswith(("poetry", "pdm", "uv"))
    expected = {"urllib3": ("requests",), "markupsafe": ("jinja2",)} if python else {"minimist": ("mkdirp",)}
    assert expected.items() <= via.items()
