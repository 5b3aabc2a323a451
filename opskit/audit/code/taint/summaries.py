"""Function summaries: a function (in this file or another module of the project) is run once per
argument shape with placeholders for its parameters; the summary says what it returns, which sinks
its parameters reach and which attributes it sets on ``self``. A call applies the summary to its own
arguments, so a flow through helpers in other modules is followed, with each step recorded."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tree_sitter import Node

from opskit.audit.code.syntax import UNKNOWN
from opskit.audit.code.taint.state import MAX_DEPTH, ClassRef, Frame, FunctionRef, State, Summary, WorkExhausted
from opskit.audit.code.taint.values import CLEAN, Env, Origin, Value, hashable, join, merge

MAX_CALL_DEPTH = 5
MAX_SUMMARIES = 16  # argument shapes summarised per function; further calls pass their arguments' taint on
CONSTRUCTORS = ("__init__", "constructor")
CALL_MARGIN = 40  # nesting levels kept for the callee's body: deeper, a call passes its arguments' taint on


class Summaries(State):
    """Summarising functions and applying the summaries at call sites."""

    def call_function(self, ref: FunctionRef, name: str, args: list[Value], kwargs: dict[str, Value],
                      receiver: Value | None, node: Node, frame: Frame) -> Value:
        """The value of calling ``ref`` with these arguments; sinks it reaches are reported here."""
        bound = ref.owner.bind_parameters(ref, args, kwargs, receiver)
        summary = self.summary_of(ref, bound)
        if summary is None:  # recursion, depth, shape or work limit: the arguments' taint passes through
            return join([*args, *kwargs.values()])
        return self.apply(summary, ref, name, bound, node, frame).result

    def construct(self, cls: ClassRef, name: str, args: list[Value], kwargs: dict[str, Value], node: Node,
                  frame: Frame) -> Value:
        """A new instance of ``cls``: the attributes its constructor sets from the arguments."""
        init = next((cls.methods[n] for n in CONSTRUCTORS if n in cls.methods), None)
        if init is None:  # a dataclass, attrs class, pydantic model or NamedTuple: its fields in order
            declared = declared_fields(cls.owner, cls.node)
            fields = {field: args[index] for index, field in enumerate(declared) if index < len(args)}
            fields.update({key: value for key, value in kwargs.items() if key in declared})
            return Value(fields=fields, cls=cls)
        ref = FunctionRef(cls.owner, init, cls.name, method=True)
        bound = ref.owner.bind_parameters(ref, args, kwargs, Value(fields={}, cls=cls))
        summary = self.summary_of(ref, bound)
        if summary is None:
            return Value(join([*args, *kwargs.values()]).origins, fields={}, cls=cls)
        applied = self.apply(summary, ref, name, bound, node, frame)
        return Value(fields=dict(applied.attributes), cls=cls)

    def summary_of(self, ref: FunctionRef, bound: dict[str, Value]) -> Summary | None:
        """``ref``'s summary; None when another module's interpreter has spent its work bound (that
        module's budget is its own: this file's analysis goes on)."""
        if ref.owner is self:
            return self.summary(ref, bound)
        try:
            return ref.owner.summary(ref, bound)
        except WorkExhausted:
            return None

    def receiver_name(self, ref: FunctionRef) -> str | None:
        """What a method calls its instance: ``this``, or the first parameter in Python."""
        if not ref.method:
            return None
        if not self.python:
            return "this"
        params = self.params(ref.node)
        return params[0][0] if params else None

    def bind_parameters(self, ref: FunctionRef, args: list[Value], kwargs: dict[str, Value],
                        receiver: Value | None = None) -> dict[str, Value]:
        """Parameter name -> argument value (positional, then by keyword in Python); an instance's
        attributes also as ``name.attr``."""
        params = self.params(ref.node)
        me = self.receiver_name(ref)
        if self.python and me is not None:
            params = params[1:]
        bound: dict[str, Value] = {}
        for index, (param, _, _) in enumerate(params):
            name = param.lstrip("*")
            passed = args[index] if index < len(args) else CLEAN
            if param.startswith("*") and not param.startswith("**"):
                passed = join(args[index:])
            bound[name] = kwargs.get(name, passed) if self.python else passed
        if me is not None:
            bound[me] = receiver if receiver is not None else Value(fields={})
        for name, value in list(bound.items()):
            if value.fields is not None and (value.cls is not None or name == me):
                bound.update({f"{name}.{k}": v for k, v in value.fields.items()})
        return bound

    def summary(self, ref: FunctionRef, bound: dict[str, Value]) -> Summary | None:
        """The summary of ``ref`` for arguments shaped like ``bound`` (memoised)."""
        key = (ref.node.id, tuple(sorted((name, _shape(value)) for name, value in bound.items())))
        known = self.memo.get(key)
        if known is not None:
            return known
        shapes = self.shapes.get(ref.node.id, 0)
        if ref.node.id in self.stack or len(self.stack) >= MAX_CALL_DEPTH or \
                State.nesting >= MAX_DEPTH - CALL_MARGIN:
            return None
        if shapes >= MAX_SUMMARIES and any(v.const is not UNKNOWN for v in bound.values()):
            # Many constant arguments seen: one summary for any constants (bounded, like the rest)
            return self.summary(ref, {name: replace(v, const=UNKNOWN) for name, v in bound.items()})
        if shapes >= MAX_SUMMARIES * 2:
            return None
        self.shapes[ref.node.id] = shapes + 1
        env: Env = dict(self.module)
        line = ref.node.start_point[0] + 1
        for name, value in bound.items():
            env[name] = _placeholder(value, name, line, self.unit.path)
        inner = Frame(via=(ref.name,))
        self.stack.append(ref.node.id)
        try:
            self.run_body(ref.node, env, inner)
        finally:
            self.stack.pop()
        result = CLEAN
        for value in inner.returns:
            result = merge(result, value) if result is not CLEAN else value
        if len(inner.returns) > 1:
            result = Value(result.origins, flags=result.flags, alias=result.alias, cls=result.cls,
                           fields=result.fields if result.cls is not None else None)
        me = self.receiver_name(ref)
        prefix = f"{me}." if me else "\0"
        attributes = {k.removeprefix(prefix): v for k, v in env.items()
                      if k.startswith(prefix) and "." not in k.removeprefix(prefix)
                      and "[" not in k.removeprefix(prefix)}
        summary = Summary(result, tuple(inner.pending), attributes)
        self.memo[key] = summary
        return summary

    def apply(self, summary: Summary, ref: FunctionRef, name: str, bound: dict[str, Value], node: Node,
              frame: Frame) -> Summary:
        """``summary`` with this call's arguments in place of its placeholders; its sinks reported here."""
        call_step = self.here(node, f"passed to {ref.name}()")
        back_step = self.here(node, f"returned by {ref.name}()")
        for pending in summary.pending:
            actual = bound.get(pending.param, CLEAN)
            origins = frozenset(o.then(call_step) if not o.param else replace(o, steps=(*o.steps, call_step))
                                for o in actual.origins)
            value = Value(frozenset(replace(o, cleared=o.cleared | pending.cleared) for o in origins))
            self.report_site(pending.spec, value, pending.site, frame, pending.steps, pending.via)

        def substitute(value: Value) -> Value:
            origins: set[Origin] = set()
            for origin in value.origins:
                if origin.param:
                    for actual in bound.get(origin.param, CLEAN).origins:
                        origins.add(replace(actual, cleared=actual.cleared | origin.cleared))
                else:
                    origins.add(origin.then(back_step))
            fields = {k: substitute(v) for k, v in value.fields.items()} \
                if value.fields is not None and value.cls is not None else value.fields
            return replace(value, origins=frozenset(origins), fields=fields)

        return Summary(substitute(summary.result), (), {k: substitute(v) for k, v in summary.attributes.items()})


