"""A small static evaluator for Terraform expressions: literals, variables, locals, ``each``/``count``,
conditionals, operators, for-expressions and the pure functions policies and flags are built with.

What cannot be known before ``terraform apply`` (resource attributes, data sources, files) is
``Unknown``; a reference to a resource is a ``Ref`` so checks can still tell which resource it names.
Every evaluation step is counted against a ``Budget``: past it, values are Unknown, so the work
stays linear in the input however the expressions nest or repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hcl2.rules import containers, expressions, for_expressions, functions, indexing, literal_rules, strings

from opskit.audit.iac.hcl_parser import heredoc_text, template_parts, unescape
from opskit.audit.iac.json_located import JsonNode
from opskit.audit.iac.tf_functions import FUNCTIONS
from opskit.audit.iac.tf_values import (
    UNKNOWN,
    Ref,
    Unknown,
    as_bool,
    bounded,
    is_known,
    joined,
    refs_of,
    to_text,
)

MAX_DEPTH = 64


@dataclass(frozen=True)
class Value:
    """A variable's value and where it was set, for the finding's message."""

    value: Any
    origin: str


@dataclass
class Budget:
    """Evaluation steps left for one module; when spent, everything further is Unknown."""

    steps: int
    used: int = 0

    def spend(self) -> bool:
        self.used += 1
        return self.used <= self.steps


@dataclass
class Scope:
    """What names mean while evaluating one expression."""

    variables: Mapping[str, Value]
    locals: Callable[[str, Scope], Any]
    budget: Budget
    each: tuple[Any, Any] | None = None
    count_index: int | None = None
    names: dict[str, Any] = field(default_factory=dict)  # for-expression and dynamic-block iterators
    origins: set[str] = field(default_factory=set)  # where the variables read so far were set
    module_outputs: Callable[[str, str], Any] = lambda module, name: UNKNOWN
    each_origins: frozenset[str] = frozenset()  # where the for_each/count collection came from

    def child(self, **names: Any) -> Scope:
        return Scope(self.variables, self.locals, self.budget, self.each, self.count_index,
                     {**self.names, **names}, self.origins, self.module_outputs, self.each_origins)


def evaluate(node: Any, scope: Scope, depth: int = 0) -> Any:
    """The value of an expression node, Unknown where it depends on apply time or the budget is spent."""
    if node is None or depth > MAX_DEPTH or not scope.budget.spend():
        return UNKNOWN
    handler = _HANDLERS.get(type(node))
    return handler(node, scope, depth + 1) if handler else UNKNOWN


def constant(node: Any) -> Any:
    """The value of an expression that needs no variables (a module source, a provider alias)."""
    return evaluate(node, Scope({}, lambda name, scope: UNKNOWN, Budget(100)))


def _expr_term(node: expressions.ExprTermRule, scope: Scope, depth: int) -> Any:
    return evaluate(node.expression, scope, depth)


def _literal(node: literal_rules.LiteralValueRule, scope: Scope, depth: int) -> Any:
    return {"true": True, "false": False, "null": None}.get(str(node.token.value), UNKNOWN)


def _number(node: literal_rules.TokenRule, scope: Scope, depth: int) -> Any:
    text = str(node.token.value)
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return UNKNOWN


def _string(node: strings.StringRule, scope: Scope, depth: int) -> Any:
    values: list[Any] = []
    for part in node.string_parts:
        content = part.content
        if isinstance(content, strings.InterpolationRule):
            values.append(evaluate(content.expression, scope, depth))
        elif hasattr(content, "value") and isinstance(content.value, str):
            values.append(unescape(content.value))
        else:
            values.append(UNKNOWN)  # %{if}/%{for} template directives
    whole = len(values) == 1 and isinstance(node.string_parts[0].content, strings.InterpolationRule)
    return joined(values, whole)


def _json(node: JsonNode, scope: Scope, depth: int) -> Any:
    """A value of Terraform's JSON syntax: objects, arrays, literals, and strings that are templates."""
    if node.is_object:
        result = {}
        for member in node.members:
            key = to_text(_template(member.key, scope, depth))
            if key is not None:
                result[key] = evaluate(member.value, scope, depth)
        return bounded(result)
    if node.is_array:
        return bounded([evaluate(item, scope, depth) for item in node.value])
    return _template(node.value, scope, depth) if isinstance(node.value, str) else node.value


