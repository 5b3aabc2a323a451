"""Packaging hygiene: an SPDX license string (no setuptools deprecation warnings) and bounded linters."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    (setuptools,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    assert not setuptools.specifier.contains(Version("76.9"))  # PEP 639 strings need setuptools 77


def test_every_dependency_has_an_upper_bound() -> None:
    groups = {"runtime": PYPROJECT["project"]["dependencies"], **PYPROJECT["project"]["optional-dependencies"]}
    unbounded = [
        f"{group}: {text}"
        for group, requirements in groups.items()
        for text in requirements
        if not text.startswith("types-") and not any(s.operator in ("<", "<=", "==", "~=")
                                                     for s in Requirement(text).specifier)
    ]
    assert unbounded == []


def test_make_demo_installs_only_the_tool() -> None:
    rules = {}
    for chunk in (Path(__file__).resolve().parents[2] / "Makefile").read_text().split("\n\n"):
        head = next((line for line in chunk.splitlines() if not line.startswith("#")), "")
        if ":" in head:
            rules[head.split(":", 1)[0].strip()] = chunk
    demo = rules["demo"]
    prerequisite = demo.split(":", 1)[1].split("\n", 1)[0].split()[0]
    install = rules[prerequisite]
    assert "pip install -q -e ." in install and "[" not in install.split("pip install", 2)[-1]
    assert "scripts/demo.py" in demo
