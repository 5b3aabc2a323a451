"""Intra-file taint analysis for Python (Flask, Django, FastAPI) and JavaScript/TypeScript (Express).

An abstract interpreter over the tree-sitter tree: each variable holds a ``Value`` (where its
untrusted data came from, a folded constant, the items of a literal container). Statements run
in order, both branches of an unknown condition run and merge, constant conditions are folded,
helper functions in the same file are evaluated at their call sites (memoised per argument
shape: a param -> return summary), and a sink reached by untrusted data is a ``Hit``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tree_sitter import Node

from opskit.audit.code.interface import Analysis, Hit, Rulebook, SinkSpec
from opskit.audit.code.matching import constant_in, globs, prefixes
from opskit.audit.code.syntax import UNKNOWN, ParsedFile, constant, string_value

MAX_CALL_DEPTH = 5
ROUTE_DECORATORS = globs(["*.route", "*.get", "*.post", "*.put", "*.patch", "*.delete", "*.api_route",
                          "*.websocket", "*.head", "*.options"])
FLASK_ROUTE = globs(["*.route"])
SAFE_PARAM_TYPES = frozenset({"int", "float", "bool", "UUID", "uuid.UUID", "datetime", "date", "Decimal"})
FRAMEWORK_PARAMS = frozenset({"self", "cls", "request", "req", "res", "response", "db", "session", "background_tasks"})
FRAMEWORK_TYPES = re.compile(r"\b(?:Request|Response|Session|BackgroundTasks|WebSocket|HttpRequest)\b")
TERMINAL_CALLS = globs(["abort", "flask.abort", "*.abort", "sys.exit", "exit", "os._exit"])
KEYWORD_PROPAGATORS = globs(["*.format", "*.format_map", "dict", "*.update", "*.replace", "*.substitute",
                             "*.safe_substitute"])
FUNCTION_NODES = frozenset({"function_definition", "function_declaration", "generator_function_declaration",
                            "function_expression", "function", "arrow_function", "method_definition", "lambda"})


@dataclass(frozen=True)
class Origin:
    """Where untrusted data entered: the source expression, its kind and line, and CWEs it was cleaned for."""

    source: str
    kind: str
    line: int
    cleared: frozenset[int] = frozenset()


def first_origin(origins: Iterable[Origin]) -> Origin:
    """The origin a finding names: the earliest, ties broken on every field (never set order)."""
    return min(origins, key=lambda o: (o.line, o.source, o.kind, sorted(o.cleared)))


@dataclass(frozen=True)
class Value:
    """What the analysis knows about a value."""

    origins: frozenset[Origin] = frozenset()
    const: Any = UNKNOWN
    fields: Mapping[str, Value] | None = field(default=None, compare=False)  # literal dict/list items
    sequence: bool = False  # a list/array literal (an argument vector)
    flags: frozenset[str] = frozenset()

    def tainted_for(self, cwe: int) -> list[Origin]:
        return [o for o in self.origins if cwe not in o.cleared]


CLEAN = Value()


def join(values: Iterable[Value]) -> Value:
    """The value of an expression built from ``values`` (concatenation, formatting, a call)."""
    values = list(values)
    if not values:
        return CLEAN
    if len(values) == 1:
        only = values[0]
        return Value(only.origins, only.const, flags=only.flags)
    origins: frozenset[Origin] = frozenset().union(*(v.origins for v in values))
    flags: frozenset[str] = frozenset().union(*(v.flags for v in values))
    return Value(origins, flags=flags)


def merge(a: Value | None, b: Value | None) -> Value:
    """Either of two values (after an if/else): union of origins, the constant only if both agree."""
    if a is None or b is None:
        known = a or b or CLEAN
        return replace(known, const=UNKNOWN, fields=None)
    if a == b and a.fields is b.fields:
        return a
    const = a.const if (a.const is not UNKNOWN and _same(a.const, b.const)) else UNKNOWN
    return Value(a.origins | b.origins, const, flags=a.flags | b.flags, sequence=a.sequence and b.sequence)


def _same(x: Any, y: Any) -> bool:
    return type(x) is type(y) and x == y


def sanitized(value: Value, cwes: frozenset[int]) -> Value:
    """``value`` after a sanitizer: clean for ``cwes`` (for everything when empty)."""
    if not cwes:
        return Value(const=value.const)
    return replace(value, origins=frozenset(replace(o, cleared=o.cleared | cwes) for o in value.origins))


Env = dict[str, Value]


@dataclass
class Frame:
    """The function being analysed: its kind of route, collected returns, and the helper call chain."""

    route: str | None = None  # "flask" when a return value is an HTML body
    returns: list[Value] = field(default_factory=list)
    via: tuple[str, ...] = ()


class TaintAnalysis(Analysis):
    """Runs the taint rules of a ``Rulebook`` over one parsed file."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self._languages: dict[str, _LanguageRules] = {}
        self._markers = {lang: re.compile(marker.encode()) for lang, marker in rulebook.framework_markers.items()}

    def wants_source(self, source: bytes, language: str) -> bool:
        """Only files that use a web framework or request object can have taint findings (skip the rest)."""
        marker = self._markers.get(language)
        return marker is not None and marker.search(source) is not None

    def run(self, unit: ParsedFile) -> list[Hit]:
        rules = self._languages.get(unit.language)
        if rules is None:
            rules = self._languages[unit.language] = _LanguageRules(self.rulebook, unit.language)
        return _Interpreter(unit, rules).run()