def _template(text: str, scope: Scope, depth: int) -> Any:
    if "{" not in text:
        return text
    parts = template_parts(text)
    values = [p if isinstance(p, str) else evaluate(p, scope, depth) for p in parts]
    return joined(values, len(parts) == 1 and not isinstance(parts[0], str)) if values else ""


def _tuple(node: containers.TupleRule, scope: Scope, depth: int) -> Any:
    return bounded([evaluate(element, scope, depth) for element in node.elements])


def _object(node: containers.ObjectRule, scope: Scope, depth: int) -> Any:
    result: dict[str, Any] = {}
    for element in node.elements:
        key_node = element.key
        if isinstance(key_node, containers.ObjectElemKeyExpressionRule):
            key = to_text(evaluate(key_node.expression, scope, depth))
        else:
            inner = key_node.value
            key = to_text(evaluate(inner, scope, depth)) if isinstance(inner, strings.StringRule) \
                else str(getattr(getattr(inner, "token", inner), "value", inner))
        if key is not None:
            result[key] = evaluate(element.expression, scope, depth)
    return result


def _conditional(node: expressions.ConditionalRule, scope: Scope, depth: int) -> Any:
    condition = as_bool(evaluate(node.condition, scope, depth))
    if condition is True:
        return evaluate(node.if_true, scope, depth)
    if condition is False:
        return evaluate(node.if_false, scope, depth)
    yes, no = evaluate(node.if_true, scope, depth), evaluate(node.if_false, scope, depth)
    return yes if yes == no and is_known(yes) else Unknown(frozenset(refs_of(yes) | refs_of(no)))


def _unary(node: expressions.UnaryOpRule, scope: Scope, depth: int) -> Any:
    value = evaluate(node.expr_term, scope, depth)
    if node.operator == "!":
        flag = as_bool(value)
        return UNKNOWN if flag is None else not flag
    return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else UNKNOWN


def _compare(op: str, left: Any, right: Any) -> Any:
    if not (is_known(left) and is_known(right)):
        return UNKNOWN
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
    if not numbers:
        return UNKNOWN
    return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right,
            "+": left + right, "-": left - right, "*": left * right,
            "/": left / right if right else UNKNOWN, "%": left % right if right else UNKNOWN}.get(op, UNKNOWN)


def _binary(node: expressions.BinaryOpRule, scope: Scope, depth: int) -> Any:
    op = str(node.binary_term.binary_operator.token.value).strip()
    left = evaluate(node.expr_term, scope, depth)
    right = evaluate(node.binary_term.expr_term, scope, depth)
    if op in ("&&", "||"):
        a, b = as_bool(left), as_bool(right)
        short = op == "||"  # the value that decides the result on either side
        if a is short or b is short:
            return short
        return UNKNOWN if a is None or b is None else not short
    return _compare(op, left, right)


def _for_items(intro: for_expressions.ForIntroRule, scope: Scope, depth: int) -> list[Scope] | None:
    collection = evaluate(intro.iterable, scope, depth)
    first = str(intro.first_iterator.token.value)
    second = str(intro.second_iterator.token.value) if intro.second_iterator is not None else None
    if isinstance(collection, dict):
        pairs = list(collection.items())
    elif isinstance(collection, list):
        pairs = list(enumerate(collection))
    else:
        return None
    if second is None:
        return [scope.child(**{first: value}) for _, value in pairs]
    return [scope.child(**{first: key, second: value}) for key, value in pairs]


