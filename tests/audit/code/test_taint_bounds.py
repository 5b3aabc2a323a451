"""Pathological input for the taint analysis: deep nesting, long chains and huge lines finish without
RecursionError, and the work counted (interpreter steps) grows linearly with the input and stays
within the file's budget."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from opskit.audit.code.rulebook import load_rulebook
from opskit.audit.code.scanners import RulesScanner
from opskit.audit.code.syntax import indent_levels, parse
from opskit.audit.code.taint import TaintAnalysis
from opskit.audit.code.taint.interpreter import Interpreter
from opskit.audit.interface import ScanSettings, SourceFile

PY = "from flask import request\nimport os\n"
JS = "const express = require('express');\nconst { exec } = require('child_process');\n"

SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "python parentheses": ("x.py", lambda n: PY + "x = " + "(\n" * n + "request.args['a']" + ")\n" * n
                           + "os.system(x)\n"),
    "javascript parentheses": ("x.js", lambda n: JS + "const x = " + "(\n" * n + "req.query.a" + ")\n" * n
                               + ";\nexec(x);\n"),
    "python lists": ("x.py", lambda n: PY + "x = " + "[\n" * n + "request.args['a']" + "]\n" * n + "os.system(x)\n"),
    "javascript arrays": ("x.js", lambda n: JS + "const x = " + "[\n" * n + "1" + "]\n" * n + ";\n"),
    "attribute chain": ("x.py", lambda n: PY + "x = request" + "\\\n.a" * n + "\nos.system(x)\n"),
    "call chain": ("x.js", lambda n: JS + "const x = f" + "\n(1)" * n + ";\n"),
    "concatenation": ("x.py", lambda n: PY + "os.system(request.args['a']" + "\n+ 'x'" * n + ")\n"),
    "nested calls": ("x.py", lambda n: PY + "os.system(" + "f(\n" * n + "request.args['a']" + ")\n" * n + ")\n"),
    "one huge line": ("x.py", lambda n: PY + "def f():\n    os.system(request.args['a']); " + "x = 1; " * n + "\n"),
    "nested ifs": ("x.js", lambda n: JS + "function f(req) {\n" + "if (a) {\n" * n + "exec(req.query.a);\n"
                   + "}\n" * n + "}\n"),
    "many variables and branches": ("x.py", lambda n: PY + "def f():\n" + "".join(f"    v{i} = {i}\n" for i in range(n))
                                    + "    if a:\n        x = 1\n" * n),
}


def _work(name: str, text: str) -> Interpreter:
    unit = parse(name, text)
    assert unit is not None
    interpreter = TaintAnalysis(load_rulebook()).interpret(unit)
    interpreter.run()  # must not raise RecursionError (or anything else)
    return interpreter


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_work_is_linear_and_bounded(shape: str) -> None:
    name, make = SHAPES[shape]
    small, large = _work(name, make(1000)), _work(name, make(2000))
    assert large.work <= large.budget
    if shape == "many variables and branches":  # copying n names at n branches: cut off by the budget
        assert any("work bound" in note for note in _work(name, make(4000)).notes)
    else:
        assert large.work <= 2.2 * small.work + 1000, (small.work, large.work)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_fifty_thousand_levels_finish_within_the_budget(shape: str) -> None:
    name, make = SHAPES[shape]
    interpreter = _work(name, make(50_000))
    assert interpreter.work <= interpreter.budget


def test_deep_nesting_is_noted_and_shallow_flows_still_found() -> None:
    name, make = SHAPES["python lists"]
    interpreter = _work(name, make(500))
    assert any("nested more than" in note for note in interpreter.notes)
    concatenated = _work(*(lambda s: (s[0], s[1](50_000)))(SHAPES["concatenation"]))
    assert [h.rule for h in concatenated.hits.values()] == ["code.command-injection"]
    wrapped = _work(*(lambda s: (s[0], s[1](50_000)))(SHAPES["python parentheses"]))
    assert [h.line for h in wrapped.hits.values()] == [100_003]


def test_python_indented_past_the_grammars_limit_is_a_note_not_a_crash() -> None:
    levels = "".join(" " * (i + 1) + "if a:\n" for i in range(600))
    text = "from flask import request\n" + "x = 1\n" * 2000 + "def f():\n" + levels + " " * 601 + "pass\n"
    result = RulesScanner(ScanSettings()).scan([SourceFile("deep.py", text), SourceFile("ok.py", "import os\n")])
    assert result.notes == ["deep.py: indented more than 400 levels deep; not parsed; skipped by code rules"]
    assert indent_levels(text.encode()) == 601


def test_a_long_chain_of_modules_stays_within_the_nesting_bound(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each module's interpreter counts the same nesting levels, so a call chain through 300 modules
    (and a cycle back to the first) ends without RecursionError."""
    count = 300
    for index in range(count):
        following = (index + 1) % count
        (tmp_path / f"m{index}.py").write_text(
            f"from m{following} import f{following}\n\n\ndef f{index}(x):\n    return f{following}(x) + 'a'\n")
    (tmp_path / "app.py").write_text("import os\nfrom flask import request\nfrom m0 import f0\n\n\n"
                                     "def view():\n    os.system(f0(request.args['x']))\n")
    app = SourceFile("app.py", (tmp_path / "app.py").read_text())
    result = RulesScanner(ScanSettings(root=str(tmp_path))).scan([app])
    assert [f.location.line for f in result.findings] == [7]