def _placeholder(value: Value, name: str, line: int, path: str) -> Value:
    """The argument as the summarised body sees it: its shape, with a placeholder for its input."""
    origins = frozenset({Origin(name, "parameter", line, path=path, param=name)}) if value.origins else frozenset()
    fields = value.fields
    if value.cls is not None and value.fields is not None:
        fields = {k: _placeholder(v, f"{name}.{k}", line, path) for k, v in value.fields.items()}
    return replace(value, origins=origins, fields=fields)


def _shape(value: Value) -> Any:
    """What of an argument a summary depends on: tainted or not, constant, flags, alias, class."""
    const = value.const if value.const is not UNKNOWN and hashable(value.const) and \
        len(repr(value.const)) < 200 else None
    fields = tuple(sorted((k, _shape(v)) for k, v in value.fields.items())) \
        if value.cls is not None and value.fields is not None else None
    return bool(value.origins), const, value.flags, value.alias, id(value.cls) if value.cls else None, fields, \
        value.sequence


def declared_fields(owner: State, node: Node) -> list[str]:
    """The annotated class attributes of a Python class (``repo: str``, ``branch: str = "main"``), in order."""
    body = node.child_by_field_name("body")
    names = []
    for statement in body.named_children if body is not None and owner.python else []:
        target = statement.named_children[0] if statement.type == "expression_statement" and \
            statement.named_children else None
        if target is not None and target.type == "assignment" and target.child_by_field_name("type") is not None:
            left = target.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                names.append(owner.unit.text(left))
    return names
