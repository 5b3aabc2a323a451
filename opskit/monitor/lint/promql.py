"""The one adapter to the PromQL parser (promql-parser, the Rust parser Prometheus-compatible tools use).

It turns the library's tree into our own frozen nodes, each with the span of text it came from,
so checks never import the library and a parser swap touches this module only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import promql_parser

from opskit.monitor.lint.promql_tokens import Token, TokenQueues, complexity, tokens

COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets"})
# Functions the parser dropped with Prometheus 3 that 2.x servers (and their rule files) still have.
_LEGACY_FUNCTIONS = (
    ("holt_winters", [promql_parser.ValueType.Matrix, promql_parser.ValueType.Scalar, promql_parser.ValueType.Scalar]),
)


def _register_legacy_functions() -> None:
    for name, args in _LEGACY_FUNCTIONS:
        try:
            promql_parser.parse(f"{name}(x[5m], 0.5, 0.5)")
        except ValueError:
            promql_parser.register_extra_functions(
                [promql_parser.Function(name, args, promql_parser.ValueType.Vector)]
            )


_register_legacy_functions()
MAX_DEPTH = 100  # the parser recurses; far deeper input crashes it, so refuse it first
MAX_OPERATORS = 300


@dataclass(frozen=True)
class Span:
    """Character offsets ``[start, end)`` in the expression text."""

    start: int
    end: int


@dataclass(frozen=True)
class Node:
    span: Span

    def children(self) -> tuple[Node, ...]:
        return ()

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, in source order (pre-order)."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # = != =~ !~
    value: str
    span: Span


@dataclass(frozen=True)
class Selector(Node):
    """``name{matchers}[range] offset x``; ``range`` in seconds for a range vector."""

    name: str | None
    matchers: tuple[Matcher, ...]
    range: float | None = None

    def text(self) -> str:
        """The instant selector as PromQL (no range, no offset), for live queries."""
        inner = ",".join(f"{m.name}{m.op}{_quote(m.value)}" for m in self.matchers if m.name != "__name__")
        if self.name:
            return f"{self.name}{{{inner}}}" if inner else self.name
        return "{" + ",".join(f"{m.name}{m.op}{_quote(m.value)}" for m in self.matchers) + "}"

    def label_names(self) -> frozenset[str]:
        return frozenset(m.name for m in self.matchers if m.name != "__name__")

    def equal_labels(self) -> frozenset[str]:
        return frozenset(m.name for m in self.matchers if m.op == "=" and m.value and m.name != "__name__")


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True)
class Aggregate(Node):
    op: str
    expr: Node
    param: Node | None
    by: tuple[str, ...] | None  # None: no by clause
    without: tuple[str, ...] | None

    def children(self) -> tuple[Node, ...]:
        return (self.param, self.expr) if self.param is not None else (self.expr,)


@dataclass(frozen=True)
class Binary(Node):
    op: str
    lhs: Node
    rhs: Node
    bool_modifier: bool = False
    on: tuple[str, ...] | None = None
    ignoring: tuple[str, ...] | None = None
    group_labels: tuple[str, ...] = ()
    card: str = "one-to-one"
    op_span: Span = field(default=Span(0, 0))
    lhs_text: str = ""  # the operands as PromQL, for live matching queries
    rhs_text: str = ""

    def children(self) -> tuple[Node, ...]:
        return (self.lhs, self.rhs)

    @property
    def is_comparison(self) -> bool:
        return self.op in ("==", "!=", ">", "<", ">=", "<=")


@dataclass(frozen=True)
class Number(Node):
    value: float


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Wrapped(Node):
    """Parentheses, unary minus or a subquery: one child, no meaning of its own for the checks."""

    kind: str  # paren, neg, subquery
    expr: Node
    range: float | None = None

    def children(self) -> tuple[Node, ...]:
        return (self.expr,)


class PromQLSyntaxError(ValueError):
    """The parser's message, and where in the text it points when we can tell (it gives no position)."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.span = span


def _error_span(text: str, message: str) -> Span | None:
    """The part a parser message names: a quoted token, a bad regexp, an unclosed parenthesis."""
    named = re.search(r"'([^']+)'", message) or re.search(r"illegal regex for (.+)$", message)
    if named:
        index = text.find(named.group(1))
        return Span(index, index + len(named.group(1))) if index >= 0 else None
    if "unclosed left parenthesis" in message:
        opened: list[int] = []
        for token in tokens(text):
            if token.text == "(":
                opened.append(token.start)
            elif token.text == ")" and opened:
                opened.pop()
        return Span(opened[-1], opened[-1] + 1) if opened else None
    return None


def _enum(value: Any) -> str:
    """The member name of one of the library's enums (they print as ``Type.Member``)."""
    return str(value).rsplit(".", 1)[-1]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}
_CARD = {"OneToOne": "one-to-one", "ManyToOne": "many-to-one", "OneToMany": "one-to-many", "ManyToMany": "many-to-many"}