def _kept(condition: Any, scope: Scope, depth: int) -> bool | None:
    return True if condition is None else as_bool(evaluate(condition.condition_expr, scope, depth))


def _for_tuple(node: for_expressions.ForTupleExprRule, scope: Scope, depth: int) -> Any:
    scopes = _for_items(node.for_intro, scope, depth)
    if scopes is None:
        return UNKNOWN
    result = []
    for inner in scopes:
        keep = _kept(node.condition, inner, depth)
        if keep is None:
            return UNKNOWN
        if keep:
            result.append(evaluate(node.value_expr, inner, depth))
    return bounded(result)


def _for_object(node: for_expressions.ForObjectExprRule, scope: Scope, depth: int) -> Any:
    scopes = _for_items(node.for_intro, scope, depth)
    if scopes is None:
        return UNKNOWN
    result: dict[str, Any] = {}
    for inner in scopes:
        keep = _kept(node.condition, inner, depth)
        key = to_text(evaluate(node.key_expr, inner, depth))
        if keep is None or key is None:
            return UNKNOWN
        if keep:
            value = evaluate(node.value_expr, inner, depth)
            if node.ellipsis is not None:
                result.setdefault(key, []).append(value)
            else:
                result[key] = value
    return bounded(result)


# -- references -----------------------------------------------------------------------------


def chain(node: Any) -> tuple[Any, list[Any]]:
    """``a.b[0].c`` as its root node and the accessor nodes after it (GetAttr/Index/splat)."""
    steps: list[Any] = []
    while True:
        if isinstance(node, expressions.ExprTermRule) and not node.parentheses:
            node = node.expression
        elif isinstance(node, indexing.GetAttrExprTermRule):
            steps.append(node.get_attr)
            node = node.expr_term
        elif isinstance(node, indexing.IndexExprTermRule):
            steps.append(node.children[1])
            node = node.children[0]
        elif isinstance(node, (indexing.AttrSplatExprTermRule, indexing.FullSplatExprTermRule)):
            steps.append(node.attr_splat)
            node = node.expr_term
        else:
            steps.reverse()
            return node, steps


def _step_key(step: Any, scope: Scope, depth: int) -> Any:
    if isinstance(step, indexing.GetAttrRule):
        return str(step.identifier.token.value)
    if isinstance(step, indexing.SqbIndexRule):
        return evaluate(step.index_expression, scope, depth)
    if isinstance(step, indexing.ShortIndexRule):
        return _number(step.index, scope, depth) if hasattr(step.index, "token") else \
            int(str(getattr(step.index, "value", "0")))
    return UNKNOWN


def _apply(value: Any, steps: Sequence[Any], scope: Scope, depth: int) -> Any:
    for position, step in enumerate(steps):
        if not is_known(value):
            return value if isinstance(value, Unknown) else Unknown(frozenset(refs_of(value)))
        if isinstance(step, (indexing.AttrSplatRule, indexing.FullSplatRule)):
            items = value if isinstance(value, list) else [] if value is None else [value]
            rest = [*step.get_attrs, *steps[position + 1:]]
            return [_apply(item, rest, scope, depth) for item in items]
        key = _step_key(step, scope, depth)
        if isinstance(value, dict) and isinstance(key, (str, int)) and str(key) in value:
            value = value[str(key)]
        elif isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool) \
                and -len(value) <= key < len(value):
            value = value[key]
        else:
            return UNKNOWN
    return value


