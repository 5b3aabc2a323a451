"""The interpreter for one file, put together from its parts, and the ``Analysis`` that runs it."""

from __future__ import annotations

import re

from opskit.audit.code.interface import Analysis, Hit, Rulebook
from opskit.audit.code.syntax import UNKNOWN, ParsedFile, constant
from opskit.audit.code.taint.bindings import Bindings
from opskit.audit.code.taint.calls import Calls
from opskit.audit.code.taint.expressions import Expressions
from opskit.audit.code.taint.grammar import GRAMMARS
from opskit.audit.code.taint.guards import Guards
from opskit.audit.code.taint.project import Project
from opskit.audit.code.taint.rules import LanguageRules
from opskit.audit.code.taint.state import MAX_DEPTH, REQUEST_NAMES, Frame, ProjectModules, WorkExhausted
from opskit.audit.code.taint.statements import Statements
from opskit.audit.code.taint.values import Value


class Interpreter(Statements, Bindings, Expressions, Calls, Guards):
    """Runs a file's module body; functions that frameworks call are analysed as entries."""

    def run(self) -> list[Hit]:
        self.collect_functions(self.unit.root)
        try:
            self.exec_block(self.unit.root.named_children, self.module, Frame())
        except WorkExhausted:
            self.notes.append(f"{self.unit.path}: taint analysis stopped at its work bound ({self.budget} steps, "
                              "linear in the file's size); flows found before it are reported")
        if self.too_deep is not None:
            self.notes.append(f"{self.unit.path}:{self.too_deep}: nested more than {MAX_DEPTH} levels deep; "
                              "the taint analysis did not follow the inner expressions")
        return sorted(self.hits.values(), key=lambda h: (h.path or "", h.line, h.column, h.rule))

    def prepare(self) -> Interpreter:
        """Ready to be called into from another module: its definitions and module-level constants."""
        self.collect_functions(self.unit.root)
        for statement in self.unit.root.named_children:
            targets = statement.named_children if statement.type in ("expression_statement", "lexical_declaration",
                                                                      "variable_declaration") else []
            for node in targets:
                name = node.child_by_field_name("left") or node.child_by_field_name("name")
                value = node.child_by_field_name("right") or node.child_by_field_name("value")
                if name is not None and name.type == "identifier" and value is not None:
                    folded = constant(self.unit, value)
                    if folded is not UNKNOWN:
                        self.module[self.unit.text(name)] = Value(const=folded)
        return self

    def request_writes(self) -> list[tuple[str, Value]]:
        """``req.filter = <input>`` anywhere in this (JS) file: what a middleware copies onto the
        request for the routes that run after it, in whichever file they are."""
        found: list[tuple[str, Value]] = []
        stack = [self.unit.root]
        while stack:
            node = stack.pop()
            stack.extend(reversed(node.named_children))
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if node.type != "assignment_expression" or left is None or right is None:
                continue
            parts = (self.unit.raw_name(left) or "").split(".")
            if len(parts) == 2 and parts[0] in REQUEST_NAMES:
                try:
                    value = self.eval(right, {}, Frame())
                except WorkExhausted:
                    break
                if value.origins:
                    found.append((parts[1], value))
        return found


class TaintAnalysis(Analysis):
    """Runs the taint rules of a ``Rulebook`` over one parsed file."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self._languages: dict[str, LanguageRules] = {}
        self._markers = {lang: re.compile(marker.encode()) for lang, marker in rulebook.framework_markers.items()}

    def wants_source(self, source: bytes, language: str) -> bool:
        """Only files that use a web framework or request object can have taint findings (skip the rest)."""
        marker = self._markers.get(language)
        return marker is not None and marker.search(source) is not None

    def run(self, unit: ParsedFile) -> list[Hit]:
        return self.interpret(unit).run()

    def interpret(self, unit: ParsedFile, project: ProjectModules | None = None) -> Interpreter:
        """The interpreter for ``unit`` (``run()`` it; its ``notes`` and ``work`` are then set)."""
        rules = self._languages.get(unit.language)
        if rules is None:
            rules = self._languages[unit.language] = LanguageRules(self.rulebook, unit.language)
        return Interpreter(unit, rules, GRAMMARS[unit.language], project)

    def project(self, root: str) -> Project:
        """The project under ``root``, whose modules calls are followed into."""
        project = Project(root, lambda unit: self.interpret(unit, project).prepare())
        return project
