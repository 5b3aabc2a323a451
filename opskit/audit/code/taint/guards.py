"""Guards: conditions that make a name safe inside (or after) an ``if`` — allow-list membership,
format checks, prefix checks — for all CWEs or for the ones a check covers."""

from __future__ import annotations

from tree_sitter import Node

from opskit.audit.code.taint.state import State
from opskit.audit.code.taint.values import Env

Guard = tuple[str, bool, frozenset[int]]  # guarded name, holds when the condition is true, CWEs


class Guards(State):
    """Recognises the guard a condition expresses."""

    def guard(self, condition: Node, env: Env) -> Guard | None:
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
            return self._membership(node, positive)
        if node.type in self.grammar.calls:
            return self._check_call(node, positive, env)
        return None

    def _membership(self, node: Node, positive: bool) -> Guard | None:
        operators = [self.unit.text(c) for c in node.children if not c.is_named]
        if operators in (["in"], ["not", "in"], ["not in"]) and node.named_children:
            name = self.unit.raw_name(node.named_children[0])
            if name is not None:
                return name, positive == (operators == ["in"]), frozenset()
        return None

    def _check_call(self, node: Node, positive: bool, env: Env) -> Guard | None:
        func = node.child_by_field_name("function")
        name = self.unit.name(func)
        if name is None and func is not None and func.type == self.grammar.attribute:
            method = self.attribute_name(func)
            name = f"<literal>.{self.unit.text(method)}" if method is not None else None  # [...].includes(x)
        cwes = self.rules.sanitizer(name or "", self.rules.guards)
        if cwes is None:
            return None
        candidates: list[Node] = []
        if func is not None and func.type == self.grammar.attribute:
            obj = func.child_by_field_name("object")
            if obj is not None:
                candidates.append(obj)
        arguments = node.child_by_field_name("arguments")
        if arguments is not None:
            candidates.extend(arguments.named_children)
        for candidate in candidates:
            guarded = self.unit.raw_name(candidate)
            if guarded is not None and guarded in env and env[guarded].origins:
                return guarded, positive, cwes
        return None