def _reference(node: Any, scope: Scope, depth: int) -> Any:
    root, steps = chain(node)
    if not isinstance(root, literal_rules.IdentifierRule):
        return _apply(evaluate(root, scope, depth), steps, scope, depth)
    name = str(root.token.value)
    if name in scope.names:
        return _apply(scope.names[name], steps, scope, depth)
    keys = [_step_key(step, scope, depth) if not isinstance(step, (indexing.AttrSplatRule, indexing.FullSplatRule))
            else UNKNOWN for step in steps]
    first = keys[0] if keys else None
    if name == "var" and isinstance(first, str):
        variable = scope.variables.get(first)
        if variable is None:
            return UNKNOWN
        if variable.origin:
            scope.origins.add(variable.origin)
        return _apply(variable.value, steps[1:], scope, depth)
    if name == "local" and isinstance(first, str):
        return _apply(scope.locals(first, scope), steps[1:], scope, depth)
    if name in ("each", "count"):
        scope.origins.update(scope.each_origins)
    if name == "each" and scope.each is not None and first in ("key", "value"):
        return _apply(scope.each[0] if first == "key" else scope.each[1], steps[1:], scope, depth)
    if name == "count" and first == "index" and scope.count_index is not None:
        return scope.count_index
    if name == "module" and isinstance(first, str) and len(keys) > 1 and isinstance(keys[1], str):
        return _apply(scope.module_outputs(first, keys[1]), steps[2:], scope, depth)
    if name in ("var", "local", "each", "count", "path", "terraform", "self", "module"):
        return UNKNOWN
    if name == "data" and len(keys) >= 2 and isinstance(first, str) and isinstance(keys[1], str):
        return Ref(f"data.{first}.{keys[1]}")
    if isinstance(first, str):
        key = keys[1] if len(keys) > 1 and isinstance(steps[1], (indexing.SqbIndexRule,
                                                                 indexing.ShortIndexRule)) else None
        return Ref(f"{name}.{first}", key if is_known(key) else None)
    return UNKNOWN


# -- functions ------------------------------------------------------------------------------

def _call(node: functions.FunctionCallRule, scope: Scope, depth: int) -> Any:
    name = "::".join(str(i.token.value) for i in node.identifiers)
    arguments = node.arguments
    nodes = arguments.arguments if arguments is not None else []
    if name in ("try", "can"):
        for argument in nodes:
            value = evaluate(argument, scope, depth)
            if is_known(value):
                return True if name == "can" else value
        return UNKNOWN
    values = [evaluate(argument, scope, depth) for argument in nodes]
    if arguments is not None and arguments.has_ellipsis and values:
        spread = values.pop()
        if not isinstance(spread, list):
            return UNKNOWN
        values.extend(spread)
    function = FUNCTIONS.get(name)
    if function is None or (name != "jsonencode" and not all(is_known(v) for v in values)):
        return Unknown(frozenset(r for v in values for r in refs_of(v)))
    try:
        return bounded(function(*values))
    except (TypeError, ValueError, IndexError, KeyError, RecursionError):
        return UNKNOWN


_HANDLERS: dict[type, Callable[[Any, Scope, int], Any]] = {
    expressions.ExprTermRule: lambda n, s, d: _reference(n, s, d) if not n.parentheses else _expr_term(n, s, d),
    literal_rules.LiteralValueRule: _literal,
    literal_rules.IntLitRule: _number,
    literal_rules.FloatLitRule: _number,
    literal_rules.IdentifierRule: _reference,
    strings.StringRule: _string,
    strings.HeredocTemplateRule: lambda n, s, d: heredoc_text(n),
    strings.HeredocTrimTemplateRule: lambda n, s, d: heredoc_text(n),
    containers.TupleRule: _tuple,
    containers.ObjectRule: _object,
    expressions.ConditionalRule: _conditional,
    expressions.UnaryOpRule: _unary,
    expressions.BinaryOpRule: _binary,
    for_expressions.ForTupleExprRule: _for_tuple,
    for_expressions.ForObjectExprRule: _for_object,
    indexing.GetAttrExprTermRule: _reference,
    indexing.IndexExprTermRule: _reference,
    indexing.AttrSplatExprTermRule: _reference,
    indexing.FullSplatExprTermRule: _reference,
    functions.FunctionCallRule: _call,
    JsonNode: _json,
}
