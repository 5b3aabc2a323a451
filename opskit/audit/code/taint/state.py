"""The interpreter's state (the file, its rules and grammar, hits, summaries) and what every part may call."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tree_sitter import Node

from opskit.audit.code.interface import Hit, SinkSpec
from opskit.audit.code.syntax import ParsedFile
from opskit.audit.code.taint.grammar import Grammar
from opskit.audit.code.taint.rules import LanguageRules
from opskit.audit.code.taint.values import Env, Origin, Step, Value, first_origin

MAX_DEPTH = 100  # nested statements and expressions followed; deeper ones are taken as clean
BASE_WORK = 100_000  # steps every file may take ...
REQUEST_NAMES = frozenset({"req", "request"})  # Express-style request objects middleware writes onto
WORK_PER_BYTE = 4  # ... plus this many per byte (real code takes under 1.5): linear in the file's size


class WorkExhausted(Exception):
    """The file's work bound is spent: stop, keeping the hits found so far."""


@dataclass(frozen=True)
class Site:
    """Where a sink is: a file and a span, its line's text and the sink's name."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str
    sink: str


@dataclass(frozen=True)
class PendingSink:
    """A sink inside a summarised function that one of its parameters reaches: reported at every call
    that passes input there."""

    spec: SinkSpec
    param: str
    cleared: frozenset[int]
    site: Site
    steps: tuple[Step, ...]
    via: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """What a function does with its parameters (placeholder origins) and its own input."""

    result: Value
    pending: tuple[PendingSink, ...]
    attributes: Mapping[str, Value]  # self.<name> after the body


@dataclass
class Frame:
    """The function being analysed: its kind of route, collected returns, the helper call chain and
    the sinks its parameters reach (when it is being summarised)."""

    route: str | None = None  # "flask" when a return value is an HTML body
    returns: list[Value] = field(default_factory=list)
    via: tuple[str, ...] = ()
    pending: list[PendingSink] = field(default_factory=list)


@dataclass(frozen=True)
class FunctionRef:
    """A function or method definition in some module of the project, with the interpreter of its file."""

    owner: State
    node: Node
    name: str
    method: bool = False


@dataclass(frozen=True)
class ClassRef:
    """A class definition and its methods, in the interpreter of its file."""

    owner: State
    node: Node
    name: str
    methods: Mapping[str, Node]


Callee = FunctionRef | ClassRef


class ProjectModules(Protocol):
    """Resolves an imported name to a definition in another file of the project."""

    def resolve(self, name: str, importer: ParsedFile) -> Callee | None: ...

    def request_fields(self) -> Mapping[str, Value]: ...


class State(ABC):
    """Shared by the statement, expression, call and guard parts of the interpreter."""

    nesting = 0  # levels entered by all interpreters of this process (one analysis runs at a time)

    def __init__(self, unit: ParsedFile, rules: LanguageRules, grammar: Grammar,
                 project: ProjectModules | None = None) -> None:
        self.unit = unit
        self.rules = rules
        self.grammar = grammar
        self.project = project
        self.python = grammar.keyword_arguments
        self.hits: dict[tuple[str, str, int, int], Hit] = {}
        self.functions: dict[str, Node] = {}
        self.local_lambdas: dict[tuple[int, str], Node] = {}  # (enclosing function, name) -> f = lambda/arrow
        self.classes: dict[str, ClassRef] = {}
        self.memo: dict[tuple[Any, ...], Summary] = {}
        self.shapes: dict[int, int] = {}  # function -> argument shapes summarised
        self.stack: list[int] = []
        self.module: Env = {}
        self.analysed: set[int] = set()
        self.callbacks: dict[int, str] = {}  # function node -> "route" / "message": what calls it
        self.named_callbacks: dict[str, str] = {}  # the same for functions passed by name
        self.work = 0
        self.budget = BASE_WORK + WORK_PER_BYTE * len(unit.source)
        self.too_deep: int | None = None  # first line where nesting passed MAX_DEPTH
        self.notes: list[str] = []
        self.tainted_lines: set[int] = set()  # lines of this file where input is built into a string (hints)

    def built(self, node: Node, value: Value) -> Value:
        """``value``, a string built at ``node`` (+, %, an f-string, format); its line is noted when
        input went into it (bandit's SQL-string check there is then no hint)."""
        if any(not origin.param for origin in value.origins):
            self.tainted_lines.add(node.start_point[0] + 1)
        return value

    def step(self, cost: int = 1) -> None:
        """Count work; past the file's budget the analysis stops (``WorkExhausted``)."""
        if self.work + cost > self.budget:
            raise WorkExhausted
        self.work += cost

    def deeper(self, node: Node) -> bool:
        """Enter one level of nesting; False (and nothing entered) past ``MAX_DEPTH``. The count is
        shared by the interpreters of all modules, since calls go from one into another."""
        self.step()
        if State.nesting >= MAX_DEPTH:
            if self.too_deep is None:
                self.too_deep = node.start_point[0] + 1
            return False
        State.nesting += 1
        return True

    @staticmethod
    def shallower() -> None:
        State.nesting -= 1

    @abstractmethod
    def eval(self, node: Node, env: Env, frame: Frame) -> Value:
        """The value of an expression."""

    @abstractmethod
    def request_writes(self) -> list[tuple[str, Value]]:
        """``req.filter = <input>`` in this file: what a middleware copies onto the request."""

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
    def check_assign_sinks(self, name: str | None, value: Value, node: Node, frame: Frame) -> None:
        """Report ``value`` stored into a target that is a sink (``el.innerHTML = v``)."""

    @abstractmethod
    def analyse_entry(self, func: Node, closure: Env, decorators: list[Node] | None = None) -> None:
        """Analyse a function that a framework calls."""

    @abstractmethod
    def local_function(self, func: Node | None) -> Node | None:
        """The definition in this file that a call's function expression names."""

    @abstractmethod
    def bind_parameters(self, ref: FunctionRef, args: list[Value], kwargs: dict[str, Value],
                        receiver: Value | None = None) -> dict[str, Value]:
        """Parameter name -> the argument passed there."""

    @abstractmethod
    def summary(self, ref: FunctionRef, bound: dict[str, Value]) -> Summary | None:
        """What ``ref`` does with arguments shaped like ``bound``."""

    @abstractmethod
    def params(self, func: Node) -> list[tuple[str, str | None, str | None]]:
        """(name, type text, default text) of each parameter of a function."""

    @abstractmethod
    def run_body(self, func: Node, env: Env, frame: Frame) -> None:
        """Run a function's body in ``env``."""

    @abstractmethod
    def eval_call(self, node: Node, env: Env, frame: Frame) -> Value:
        """The value of a call (a source, a sanitizer, a summarised helper, or its arguments' taint)."""

    @abstractmethod
    def guard(self, condition: Node, env: Env) -> tuple[str, bool, frozenset[int]] | None:
        """The name a condition checks, whether it holds when the condition is true, and for which CWEs."""

    @abstractmethod
    def split_on(self, condition: Node, env: Env) -> tuple[Env, Env]:
        """The environments where a condition holds and where it does not."""

    def here(self, node: Node, message: str) -> Step:
        return Step(self.unit.path, node.start_point[0] + 1, node.start_point[1] + 1, message)

    def site(self, node: Node, sink: str) -> Site:
        """Where a sink is reported: the call's start, or in a chain of calls (``qb.where(..)\n.andWhere(x)``)
        the method called last."""
        start = node
        func = node.child_by_field_name("function")
        if func is not None and func.type == self.grammar.attribute:
            obj, method = func.child_by_field_name("object"), self.attribute_name(func)
            if obj is not None and obj.type in self.grammar.calls and method is not None:
                start = method
        line = start.start_point[0] + 1
        return Site(self.unit.path, line, start.start_point[1] + 1, node.end_point[0] + 1, node.end_point[1] + 1,
                    self.unit.line_text(line)[:200], sink)

    def report(self, spec: SinkSpec, value: Value, node: Node, frame: Frame, sink: str) -> bool:
        """Record a hit when ``value`` is tainted for the sink's CWE; True when it was."""
        return self.report_site(spec, value, self.site(node, sink), frame, (), ())

    def report_site(self, spec: SinkSpec, value: Value, site: Site, frame: Frame, steps: tuple[Step, ...],
                    via: tuple[str, ...]) -> bool:
        """A sink at ``site`` reached by ``value``: a hit for input, a pending sink for a parameter."""
        cwe = self.rules.cwe[spec.rule]
        origins = value.tainted_for(cwe)
        if not origins:
            return False
        for placeholder in sorted((o for o in origins if o.param), key=lambda o: o.param):
            frame.pending.append(PendingSink(spec, placeholder.param, placeholder.cleared, site,
                                             (*placeholder.steps, *steps), (*frame.via, *via)))
        real = [o for o in origins if not o.param]
        if not real:
            return True
        origin = first_origin(real)
        chain = (*frame.via, *via)
        source_path = origin.path or self.unit.path
        where = f"line {origin.line}" if source_path == site.path else f"{source_path}:{origin.line}"
        detail = f"{origin.source} ({origin.kind}, {where}) reaches {site.sink}"
        detail += f" via {' -> '.join(chain)}()" if chain else ""
        key = (spec.rule, site.path, site.line, site.column)
        if key not in self.hits:
            flow = (Step(origin.path or self.unit.path, origin.line, origin.column or 1,
                         f"{origin.source} ({origin.kind} input)"),
                    *origin.steps, *steps, Step(site.path, site.line, site.column, f"reaches {site.sink}"))
            self.hits[key] = Hit(rule=spec.rule, line=site.line, column=site.column, end_line=site.end_line,
                                 end_column=site.end_column, detail=detail, snippet=site.snippet,
                                 path=site.path if site.path != self.unit.path else None,
                                 flow=tuple((s.path, s.line, s.column, s.message) for s in flow))
        return True

    def member_source(self, name: str, node: Node, call: bool = False) -> Value | None:
        kind = self.rules.source(name, call)
        if kind is None:
            return None
        short = name if len(name) <= 60 else name[:57] + "..."
        return Value(frozenset({Origin(short, kind, node.start_point[0] + 1, path=self.unit.path,
                                       column=node.start_point[1] + 1)}))

    def source(self, node: Node, call: bool = False) -> Value | None:
        """Untrusted input read by ``node``, by its resolved name or as written (a view's ``request``
        parameter shadows an imported ``flask.request``)."""
        name, raw = self.unit.name(node), self.unit.raw_name(node)
        for candidate in (name, raw) if name != raw else (name,):
            if candidate:
                found = self.member_source(candidate, node, call)
                if found is not None:
                    return found
        parts = (raw or "").split(".")
        if not call and not self.python and self.project is not None and len(parts) == 2 and \
                parts[0] in REQUEST_NAMES:
            return self.project.request_fields().get(parts[1])  # req.filter, set by a middleware from input
        return None

    def attribute_name(self, node: Node) -> Node | None:
        """The attribute part of ``obj.attr`` in this grammar."""
        return node.child_by_field_name(self.grammar.attribute_field)

    def subscript_parts(self, node: Node) -> tuple[Node | None, Node | None]:
        """(container, key) of ``obj[key]`` in this grammar."""
        container, key = self.grammar.subscript_fields
        return node.child_by_field_name(container), node.child_by_field_name(key)