class _LanguageRules:
    """The rulebook's sources, sanitizers, guards, sinks and flags for one language, compiled."""

    def __init__(self, book: Rulebook, language: str) -> None:
        sources = [s for s in book.sources if s.language == language]
        self.source_kinds = [(prefixes(s.prefixes), globs(s.calls), s.kind) for s in sources]
        self.sanitizers = [(globs(s.calls), s.cwes) for s in book.sanitizers if s.language == language]
        self.guards = [(globs(s.calls), s.cwes) for s in book.guards if s.language == language]
        sinks = [s for s in book.sinks if s.language == language]
        self.call_sinks = [(globs(s.calls), s) for s in sinks if s.calls]
        self.assign_sinks = [(globs(s.assigns), s) for s in sinks if s.assigns]
        self.return_sinks = [s for s in sinks if s.route_return]
        self.flags = [(globs(f.calls), f) for f in book.flags if f.language == language]
        self.cwe = {rule.id: rule.cwe for rule in book.rules.values()}

    def source(self, name: str, call: bool) -> str | None:
        for under, calls, kind in self.source_kinds:
            if under(name) or (call and calls(name)):
                return kind
        return None

    def sanitizer(self, name: str, table: Sequence[tuple[Callable[[str], bool], frozenset[int]]]) -> \
            frozenset[int] | None:
        for matches, cwes in table:
            if matches(name):
                return cwes
        return None


@dataclass
class _Call:
    """A call's evaluated arguments: positional values and nodes, keyword/option values and nodes."""

    args: list[Value]
    arg_nodes: list[Node]
    kwargs: dict[str, Value]
    kwarg_nodes: dict[str, Node]

    def values(self) -> list[Value]:
        return [*self.args, *self.kwargs.values()]


