"""Expressions: names, attributes, items, strings, operators (folded when constant), literals,
assignments and comprehensions, each to a ``Value``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tree_sitter import Node

from opskit.audit.code.syntax import UNKNOWN, constant, string_value
from opskit.audit.code.taint.folding import fold, fold_item, fold_unary, truthy
from opskit.audit.code.taint.state import Frame, State
from opskit.audit.code.taint.values import CLEAN, Env, Value, fixed_host, join, merge, tainted

COUNTS = frozenset({"length", "byteLength"})  # attributes of input that are numbers
COMPARISONS = frozenset({"==", "!=", "===", "!==", "<", ">", "<=", ">=", "in", "instanceof"})


class Expressions(State):
    """Evaluating expressions in an environment."""

    def eval(self, node: Node, env: Env, frame: Frame) -> Value:
        if not self.deeper(node):
            return CLEAN
        try:
            return self._eval(node, env, frame)
        finally:
            self.shallower()

    def _eval(self, node: Node, env: Env, frame: Frame) -> Value:
        handler = EXPRESSIONS.get(self.grammar.expressions.get(node.type, ""))
        if handler is not None:
            return handler(self, node, env, frame)
        literal = constant(self.unit, node)
        if literal is not UNKNOWN:
            return Value(const=literal)
        if node.type in self.grammar.functions:
            self.nested_function(node, env)
            return CLEAN
        return join(self.eval(child, env, frame) for child in node.named_children if child.type != "comment")

    def nested_function(self, node: Node, env: Env) -> None:
        """A callback or closure: analyse it now, seeing the variables of its enclosing scope."""
        if node.id in self.analysed:
            return
        self.stack.append(node.id)
        try:
            self.analyse_entry(node, env)
        finally:
            self.stack.pop()

    def eval_identifier(self, node: Node, env: Env, frame: Frame) -> Value:
        name = self.unit.text(node)
        if name in env:
            return env[name]
        if name in self.module:
            return self.module[name]
        imported = self.unit.aliases.get(name)
        return Value(alias=imported) if imported is not None else CLEAN

    def eval_attribute(self, node: Node, env: Env, frame: Frame) -> Value:
        raw = self.unit.raw_name(node)
        if raw is not None and raw in env:  # also input read as written after a guard checked it
            return env[raw]
        source = self.source(node)
        if source is not None:
            return source
        obj = node.child_by_field_name("object")
        if obj is None:
            return CLEAN
        base = self.eval(obj, env, frame)
        prop = self.attribute_name(node)
        if prop is None:
            return tainted(base)
        attribute = self.unit.text(prop)
        if attribute in COUNTS and base.origins and base.cls is None:
            return CLEAN  # input.length is a number
        if base.fields is not None and attribute in base.fields:
            return base.fields[attribute]  # an instance's attribute, a JS object literal's property
        if base.alias is not None:  # the request object passed around: request.form is still input
            return self.member_source(f"{base.alias}.{attribute}", node) or Value(alias=f"{base.alias}.{attribute}")
        return tainted(base)

    def eval_subscript(self, node: Node, env: Env, frame: Frame) -> Value:
        raw = self.unit.raw_name(node)
        if raw is not None and raw in env:
            return env[raw]
        source = self.source(node)
        if source is not None:
            return source
        container_node, key_node = self.subscript_parts(node)
        container = self.eval(container_node, env, frame) if container_node is not None else CLEAN
        if key_node is None:
            return tainted(container)
        key = self.eval_slice(key_node, env, frame) if key_node.type == "slice" else \
            self.eval(key_node, env, frame).const
        folded = fold_item(container.const, key)
        if folded is not UNKNOWN:
            return Value(const=folded)
        if container.fields is not None and key is not UNKNOWN and not isinstance(key, slice):
            if isinstance(key, int) and key < 0 and container.sequence:
                key = len(container.fields) + key
            return container.fields.get(str(key), CLEAN)
        if container.fields is not None and key is UNKNOWN and not container.sequence and container.cls is None:
            return join(container.fields.values())  # TABLE[input]: one of the table's values
        if isinstance(key, slice) and container.fields is not None and container.sequence:
            items = [container.fields[str(i)] for i in range(len(container.fields)) if str(i) in container.fields]
            kept = items[key]
            return Value(join(kept).origins, fields={str(i): v for i, v in enumerate(kept)}, sequence=True)
        return tainted(container)

    def eval_slice(self, node: Node, env: Env, frame: Frame) -> Any:
        """A constant ``a:b:c`` as a ``slice``, else UNKNOWN."""
        parts: list[Any] = [None, None, None]
        index = 0
        for child in node.children:
            if child.type == ":":
                index += 1
            elif child.is_named and index < 3:
                parts[index] = self.eval(child, env, frame).const
        if any(p is UNKNOWN or (p is not None and not isinstance(p, int)) for p in parts):
            return UNKNOWN
        return slice(*parts)

    def eval_string(self, node: Node, env: Env, frame: Frame) -> Value:
        parts = [c for c in node.named_children if c.type in self.grammar.interpolations]
        if not parts:
            text = string_value(self.unit, node)
            return Value(const=text) if text is not None else CLEAN
        value = join(self.eval(e, env, frame) for p in parts for e in p.named_children
                     if e.type not in ("type_conversion", "format_specifier"))
        start = node.named_children[0] if node.named_children and node.named_children[0].type == "string_start" \
            else None
        lead = self.unit.source[(start.end_byte if start is not None else node.start_byte + 1):parts[0].start_byte]
        return self.built(node, fixed_host(value, lead.decode("utf-8", "replace")))

    def eval_concatenated(self, node: Node, env: Env, frame: Frame) -> Value:
        parts = [self.eval(child, env, frame) for child in node.named_children]
        if all(isinstance(p.const, str) for p in parts):
            return Value(const="".join(p.const for p in parts))
        return join(parts)

    def eval_binary(self, node: Node, env: Env, frame: Frame) -> Value:
        """``a + b + c ...``: a left-nested chain of one node type is walked as a loop, so a long
        concatenation costs no nesting depth."""
        spine = [node]
        while True:
            left = spine[-1].child_by_field_name("left")
            if left is None or left.type != node.type:
                break
            spine.append(left)
        innermost = spine[-1].child_by_field_name("left")
        value = self.eval(innermost, env, frame) if innermost is not None else CLEAN
        for link in reversed(spine):
            self.step()
            value = self._binary(link, value, env, frame)
        return value

    def _binary(self, node: Node, a: Value, env: Env, frame: Frame) -> Value:
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        op = self.unit.text(operator) if operator is not None else ""
        if op in ("and", "&&") and a.const is not UNKNOWN and not truthy(a.const):
            return a
        if op in ("or", "||", "??") and a.const is not UNKNOWN and truthy(a.const):
            return a
        b = self.eval(right, env, frame) if right is not None else CLEAN
        folded = fold(op, a.const, b.const)
        if folded is not UNKNOWN:
            return Value(const=folded)
        if op in COMPARISONS:
            return CLEAN
        if op in ("+", "%"):
            return self.built(node, fixed_host(join([a, b]), a.const))
        return join([a, b])

    def eval_comparison(self, node: Node, env: Env, frame: Frame) -> Value:
        operands = [self.eval(child, env, frame) for child in node.named_children]
        operators = [self.unit.text(c) for c in node.children if not c.is_named]
        if len(operands) == 2 and len(operators) >= 1:
            folded = fold(" ".join(operators), operands[0].const, operands[1].const)
            if folded is not UNKNOWN:
                return Value(const=folded)
        return CLEAN

    def eval_not(self, node: Node, env: Env, frame: Frame) -> Value:
        """``not x``, ``!x``, ``-x``, ``typeof x``: folded on constants; taint passes through arithmetic."""
        operand = node.child_by_field_name("argument") or node.child_by_field_name("operand") or \
            (node.named_children[0] if node.named_children else None)
        value = self.eval(operand, env, frame) if operand is not None else CLEAN
        operator = node.child_by_field_name("operator")
        op = "not" if node.type == "not_operator" else (self.unit.text(operator) if operator is not None else "")
        folded = fold_unary(op, value.const)
        if folded is not UNKNOWN:
            return Value(const=folded)
        if op in ("not", "!", "typeof", "void", "delete"):
            return CLEAN
        return tainted(value)

    def eval_conditional(self, node: Node, env: Env, frame: Frame) -> Value:
        children = node.named_children
        if node.type == "conditional_expression" and len(children) == 3:  # a if cond else b
            then_node, cond_node, else_node = children
        else:
            cond_node = node.child_by_field_name("condition") or children[0]
            then_node = node.child_by_field_name("consequence") or children[1]
            else_node = node.child_by_field_name("alternative") or children[2]
        test = self.eval(cond_node, env, frame)
        if test.const is not UNKNOWN:
            return self.eval(then_node if truthy(test.const) else else_node, env, frame)
        then_env, else_env = self.split_on(cond_node, env)  # ALLOWED.includes(x) ? x : "default"
        return merge(self.eval(then_node, then_env, frame), self.eval(else_node, else_env, frame))

    def eval_container(self, node: Node, env: Env, frame: Frame) -> Value:
        items = [c for c in node.named_children if c.type != "comment"]
        values = [self.eval(c, env, frame) for c in items]
        spread = any(c.type in self.grammar.spreads for c in items)
        const = constant(self.unit, node)
        fields = None if spread else {str(i): v for i, v in enumerate(values)}
        joined = join(values)
        return Value(joined.origins, const, fields=fields, sequence=node.type in ("list", "array"),
                     flags=joined.flags)

    def eval_mapping(self, node: Node, env: Env, frame: Frame) -> Value:
        fields: dict[str, Value] | None = {}
        values = []
        for pair in node.named_children:
            if pair.type == "pair":
                key_node = pair.child_by_field_name("key")
                value_node = pair.child_by_field_name("value")
                value = self.eval(value_node, env, frame) if value_node is not None else CLEAN
                key = self.literal_key(key_node)
                if isinstance(key, str) and key.startswith("__"):  # {{ __html: markup }} for React
                    self.check_assign_sinks(key, value, pair, frame)
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
        joined = join(values)
        return Value(joined.origins, fields=fields, flags=joined.flags)

    def literal_key(self, node: Node | None) -> Any:
        """The constant key of a dict/object literal entry (JS bare keys are names, Python's are variables)."""
        if node is None:
            return UNKNOWN
        if node.type in self.grammar.bare_keys:
            return self.unit.text(node)
        return constant(self.unit, node)

    def eval_assignment(self, node: Node, env: Env, frame: Frame) -> Value:
        left = node.child_by_field_name("left") or node.child_by_field_name("name")
        right = node.child_by_field_name("right") or node.child_by_field_name("value")
        if right is None or left is None:
            return CLEAN
        value = self.eval(right, env, frame)
        if node.type in ("augmented_assignment", "augmented_assignment_expression"):
            value = join([self.eval(left, env, frame), value])
        self.bind(left, value, env, frame, source_name=self.unit.name(right))
        return value

    def eval_comprehension(self, node: Node, env: Env, frame: Frame) -> Value:
        inner = dict(env)
        for clause in node.named_children:
            if clause.type == "for_in_clause":
                left, right = clause.child_by_field_name("left"), clause.child_by_field_name("right")
                if left is not None and right is not None:
                    self.bind(left, tainted(self.eval(right, inner, frame)), inner, frame)
            elif clause.type == "if_clause":  # its calls can be sinks too
                for condition in clause.named_children:
                    self.eval(condition, inner, frame)
        body = node.child_by_field_name("body")
        value = self.eval(body, inner, frame) if body is not None else CLEAN
        return Value(value.origins, flags=value.flags, sequence=node.type == "list_comprehension")

    def eval_wrapper(self, node: Node, env: Env, frame: Frame) -> Value:
        """``(x)``, ``await x``, ``x as T``: the inner value; nested wrappers are unwrapped in a loop."""
        while self.grammar.expressions.get(node.type) == "wrapper":
            self.step()
            children = [c for c in node.named_children if c.type != "comment"]
            if not children:
                return CLEAN
            node = children[0]
        return self.eval(node, env, frame)

    def eval_keyword(self, node: Node, env: Env, frame: Frame) -> Value:
        value = node.child_by_field_name("value")
        return self.eval(value, env, frame) if value is not None else CLEAN


EXPRESSIONS: dict[str, Callable[[Expressions, Node, Env, Frame], Value]] = {
    "identifier": Expressions.eval_identifier,
    "attribute": Expressions.eval_attribute,
    "subscript": Expressions.eval_subscript,
    "string": Expressions.eval_string,
    "concatenated": Expressions.eval_concatenated,
    "binary": Expressions.eval_binary,
    "comparison": Expressions.eval_comparison,
    "not": Expressions.eval_not,
    "conditional": Expressions.eval_conditional,
    "container": Expressions.eval_container,
    "mapping": Expressions.eval_mapping,
    "assignment": Expressions.eval_assignment,
    "comprehension": Expressions.eval_comprehension,
    "wrapper": Expressions.eval_wrapper,
    "keyword": Expressions.eval_keyword,
    "call": lambda self, node, env, frame: self.eval_call(node, env, frame),
}