class _Converter:
    """Library tree -> our nodes, taking token positions in source order."""

    def __init__(self, found: list[Token]) -> None:
        self.queues = TokenQueues(found)

    @staticmethod
    def _span(token: Token | None, *nodes: Node | None) -> Span:
        starts = [n.span.start for n in nodes if n is not None]
        ends = [n.span.end for n in nodes if n is not None]
        if token is not None:
            starts.append(token.start)
            ends.append(token.end)
        return Span(min(starts, default=0), max(ends, default=0))

    def convert(self, expr: Any) -> Node:
        kind = type(expr).__name__
        method = getattr(self, f"_{kind}", None)
        if method is None:
            raise PromQLSyntaxError(f"unsupported expression {kind}")
        node: Node = method(expr)
        return node

    def _selector(self, vs: Any, range_seconds: float | None) -> Selector:
        name = vs.name
        matchers = []
        token = self.queues.take("metric", name) if name else self.queues.take("brace", "{")
        for m in vs.matchers.matchers:
            label = self.queues.take("label", m.name)
            value = self.queues.following(label, 2) if label else None
            span = Span(label.start, value.end if value else label.end) if label else self._span(token)
            matchers.append(Matcher(m.name, _MATCH_OPS.get(_enum(m.op), "="), m.value, span))
        if not name:
            name = next((m.value for m in matchers if m.name == "__name__" and m.op == "="), None)
        span = Span(token.start, self.queues.selector_end(token)) if token else self._span(None)
        return Selector(span, name, tuple(matchers), range_seconds)

    def _VectorSelector(self, expr: Any) -> Node:  # noqa: N802 - named after the library's class
        return self._selector(expr, None)

    def _MatrixSelector(self, expr: Any) -> Node:  # noqa: N802
        return self._selector(expr.vector_selector, expr.range.total_seconds())

    def _Call(self, expr: Any) -> Node:  # noqa: N802
        token = self.queues.take("call", expr.func.name)
        args = tuple(self.convert(a) for a in expr.args)
        return Call(self._span(token, *args), expr.func.name, args)

    def _AggregateExpr(self, expr: Any) -> Node:  # noqa: N802
        op = str(expr.op).lower()
        token = self.queues.take("call", op)
        param = self.convert(expr.param) if expr.param is not None else None
        inner = self.convert(expr.expr)
        by = without = None
        if expr.modifier is not None:
            labels = tuple(expr.modifier.labels)
            if _enum(expr.modifier.type) == "By":
                by = labels
            else:
                without = labels
        return Aggregate(self._span(token, inner), op, inner, param, by, without)

    def _BinaryExpr(self, expr: Any) -> Node:  # noqa: N802
        lhs = self.convert(expr.lhs)
        op = str(expr.op).lower()
        token = self.queues.take("op", op)
        rhs = self.convert(expr.rhs)
        modifier = expr.modifier
        on = ignoring = None
        group_labels: tuple[str, ...] = ()
        card = "one-to-one"
        bool_modifier = False
        if modifier is not None:
            bool_modifier = bool(modifier.return_bool)
            card = _CARD.get(_enum(modifier.card), card) if modifier.card is not None else card
            if modifier.matching is not None:
                labels = tuple(modifier.matching.labels)
                if _enum(modifier.matching.type) == "Include":
                    on = labels
                else:
                    ignoring = labels
            group_labels = tuple(modifier.group_labels or ())
        op_span = self._span(token) if token else Span(lhs.span.end, rhs.span.start)
        return Binary(
            self._span(None, lhs, rhs), op, lhs, rhs, bool_modifier, on, ignoring, group_labels, card, op_span,
            str(expr.lhs), str(expr.rhs),
        )

    def _ParenExpr(self, expr: Any) -> Node:  # noqa: N802
        inner = self.convert(expr.expr)
        return Wrapped(inner.span, "paren", inner)

    def _UnaryExpr(self, expr: Any) -> Node:  # noqa: N802
        inner = self.convert(expr.expr)
        return Wrapped(inner.span, "neg", inner)

    def _SubqueryExpr(self, expr: Any) -> Node:  # noqa: N802
        inner = self.convert(expr.expr)
        seconds = expr.range.total_seconds() if expr.range is not None else None
        return Wrapped(inner.span, "subquery", inner, seconds)

    def _NumberLiteral(self, expr: Any) -> Node:  # noqa: N802
        token = self.queues.take_number()
        return Number(self._span(token), float(expr.val))

    def _StringLiteral(self, expr: Any) -> Node:  # noqa: N802
        return String(Span(0, 0), str(expr.val))


def parse(text: str) -> Node:
    """Our tree of ``text``; PromQLSyntaxError with the parser's message when it is not PromQL."""
    found = tokens(text)
    depth, operators = complexity(found)
    if depth > MAX_DEPTH or operators > MAX_OPERATORS:
        raise PromQLSyntaxError(
            f"expression too complex to lint ({depth} levels of brackets, {operators} operators; "
            f"limits {MAX_DEPTH} and {MAX_OPERATORS})"
        )
    try:
        tree = promql_parser.parse(text)
    except (ValueError, RuntimeError, OverflowError) as exc:
        message = str(exc).strip() or "invalid PromQL"
        raise PromQLSyntaxError(message, _error_span(text, message)) from None
    try:
        return _Converter(found).convert(tree)
    except RecursionError:
        raise PromQLSyntaxError("expression nested too deeply") from None


def canonical(text: str) -> str:
    """The parser's normal form of an expression (whitespace and quoting do not matter)."""
    try:
        return str(promql_parser.parse(text))
    except (ValueError, RuntimeError, OverflowError):
        return text.strip()


def ancestors(root: Node) -> dict[int, tuple[Node, ...]]:
    """For each node (by id) the chain of nodes above it, nearest last."""
    chains: dict[int, tuple[Node, ...]] = {}
    stack: list[tuple[Node, tuple[Node, ...]]] = [(root, ())]
    while stack:
        node, above = stack.pop()
        chains[id(node)] = above
        stack.extend((child, (*above, node)) for child in node.children())
    return chains