class _Interpreter:
    def __init__(self, unit: ParsedFile, rules: _LanguageRules) -> None:
        self.unit = unit
        self.rules = rules
        self.python = unit.language == "python"
        self.hits: dict[tuple[str, int, int], Hit] = {}
        self.functions: dict[str, Node] = {}
        self.memo: dict[tuple[Any, ...], Value] = {}
        self.stack: list[int] = []
        self.module: Env = {}
        self.analysed: set[int] = set()

    # ---- entry points -------------------------------------------------------------------------

    def run(self) -> list[Hit]:
        self._collect_functions(self.unit.root)
        self.exec_block(self.unit.root.named_children, self.module, Frame())
        return sorted(self.hits.values(), key=lambda h: (h.line, h.column, h.rule))

    def _collect_functions(self, root: Node) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type in ("function_definition", "function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    self.functions.setdefault(self.unit.text(name), node)
            elif node.type == "variable_declarator":
                value = node.child_by_field_name("value")
                name = node.child_by_field_name("name")
                if value is not None and name is not None and value.type in FUNCTION_NODES:
                    self.functions.setdefault(self.unit.text(name), value)
            elif node.type == "method_definition":
                name = node.child_by_field_name("name")
                if name is not None:
                    self.functions.setdefault(self.unit.text(name), node)
            stack.extend(node.named_children)

    def analyse_entry(self, func: Node, closure: Env, decorators: Sequence[Node] = ()) -> None:
        """Analyse a function as something a framework calls: route parameters are untrusted."""
        if func.id in self.analysed:
            return
        self.analysed.add(func.id)
        route = None
        names = [self.unit.name(d) or "" for d in decorators]
        if any(ROUTE_DECORATORS(n) for n in names):
            route = "flask" if any(FLASK_ROUTE(n) for n in names) else "api"
        env = dict(closure)
        params = self._params(func)
        untrusted = route is not None or (self.python and self._is_django_view(params))
        after_request = not any(name in ("request", "req") for name, _, _ in params)
        for name, type_text, default in params:
            if name in ("request", "req"):
                after_request = True
                env[name] = CLEAN
                continue
            safe = (
                name in FRAMEWORK_PARAMS
                or type_text in SAFE_PARAM_TYPES
                or (type_text and FRAMEWORK_TYPES.search(type_text))
                or (default is not None and re.match(r"(?:fastapi\.)?(?:Depends|Security)\b", default))
            )
            if untrusted and after_request and not safe:
                env[name] = Value(frozenset({Origin(f"route parameter {name!r}", "path", func.start_point[0] + 1)}))
            else:
                env[name] = CLEAN
        self._run_body(func, env, Frame(route=route))

    @staticmethod
    def _is_django_view(params: list[tuple[str, str | None, str | None]]) -> bool:
        names = [p[0] for p in params]
        return bool(names) and ("request" in names[:2]) and names.index("request") < len(names) - 1

    def _params(self, func: Node) -> list[tuple[str, str | None, str | None]]:
        """(name, type text, default text) of each parameter."""
        node = func.child_by_field_name("parameters")
        if node is None:
            node = func.child_by_field_name("parameter")  # JS arrow function with one bare parameter
            if node is None:
                return []
            return [(self.unit.text(node), None, None)]
        if node.type == "identifier":
            return [(self.unit.text(node), None, None)]
        params = []
        for param in node.named_children:
            name_node = param.child_by_field_name("name") or param.child_by_field_name("pattern") or \
                param.child_by_field_name("left")
            if param.type in ("identifier", "shorthand_property_identifier_pattern"):
                name_node = param
            elif name_node is None and param.named_children:
                name_node = param.named_children[0]
            if name_node is None:
                continue
            type_node = param.child_by_field_name("type")
            default = param.child_by_field_name("value") or param.child_by_field_name("right")
            params.append((
                self.unit.text(name_node),
                self.unit.text(type_node).lstrip(": ").strip() if type_node is not None else None,
                self.unit.text(default) if default is not None else None,
            ))
        return params

    def _run_body(self, func: Node, env: Env, frame: Frame) -> None:
        body = func.child_by_field_name("body")
        if body is None:
            return
        if body.type in ("block", "statement_block", "class_body"):
            self.exec_block(body.named_children, env, frame)
        else:  # arrow function or lambda with an expression body
            frame.returns.append(self.eval(body, env, frame))

    # ---- statements ---------------------------------------------------------------------------

    def exec_block(self, nodes: Sequence[Node], env: Env, frame: Frame) -> bool:
        """Run statements in order; True when the block always leaves (return, raise, abort)."""
        return any(self.exec(node, env, frame) for node in nodes)

    def exec(self, node: Node, env: Env, frame: Frame) -> bool:
        kind = node.type
        handler = _STATEMENTS.get(kind)
        if handler is not None:
            return handler(self, node, env, frame)
        if kind in ("comment", "import_statement", "import_from_statement", "future_import_statement",
                    "pass_statement", "empty_statement", "type_alias_statement", "global_statement",
                    "nonlocal_statement", "debugger_statement", "hash_bang_line", "break_statement",
                    "continue_statement"):
            return False
        if kind.endswith(("_declaration", "_signature")):
            return False  # TypeScript types, interfaces and enums
        if kind.endswith(("_statement", "_clause", "block", "_body", "module", "program")):
            return self.exec_block(node.named_children, env, frame)
        value = self.eval(node, env, frame)
        del value
        return kind in ("call", "call_expression") and TERMINAL_CALLS(self.unit.name(node) or "")

    def _exec_expression_statement(self, node: Node, env: Env, frame: Frame) -> bool:
        terminated = False
        for child in node.named_children:
            self.eval(child, env, frame)
            if child.type in ("call", "call_expression", "await", "await_expression"):
                call = child if child.type in ("call", "call_expression") else child.named_children[0]
                terminated = terminated or TERMINAL_CALLS(self.unit.name(call) or "")
        return terminated

    def _exec_return(self, node: Node, env: Env, frame: Frame) -> bool:
        children = node.named_children
        value = self.eval(children[0], env, frame) if children else CLEAN
        if len(children) > 1:  # return body, 200 parsed without a tuple node
            value = Value(value.origins, fields={"0": value})
        frame.returns.append(value)
        body_node = children[0].named_children[0] if children and children[0].type == "expression_list" \
            and children[0].named_children else (children[0] if children else None)
        external_call = body_node is not None and body_node.type == "call" and \
            self._local_function(body_node.child_by_field_name("function")) is None
        if frame.route == "flask" and body_node is not None and not external_call:
            body = value.fields.get("0", value) if value.fields is not None and "0" in value.fields else value
            if body.fields is None and not body.sequence:
                for spec in self.rules.return_sinks:
                    self._report(spec, body, node, frame, "the response body of a Flask route")
        return True

    def _exec_raise(self, node: Node, env: Env, frame: Frame) -> bool:
        for child in node.named_children:
            self.eval(child, env, frame)
        return True

    def _exec_function(self, node: Node, env: Env, frame: Frame) -> bool:
        decorators: list[Node] = []
        parent = node.parent
        if parent is not None and parent.type == "decorated_definition":
            decorators = [d.named_children[0] for d in parent.named_children if d.type == "decorator"
                          and d.named_children]
        if self.stack:
            return False  # nested definitions are analysed as entries when their enclosing function is
        self.analyse_entry(node, env if env is not self.module else dict(self.module), decorators)
        return False

    def _exec_decorated(self, node: Node, env: Env, frame: Frame) -> bool:
        definition = node.child_by_field_name("definition")
        return self.exec(definition, env, frame) if definition is not None else False

    def _exec_class(self, node: Node, env: Env, frame: Frame) -> bool:
        body = node.child_by_field_name("body")
        if body is not None:
            self.exec_block(body.named_children, dict(env), Frame())
        return False

    def _exec_if(self, node: Node, env: Env, frame: Frame) -> bool:
        condition = node.child_by_field_name("condition")
        consequence = node.child_by_field_name("consequence")
        alternatives = node.children_by_field_name("alternative")
        test = self.eval(condition, env, frame) if condition is not None else CLEAN
        guard = self._guard(condition, env) if condition is not None else None
        if test.const is not UNKNOWN:
            if _truthy(test.const):
                return self._exec_branch(consequence, env, frame)
            return self._exec_alternatives(alternatives, env, frame)
        then_env, else_env = dict(env), dict(env)
        if guard is not None:
            name, positive, cwes = guard
            target = then_env if positive else else_env
            if name in target:
                target[name] = sanitized(target[name], cwes)
        then_done = self._exec_branch(consequence, then_env, frame)
        else_done = self._exec_alternatives(alternatives, else_env, frame)
        self._merge_into(env, then_env, else_env, then_done, else_done)
        return then_done and else_done

    def _exec_branch(self, node: Node | None, env: Env, frame: Frame) -> bool:
        if node is None:
            return False
        if node.type in ("block", "statement_block"):
            return self.exec_block(node.named_children, env, frame)
        return self.exec(node, env, frame)

    def _exec_alternatives(self, alternatives: list[Node], env: Env, frame: Frame) -> bool:
        """Python ``elif``/``else`` clauses (one field each) or a JS ``else`` clause."""
        if not alternatives:
            return False
        first, rest = alternatives[0], alternatives[1:]
        if first.type == "elif_clause":
            condition = first.child_by_field_name("condition")
            test = self.eval(condition, env, frame) if condition is not None else CLEAN
            consequence = first.child_by_field_name("consequence")
            if test.const is not UNKNOWN:
                if _truthy(test.const):
                    return self._exec_branch(consequence, env, frame)
                return self._exec_alternatives(rest, env, frame)
            then_env, else_env = dict(env), dict(env)
            then_done = self._exec_branch(consequence, then_env, frame)
            else_done = self._exec_alternatives(rest, else_env, frame)
            self._merge_into(env, then_env, else_env, then_done, else_done)
            return then_done and else_done
        body = first.child_by_field_name("body") or (first.named_children[0] if first.named_children else None)
        return self._exec_branch(body, env, frame)

    @staticmethod
    def _merge_into(env: Env, a: Env, b: Env, a_done: bool, b_done: bool) -> None:
        """The environment after two paths; a path that always leaves does not reach what follows."""
        if a_done != b_done:
            env.clear()
            env.update(b if a_done else a)
            return
        for key in set(a) | set(b):
            env[key] = merge(a.get(key), b.get(key))

    def _exec_loop(self, node: Node, env: Env, frame: Frame) -> bool:
        body_env = dict(env)
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is not None and right is not None:
            items = self.eval(right, env, frame)
            self.bind(left, Value(items.origins, flags=items.flags), body_env, frame)
        for part in ("initializer", "condition", "increment", "update"):
            child = node.child_by_field_name(part)
            if child is not None:
                self.exec(child, body_env, frame)
        body = node.child_by_field_name("body")
        if body is not None:
            self._exec_branch(body, body_env, frame)
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            self.exec_block(alternative.named_children, body_env, frame)
        self._merge_into(env, env.copy(), body_env, False, False)
        return False

    def _exec_try(self, node: Node, env: Env, frame: Frame) -> bool:
        """The body, then every handler, ``else`` and ``finally`` clause; a try never counts as leaving."""
        for child in node.named_children:
            body = child.child_by_field_name("body") if child.type != "block" else child
            if child.type == "block":
                self.exec_block(child.named_children, env, frame)
            elif body is not None:
                self._exec_branch(body, env, frame)
            else:
                blocks = [c for c in child.named_children if c.type in ("block", "statement_block")]
                for block in blocks:
                    self.exec_block(block.named_children, env, frame)
        return False

    def _exec_with(self, node: Node, env: Env, frame: Frame) -> bool:
        for item in _descendants(node, "with_item"):
            value_node = item.child_by_field_name("value")
            if value_node is None:
                continue
            if value_node.type == "as_pattern" and value_node.named_children:
                value = self.eval(value_node.named_children[0], env, frame)
                alias = value_node.child_by_field_name("alias")
                if alias is not None:
                    self.bind(alias, value, env, frame)
            else:
                self.eval(value_node, env, frame)
        body = node.child_by_field_name("body")
        return self._exec_branch(body, env, frame)

    def _exec_declaration(self, node: Node, env: Env, frame: Frame) -> bool:
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            value_node = declarator.child_by_field_name("value")
            if name is None or value_node is None:
                continue
            value = self.eval(value_node, env, frame)
            self.bind(name, value, env, frame, source_name=self.unit.name(value_node))
        return False

    # ---- bindings -----------------------------------------------------------------------------

    def bind(self, target: Node, value: Value, env: Env, frame: Frame, source_name: str | None = None) -> None:
        """Assign ``value`` to a target: a name, an attribute, an item, or a destructuring pattern."""
        kind = target.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            env[self.unit.text(target)] = value
        elif kind in ("pattern_list", "tuple_pattern", "list_pattern", "array_pattern", "tuple", "list",
                      "list_splat_pattern", "rest_pattern", "as_pattern_target"):
            for index, child in enumerate(target.named_children):
                item = value.fields.get(str(index)) if value.fields is not None else None
                self.bind(child, item or Value(value.origins, flags=value.flags), env, frame)
        elif kind == "object_pattern":
            for child in target.named_children:
                if child.type == "rest_pattern" and child.named_children:  # const {a, ...rest} = req.query
                    self.bind(child.named_children[0], Value(value.origins, flags=value.flags), env, frame)
                    continue
                key_node = child if child.type == "shorthand_property_identifier_pattern" else \
                    child.child_by_field_name("key")
                local = child if child.type == "shorthand_property_identifier_pattern" else \
                    child.child_by_field_name("value") or child.child_by_field_name("left")
                if key_node is None or local is None:
                    continue
                key = self.unit.text(key_node)
                item = self._member_source(f"{source_name}.{key}", child) if source_name else None
                if item is None:
                    item = value.fields.get(key) if value.fields is not None else None
                self.bind(local, item or Value(value.origins, flags=value.flags), env, frame)
        elif kind in ("attribute", "member_expression"):
            name = self.unit.name(target)
            self._check_assign_sinks(name, value, target, frame)
            raw = self.unit.raw_name(target)
            if raw is not None:
                env[raw] = value
        elif kind in ("subscript", "subscript_expression"):
            name = self.unit.name(target)
            self._check_assign_sinks(name, value, target, frame)
            container_node = target.child_by_field_name("value" if kind == "subscript" else "object")
            key_node = target.child_by_field_name("subscript" if kind == "subscript" else "index")
            container_name = self.unit.raw_name(container_node)
            if container_name is not None and container_name in env:
                container = env[container_name]
                key = constant(self.unit, key_node)
                fields = dict(container.fields) if container.fields is not None and key is not UNKNOWN else None
                if fields is not None:
                    fields[str(key)] = value
                env[container_name] = Value(container.origins | value.origins, fields=fields,
                                            sequence=container.sequence, flags=container.flags | value.flags)
        elif target.named_children:
            for child in target.named_children:
                self.bind(child, value, env, frame)

    def _check_assign_sinks(self, name: str | None, value: Value, node: Node, frame: Frame) -> None:
        if name is None:
            return
        for matches, spec in self.rules.assign_sinks:
            if matches(name):
                self._report(spec, value, node, frame, name)

    # ---- expressions --------------------------------------------------------------------------

    def eval(self, node: Node, env: Env, frame: Frame) -> Value:
        handler = _EXPRESSIONS.get(node.type)
        if handler is not None:
            return handler(self, node, env, frame)
        literal = constant(self.unit, node)
        if literal is not UNKNOWN:
            return Value(const=literal)
        if node.type in FUNCTION_NODES:
            self._nested_function(node, env)
            return CLEAN
        return join(self.eval(child, env, frame) for child in node.named_children if child.type != "comment")

    def _nested_function(self, node: Node, env: Env) -> None:
        """A callback or closure: analyse it now, seeing the variables of its enclosing scope."""
        if node.id in self.analysed:
            return
        self.stack.append(node.id)
        try:
            self.analyse_entry(node, env)
        finally:
            self.stack.pop()

    def _eval_identifier(self, node: Node, env: Env, frame: Frame) -> Value:
        name = self.unit.text(node)
        if name in env:
            return env[name]
        return self.module.get(name, CLEAN)

    def _source(self, node: Node, call: bool = False) -> Value | None:
        """Untrusted input read by ``node``, by its resolved name or as written (a view's ``request``
        parameter shadows an imported ``flask.request``)."""
        name, raw = self.unit.name(node), self.unit.raw_name(node)
        for candidate in (name, raw) if name != raw else (name,):
            if candidate:
                source = self._member_source(candidate, node, call)
                if source is not None:
                    return source
        return None

    def _member_source(self, name: str, node: Node, call: bool = False) -> Value | None:
        kind = self.rules.source(name, call)
        if kind is None:
            return None
        short = name if len(name) <= 60 else name[:57] + "..."
        return Value(frozenset({Origin(short, kind, node.start_point[0] + 1)}))

    def _eval_attribute(self, node: Node, env: Env, frame: Frame) -> Value:
        source = self._source(node)
        if source is not None:
            return source
        raw = self.unit.raw_name(node)
        if raw is not None and raw in env:
            return env[raw]
        obj = node.child_by_field_name("object")
        if obj is None:
            return CLEAN
        base = self.eval(obj, env, frame)
        prop = node.child_by_field_name("property")
        if base.fields is not None and prop is not None and self.unit.text(prop) in base.fields:
            return base.fields[self.unit.text(prop)]  # a JS object literal's property
        return Value(base.origins, flags=base.flags)

    def _eval_subscript(self, node: Node, env: Env, frame: Frame) -> Value:
        python = node.type == "subscript"
        source = self._source(node)
        if source is not None:
            return source
        container_node = node.child_by_field_name("value" if python else "object")
        key_node = node.child_by_field_name("subscript" if python else "index")
        container = self.eval(container_node, env, frame) if container_node is not None else CLEAN
        if key_node is not None and key_node.type != "slice":
            key_value = self.eval(key_node, env, frame)
            if container.fields is not None and key_value.const is not UNKNOWN:
                key = key_value.const
                if isinstance(key, int) and key < 0 and container.sequence:
                    key = len(container.fields) + key
                return container.fields.get(str(key), CLEAN)
        elif key_node is not None:
            self.eval(key_node, env, frame)
        return Value(container.origins, flags=container.flags)

    def _eval_string(self, node: Node, env: Env, frame: Frame) -> Value:
        parts = [c for c in node.named_children if c.type in ("interpolation", "template_substitution")]
        if not parts:
            text = string_value(self.unit, node)
            return Value(const=text) if text is not None else CLEAN
        return join(self.eval(e, env, frame) for p in parts for e in p.named_children
                    if e.type not in ("type_conversion", "format_specifier"))

    def _eval_concatenated(self, node: Node, env: Env, frame: Frame) -> Value:
        parts = [self.eval(child, env, frame) for child in node.named_children]
        if all(isinstance(p.const, str) for p in parts):
            return Value(const="".join(p.const for p in parts))
        return join(parts)

    def _eval_binary(self, node: Node, env: Env, frame: Frame) -> Value:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        op = self.unit.text(operator) if operator is not None else ""
        a = self.eval(left, env, frame) if left is not None else CLEAN
        if op in ("and", "&&") and a.const is not UNKNOWN and not _truthy(a.const):
            return a
        if op in ("or", "||", "??") and a.const is not UNKNOWN and _truthy(a.const):
            return a
        b = self.eval(right, env, frame) if right is not None else CLEAN
        folded = _fold(op, a.const, b.const)
        if folded is not UNKNOWN:
            return Value(const=folded)
        if op in ("==", "!=", "===", "!==", "<", ">", "<=", ">=", "in", "instanceof"):
            return CLEAN
        return join([a, b])

    def _eval_comparison(self, node: Node, env: Env, frame: Frame) -> Value:
        operands = [self.eval(child, env, frame) for child in node.named_children]
        operators = [self.unit.text(c) for c in node.children if not c.is_named]
        if len(operands) == 2 and len(operators) >= 1:
            folded = _fold(" ".join(operators), operands[0].const, operands[1].const)
            if folded is not UNKNOWN:
                return Value(const=folded)
        return CLEAN

    def _eval_not(self, node: Node, env: Env, frame: Frame) -> Value:
        operand = node.child_by_field_name("argument") or (node.named_children[0] if node.named_children else None)
        value = self.eval(operand, env, frame) if operand is not None else CLEAN
        operator = node.child_by_field_name("operator")
        if node.type == "unary_expression" and (operator is None or self.unit.text(operator) != "!"):
            return value
        return Value(const=not _truthy(value.const)) if value.const is not UNKNOWN else CLEAN

    def _eval_conditional(self, node: Node, env: Env, frame: Frame) -> Value:
        children = node.named_children
        if node.type == "conditional_expression" and len(children) == 3:  # a if cond else b
            then_node, cond_node, else_node = children
        else:
            cond_node = node.child_by_field_name("condition") or children[0]
            then_node = node.child_by_field_name("consequence") or children[1]
            else_node = node.child_by_field_name("alternative") or children[2]
        test = self.eval(cond_node, env, frame)
        if test.const is not UNKNOWN:
            return self.eval(then_node if _truthy(test.const) else else_node, env, frame)
        return merge(self.eval(then_node, env, frame), self.eval(else_node, env, frame))

    def _eval_container(self, node: Node, env: Env, frame: Frame) -> Value:
        items = [c for c in node.named_children if c.type != "comment"]
        values = [self.eval(c, env, frame) for c in items]
        spread = any(c.type in ("list_splat", "spread_element", "parenthesized_list_splat") for c in items)
        const = constant(self.unit, node)
        fields = None if spread else {str(i): v for i, v in enumerate(values)}
        return Value(join(values).origins, const, fields=fields, sequence=node.type in ("list", "array"),
                     flags=join(values).flags)

    def _eval_mapping(self, node: Node, env: Env, frame: Frame) -> Value:
        fields: dict[str, Value] | None = {}
        values = []
        for pair in node.named_children:
            if pair.type == "pair":
                key_node = pair.child_by_field_name("key")
                value_node = pair.child_by_field_name("value")
                value = self.eval(value_node, env, frame) if value_node is not None else CLEAN
                key = self._literal_key(key_node)
                if fields is not None and key is not None and key is not UNKNOWN:
                    fields[str(key)] = value
                else:
                    fields = None
            elif pair.type == "shorthand_property_identifier":
                value = env.get(self.unit.text(pair), CLEAN)
                if fields is not None:
                    fields[self.unit.text(pair)] = value
            elif pair.type == "comment":
                continue
            else:
                value = self.eval(pair, env, frame)
                fields = None
            values.append(value)
        return Value(join(values).origins, fields=fields, flags=join(values).flags)

    def _literal_key(self, node: Node | None) -> Any:
        """The constant key of a dict/object literal entry (JS bare keys are names, Python's are variables)."""
        if node is None:
            return UNKNOWN
        if not self.python and node.type in ("property_identifier", "number"):
            return self.unit.text(node)
        return constant(self.unit, node)

    def _eval_assignment(self, node: Node, env: Env, frame: Frame) -> Value:
        left = node.child_by_field_name("left") or node.child_by_field_name("name")
        right = node.child_by_field_name("right") or node.child_by_field_name("value")
        if right is None or left is None:
            return CLEAN
        value = self.eval(right, env, frame)
        if node.type in ("augmented_assignment", "augmented_assignment_expression"):
            value = join([self.eval(left, env, frame), value])
        self.bind(left, value, env, frame, source_name=self.unit.name(right))
        return value

    def _eval_comprehension(self, node: Node, env: Env, frame: Frame) -> Value:
        inner = dict(env)
        for clause in node.named_children:
            if clause.type == "for_in_clause":
                left, right = clause.child_by_field_name("left"), clause.child_by_field_name("right")
                if left is not None and right is not None:
                    items = self.eval(right, inner, frame)
                    self.bind(left, Value(items.origins, flags=items.flags), inner, frame)
        body = node.child_by_field_name("body")
        value = self.eval(body, inner, frame) if body is not None else CLEAN
        return Value(value.origins, flags=value.flags, sequence=node.type == "list_comprehension")

    def _eval_wrapper(self, node: Node, env: Env, frame: Frame) -> Value:
        children = [c for c in node.named_children if c.type != "comment"]
        return self.eval(children[0], env, frame) if children else CLEAN

    def _eval_keyword(self, node: Node, env: Env, frame: Frame) -> Value:
        value = node.child_by_field_name("value")
        return self.eval(value, env, frame) if value is not None else CLEAN

    # ---- calls --------------------------------------------------------------------------------

    def _arguments(self, node: Node, env: Env, frame: Frame) -> _Call:
        call = _Call([], [], {}, {})
        arguments = node.child_by_field_name("arguments")
        if arguments is None:
            return call
        if arguments.type in ("template_string", "generator_expression"):  # sql`...${x}`, f(x for x in y)
            call.args.append(self.eval(arguments, env, frame))
            call.arg_nodes.append(arguments)
            return call
        for arg in arguments.named_children:
            if arg.type == "comment":
                continue
            if arg.type == "keyword_argument":
                name = arg.child_by_field_name("name")
                value_node = arg.child_by_field_name("value")
                if name is not None and value_node is not None:
                    call.kwargs[self.unit.text(name)] = self.eval(value_node, env, frame)
                    call.kwarg_nodes[self.unit.text(name)] = value_node
                continue
            value = self.eval(arg, env, frame)
            call.args.append(value)
            call.arg_nodes.append(arg)
            if arg.type in ("object", "dictionary") and value.fields is not None:
                for key, item in value.fields.items():
                    call.kwargs.setdefault(key, item)
                for pair in arg.named_children:
                    key_node = pair.child_by_field_name("key")
                    value_node = pair.child_by_field_name("value")
                    if key_node is not None and value_node is not None:
                        key = string_value(self.unit, key_node) or self.unit.text(key_node)
                        call.kwarg_nodes.setdefault(key, value_node)
        return call

    def _eval_call(self, node: Node, env: Env, frame: Frame) -> Value:
        func = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        name = self.unit.name(func) or ""
        receiver = CLEAN
        if func is not None and func.type in ("attribute", "member_expression"):
            obj = func.child_by_field_name("object")
            if obj is not None:
                receiver = self.eval(obj, env, frame)
        elif func is not None and func.type not in ("identifier",):
            receiver = self.eval(func, env, frame)
        call = self._arguments(node, env, frame)
        self._check_call_sinks(name, call, node, frame)
        if name.endswith(".get") and receiver.fields is not None and call.args and \
                call.args[0].const is not UNKNOWN:
            return receiver.fields.get(str(call.args[0].const), call.args[1] if len(call.args) > 1 else CLEAN)
        cleans = self.rules.sanitizer(name, self.rules.sanitizers)
        if cleans is not None:
            return sanitized(join([receiver, *call.values()]), cleans)
        source = self._source(node, call=True)
        if source is not None:
            converter = call.kwarg_nodes.get("type")  # request.args.get("page", type=int) is a number
            return CLEAN if converter is not None and self.unit.text(converter) in SAFE_PARAM_TYPES else source
        flags = frozenset(spec.flag for matches, spec in self.rules.flags
                          if matches(name) and constant_in(call.kwargs.get(spec.kwarg, CLEAN).const, spec.values))
        local = self._local_function(func)
        if local is not None:
            result = self._call_local(local, name, call, frame)
            return replace(result, flags=result.flags | flags) if flags else result
        # An unknown call passes on its receiver and positional arguments; keyword arguments are
        # options (status=, headers=) except for string building such as "{x}".format(x=...).
        passed = call.values() if KEYWORD_PROPAGATORS(name) else call.args
        result = join([receiver, *passed])
        return replace(result, flags=result.flags | flags) if flags else result

    def _local_function(self, func: Node | None) -> Node | None:
        if func is None:
            return None
        if func.type == "identifier":
            return self.functions.get(self.unit.text(func))
        if func.type in ("attribute", "member_expression"):
            obj = func.child_by_field_name("object")
            prop = func.child_by_field_name("attribute" if func.type == "attribute" else "property")
            if obj is not None and prop is not None and self.unit.text(obj) in ("self", "this", "cls"):
                return self.functions.get(self.unit.text(prop))
        return None

    def _call_local(self, func: Node, name: str, call: _Call, frame: Frame) -> Value:
        """Evaluate a helper in this file with the caller's argument values (memoised: a summary)."""
        signature = tuple((v.origins, v.const if _hashable(v.const) else None, v.flags) for v in call.args)
        kw_signature = tuple(sorted((k, v.origins, v.flags) for k, v in call.kwargs.items()))
        key = (func.id, signature, kw_signature)
        if key in self.memo:
            return self.memo[key]
        if func.id in self.stack or len(self.stack) >= MAX_CALL_DEPTH:
            return join(call.values())
        env: Env = dict(self.module)
        params = self._params(func)
        positional = [p for p in params if p[0] not in ("self", "cls")]
        for index, (param, _, _) in enumerate(positional):
            passed = call.args[index] if index < len(call.args) else CLEAN
            env[param.lstrip("*")] = call.kwargs.get(param, passed) if self.python else passed
        inner = Frame(via=(*frame.via, name or "helper"))
        self.stack.append(func.id)
        try:
            self._run_body(func, env, inner)
        finally:
            self.stack.pop()
        result = CLEAN
        for value in inner.returns:
            result = merge(result, value) if result is not CLEAN else value
        if len(inner.returns) > 1:
            result = Value(result.origins, flags=result.flags)
        self.memo[key] = result
        return result

    def _check_call_sinks(self, name: str, call: _Call, node: Node, frame: Frame) -> None:
        if not name:
            return
        for matches, spec in self.rules.call_sinks:
            if not matches(name) or not self._sink_applies(spec, call):
                continue
            chosen = [v for i, v in enumerate(call.args) if spec.args is None or i in spec.args]
            chosen += [v for k, v in call.kwargs.items() if k in spec.kwargs]
            for value in chosen:
                if (spec.unless_sequence and value.sequence) or (spec.unless_container and value.fields is not None):
                    continue
                if self._report(spec, value, node, frame, name):
                    break

    def _sink_applies(self, spec: SinkSpec, call: _Call) -> bool:
        for option, values in spec.when_kwarg.items():
            if not constant_in(call.kwargs.get(option, CLEAN).const, values):
                return False
        for option, values in spec.unless_kwarg.items():
            if option in call.kwargs:
                node = call.kwarg_nodes.get(option)
                if constant_in(call.kwargs[option].const, values) or \
                        (node is not None and (self.unit.name(node) or self.unit.text(node)) in values):
                    return False
        if spec.needs_flag:
            flagged = any(spec.needs_flag in v.flags for v in call.values())
            flagged = flagged or any(
                f.flag == spec.needs_flag and constant_in(call.kwargs.get(f.kwarg, CLEAN).const, f.values)
                for _, f in self.rules.flags)
            if not flagged:
                return False
        return True

    def _report(self, spec: SinkSpec, value: Value, node: Node, frame: Frame, sink: str) -> bool:
        cwe = self.rules.cwe[spec.rule]
        origins = value.tainted_for(cwe)
        if not origins:
            return False
        origin = first_origin(origins)
        line, column = node.start_point[0] + 1, node.start_point[1] + 1
        via = f" via {' -> '.join(frame.via)}()" if frame.via else ""
        detail = f"{origin.source} ({origin.kind}, line {origin.line}) reaches {sink}{via}"
        key = (spec.rule, line, column)
        if key not in self.hits:
            self.hits[key] = Hit(rule=spec.rule, line=line, column=column, end_line=node.end_point[0] + 1,
                                 end_column=node.end_point[1] + 1, detail=detail,
                                 snippet=self.unit.line_text(line)[:200])
        return True

    # ---- guards -------------------------------------------------------------------------------

    def _guard(self, condition: Node, env: Env) -> tuple[str, bool, frozenset[int]] | None:
        """``x in ALLOWED`` / ``ALLOWED.includes(x)`` / ``x.isdigit()``: (name, holds-when-true, cwes)."""
        node = condition
        positive = True
        while node.type in ("parenthesized_expression", "not_operator", "unary_expression"):
            if node.type == "unary_expression":
                operator = node.child_by_field_name("operator")
                if operator is None or self.unit.text(operator) != "!":
                    return None
                positive = not positive
                node = node.child_by_field_name("argument") or node
                if node.type == "unary_expression":
                    continue
            elif node.type == "not_operator":
                positive = not positive
                node = node.child_by_field_name("argument") or node
            else:
                if not node.named_children:
                    return None
                node = node.named_children[0]
            if node is condition:
                return None
        if node.type == "comparison_operator":
            operators = [self.unit.text(c) for c in node.children if not c.is_named]
            if operators in (["in"], ["not", "in"], ["not in"]) and node.named_children:
                name = self.unit.raw_name(node.named_children[0])
                if name is not None:
                    return name, positive == (operators == ["in"]), frozenset()
            return None
        if node.type in ("call", "call_expression"):
            func = node.child_by_field_name("function")
            name = self.unit.name(func)
            if name is None and func is not None and func.type in ("attribute", "member_expression"):
                method = func.child_by_field_name("attribute" if func.type == "attribute" else "property")
                name = f"<literal>.{self.unit.text(method)}" if method is not None else None  # [...].includes(x)
            cwes = self.rules.sanitizer(name or "", self.rules.guards)
            if cwes is None:
                return None
            candidates: list[Node] = []
            if func is not None and func.type in ("attribute", "member_expression"):
                obj = func.child_by_field_name("object")
                if obj is not None:
                    candidates.append(obj)
            arguments = node.child_by_field_name("arguments")
            if arguments is not None:
                candidates.extend(arguments.named_children)
            for candidate in candidates:
                name = self.unit.raw_name(candidate)
                if name is not None and name in env and env[name].origins:
                    return name, positive, cwes
        return None


def _truthy(value: Any) -> bool:
    return bool(value)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _fold(op: str, a: Any, b: Any) -> Any:
    """Fold a binary operation over two constants (comparisons, boolean and string operators)."""
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    try:
        if op in ("==", "==="):
            return _same(a, b) or (a == b and not isinstance(a, bool))
        if op in ("!=", "!=="):
            return a != b
        if op in ("and", "&&"):
            return a and b
        if op in ("or", "||"):
            return a or b
        if op == "+" and type(a) is type(b) and isinstance(a, (str, int)):
            return a + b
        if op in ("is", "is not"):
            return (a is b) == (op == "is")
    except TypeError:
        return UNKNOWN
    return UNKNOWN


def _descendants(node: Node, kind: str) -> list[Node]:
    found = []
    stack = list(node.named_children)
    while stack:
        current = stack.pop()
        if current.type == kind:
            found.append(current)
        elif current.type not in ("block",):
            stack.extend(current.named_children)
    return found


_STATEMENTS: dict[str, Callable[[_Interpreter, Node, Env, Frame], bool]] = {
    "expression_statement": _Interpreter._exec_expression_statement,
    "return_statement": _Interpreter._exec_return,
    "raise_statement": _Interpreter._exec_raise,
    "throw_statement": _Interpreter._exec_raise,
    "function_definition": _Interpreter._exec_function,
    "function_declaration": _Interpreter._exec_function,
    "generator_function_declaration": _Interpreter._exec_function,
    "decorated_definition": _Interpreter._exec_decorated,
    "class_definition": _Interpreter._exec_class,
    "class_declaration": _Interpreter._exec_class,
    "if_statement": _Interpreter._exec_if,
    "for_statement": _Interpreter._exec_loop,
    "for_in_statement": _Interpreter._exec_loop,
    "while_statement": _Interpreter._exec_loop,
    "do_statement": _Interpreter._exec_loop,
    "with_statement": _Interpreter._exec_with,
    "try_statement": _Interpreter._exec_try,
    "lexical_declaration": _Interpreter._exec_declaration,
    "variable_declaration": _Interpreter._exec_declaration,
}

_EXPRESSIONS: dict[str, Callable[[_Interpreter, Node, Env, Frame], Value]] = {
    "identifier": _Interpreter._eval_identifier,
    "attribute": _Interpreter._eval_attribute,
    "member_expression": _Interpreter._eval_attribute,
    "subscript": _Interpreter._eval_subscript,
    "subscript_expression": _Interpreter._eval_subscript,
    "string": _Interpreter._eval_string,
    "template_string": _Interpreter._eval_string,
    "concatenated_string": _Interpreter._eval_concatenated,
    "binary_operator": _Interpreter._eval_binary,
    "binary_expression": _Interpreter._eval_binary,
    "boolean_operator": _Interpreter._eval_binary,
    "comparison_operator": _Interpreter._eval_comparison,
    "not_operator": _Interpreter._eval_not,
    "unary_expression": _Interpreter._eval_not,
    "conditional_expression": _Interpreter._eval_conditional,
    "ternary_expression": _Interpreter._eval_conditional,
    "list": _Interpreter._eval_container,
    "tuple": _Interpreter._eval_container,
    "set": _Interpreter._eval_container,
    "array": _Interpreter._eval_container,
    "expression_list": _Interpreter._eval_container,
    "dictionary": _Interpreter._eval_mapping,
    "object": _Interpreter._eval_mapping,
    "assignment": _Interpreter._eval_assignment,
    "augmented_assignment": _Interpreter._eval_assignment,
    "assignment_expression": _Interpreter._eval_assignment,
    "augmented_assignment_expression": _Interpreter._eval_assignment,
    "named_expression": _Interpreter._eval_assignment,
    "list_comprehension": _Interpreter._eval_comprehension,
    "generator_expression": _Interpreter._eval_comprehension,
    "set_comprehension": _Interpreter._eval_comprehension,
    "dictionary_comprehension": _Interpreter._eval_comprehension,
    "parenthesized_expression": _Interpreter._eval_wrapper,
    "await": _Interpreter._eval_wrapper,
    "await_expression": _Interpreter._eval_wrapper,
    "as_expression": _Interpreter._eval_wrapper,
    "satisfies_expression": _Interpreter._eval_wrapper,
    "non_null_expression": _Interpreter._eval_wrapper,
    "type_assertion": _Interpreter._eval_wrapper,
    "keyword_argument": _Interpreter._eval_keyword,
    "call": _Interpreter._eval_call,
    "call_expression": _Interpreter._eval_call,
    "new_expression": _Interpreter._eval_call,
}
