"""The interpreter's state (the file, its rules and grammar, hits, summaries) and what every part may call."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from opskit.audit.code.interface import Hit, SinkSpec
from opskit.audit.code.syntax import ParsedFile
from opskit.audit.code.taint.grammar import Grammar
from opskit.audit.code.taint.rules import LanguageRules
from opskit.audit.code.taint.values import Env, Origin, Value

MAX_DEPTH = 100  # nested statements and expressions followed; deeper ones are taken as clean
BASE_WORK = 100_000  # steps every file may take ...
WORK_PER_BYTE = 4  # ... plus this many per byte (real code takes under 1.5): linear in the file's size


class WorkExhausted(Exception):
    """The file's work bound is spent: stop, keeping the hits found so far."""


@dataclass
class Frame:
    """The function being analysed: its kind of route, collected returns, and the helper call chain."""

    route: str | None = None  # "flask" when a return value is an HTML body
    returns: list[Value] = field(default_factory=list)
    via: tuple[str, ...] = ()


class State(ABC):
    """Shared by the statement, expression, call and guard parts of the interpreter."""

    def __init__(self, unit: ParsedFile, rules: LanguageRules, grammar: Grammar) -> None:
        self.unit = unit
        self.rules = rules
        self.grammar = grammar
        self.python = grammar.keyword_arguments
        self.hits: dict[tuple[str, int, int], Hit] = {}
        self.functions: dict[str, Node] = {}
        self.memo: dict[tuple[Any, ...], Value] = {}
        self.shapes: dict[int, int] = {}  # function -> argument shapes summarised
        self.stack: list[int] = []
        self.module: Env = {}
        self.analysed: set[int] = set()
        self.depth = 0
        self.work = 0
        self.budget = BASE_WORK + WORK_PER_BYTE * len(unit.source)
        self.too_deep: int | None = None
        self.notes: list[str] = []  # first line where nesting passed MAX_DEPTH

    def step(self, cost: int = 1) -> None:
        """Count work; past the file's budget the analysis stops (``WorkExhausted``)."""
        if self.work + cost > self.budget:
            raise WorkExhausted
        self.work += cost

    def deeper(self, node: Node) -> bool:
        """Enter one level of nesting; False (and nothing entered) past ``MAX_DEPTH``."""
        self.step()
        if self.depth >= MAX_DEPTH:
            if self.too_deep is None:
                self.too_deep = node.start_point[0] + 1
            return False
        self.depth += 1
        return True

    @abstractmethod
    def eval(self, node: Node, env: Env, frame: Frame) -> Value:
        """The value of an expression."""

    @abstractmethod
    def exec(self, node: Node, env: Env, frame: Frame) -> bool:
        """Run a statement; True when it always leaves the function."""

    @abstractmethod
    def exec_block(self, nodes: list[Node], env: Env, frame: Frame) -> bool:
        """Run statements in order."""

    @abstractmethod
    def bind(self, target: Node, value: Value, env: Env, frame: Frame, source_name: str | None = None) -> None:
        """Assign a value to a target."""

    @abstractmethod
    def analyse_entry(self, func: Node, closure: Env, decorators: list[Node] | None = None) -> None:
        """Analyse a function that a framework calls."""

    @abstractmethod
    def local_function(self, func: Node | None) -> Node | None:
        """The definition in this file that a call's function expression names."""

    @abstractmethod
    def eval_call(self, node: Node, env: Env, frame: Frame) -> Value:
        """The value of a call (a source, a sanitizer, a summarised helper, or its arguments' taint)."""

    @abstractmethod
    def guard(self, condition: Node, env: Env) -> tuple[str, bool, frozenset[int]] | None:
        """The name a condition checks, whether it holds when the condition is true, and for which CWEs."""

    def report(self, spec: SinkSpec, value: Value, node: Node, frame: Frame, sink: str) -> bool:
        """Record a hit when ``value`` is tainted for the sink's CWE; True when it was."""
        cwe = self.rules.cwe[spec.rule]
        origins = value.tainted_for(cwe)
        if not origins:
            return False
        origin = min(origins, key=lambda o: (o.line, o.source))
        line, column = node.start_point[0] + 1, node.start_point[1] + 1
        via = f" via {' -> '.join(frame.via)}()" if frame.via else ""
        detail = f"{origin.source} ({origin.kind}, line {origin.line}) reaches {sink}{via}"
        key = (spec.rule, line, column)
        if key not in self.hits:
            self.hits[key] = Hit(rule=spec.rule, line=line, column=column, end_line=node.end_point[0] + 1,
                                 end_column=node.end_point[1] + 1, detail=detail,
                                 snippet=self.unit.line_text(line)[:200])
        return True

    def member_source(self, name: str, node: Node, call: bool = False) -> Value | None:
        kind = self.rules.source(name, call)
        if kind is None:
            return None
        short = name if len(name) <= 60 else name[:57] + "..."
        return Value(frozenset({Origin(short, kind, node.start_point[0] + 1)}))

    def source(self, node: Node, call: bool = False) -> Value | None:
        """Untrusted input read by ``node``, by its resolved name or as written (a view's ``request``
        parameter shadows an imported ``flask.request``)."""
        name, raw = self.unit.name(node), self.unit.raw_name(node)
        for candidate in (name, raw) if name != raw else (name,):
            if candidate:
                found = self.member_source(candidate, node, call)
                if found is not None:
                    return found
        return None

    def attribute_name(self, node: Node) -> Node | None:
        """The attribute part of ``obj.attr`` in this grammar."""
        return node.child_by_field_name(self.grammar.attribute_field)

    def subscript_parts(self, node: Node) -> tuple[Node | None, Node | None]:
        """(container, key) of ``obj[key]`` in this grammar."""
        container, key = self.grammar.subscript_fields
        return node.child_by_field_name(container), node.child_by_field_name(key)
