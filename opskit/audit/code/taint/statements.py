"""Statements: blocks, branches (both sides of an unknown condition, one side of a folded one), loops,
try, with, declarations and assignments to names, attributes, items and destructuring patterns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tree_sitter import Node

from opskit.audit.code.matching import globs
from opskit.audit.code.syntax import UNKNOWN, constant
from opskit.audit.code.taint.folding import truthy
from opskit.audit.code.taint.state import Frame, State
from opskit.audit.code.taint.values import CLEAN, Env, Value, merge, same, tainted

ROUTE_DECORATORS = globs(["*.route", "*.get", "*.post", "*.put", "*.patch", "*.delete", "*.api_route",
                          "*.websocket", "*.head", "*.options", "*.expose"])
TERMINAL_CALLS = globs(["abort", "flask.abort", "*.abort", "sys.exit", "exit", "os._exit", "ctx.throw"])
GENERIC_STATEMENT_SUFFIXES = ("_statement", "_clause", "block", "_body", "module", "program")


class Statements(State):
    """Running statements in order over an environment of variable values."""

    def exec_block(self, nodes: Sequence[Node], env: Env, frame: Frame) -> bool:
        """Run statements in order; True when the block always leaves (return, raise, abort)."""
        return any(self.exec(node, env, frame) for node in nodes)

    def exec(self, node: Node, env: Env, frame: Frame) -> bool:
        if not self.deeper(node):
            return False
        try:
            return self._exec(node, env, frame)
        finally:
            self.shallower()

    def _exec(self, node: Node, env: Env, frame: Frame) -> bool:
        kind = node.type
        handler = STATEMENTS.get(self.grammar.statements.get(kind, ""))
        if handler is not None:
            return handler(self, node, env, frame)
        if kind in self.grammar.inert:
            return False
        if kind.endswith(("_declaration", "_signature")):
            return False  # TypeScript types, interfaces and enums
        if kind.endswith(GENERIC_STATEMENT_SUFFIXES):
            return self.exec_block(node.named_children, env, frame)
        self.eval(node, env, frame)
        return kind in self.grammar.calls and TERMINAL_CALLS(self.unit.name(node) or "")

    def exec_expression(self, node: Node, env: Env, frame: Frame) -> bool:
        terminated = False
        for child in node.named_children:
            self.eval(child, env, frame)
            kind = self.grammar.expressions.get(child.type)
            if kind in ("call", "wrapper"):
                call = child if kind == "call" else (child.named_children[0] if child.named_children else child)
                terminated = terminated or (call.type in self.grammar.calls and
                                            TERMINAL_CALLS(self.unit.name(call) or ""))
        return terminated

    def exec_return(self, node: Node, env: Env, frame: Frame) -> bool:
        children = node.named_children
        value = self.eval(children[0], env, frame) if children else CLEAN
        if len(children) > 1:  # return body, 200 parsed without a tuple node
            value = Value(value.origins, fields={"0": value})
        frame.returns.append(value)
        body_node = children[0].named_children[0] if children and children[0].type == "expression_list" \
            and children[0].named_children else (children[0] if children else None)
        called = self.local_function(body_node.child_by_field_name("function")) \
            if body_node is not None and body_node.type in self.grammar.calls else None
        external_call = body_node is not None and body_node.type in self.grammar.calls and \
            (called is None or self.is_route(called)) and \
            not _string_building(body_node.child_by_field_name("function"))
        if frame.route == "flask" and body_node is not None and not external_call:
            body = value.fields.get("0", value) if value.fields is not None and "0" in value.fields else value
            if body.fields is None and not body.sequence:
                for spec in self.rules.return_sinks:
                    self.report(spec, body, node, frame, "the response body of a Flask route")
        return True

    def is_route(self, func: Node) -> bool:
        """A function with a route decorator: what it returns is checked where it returns it."""
        parent = func.parent
        if parent is None or parent.type != "decorated_definition":
            return False
        return any(d.named_children and ROUTE_DECORATORS(self.unit.name(d.named_children[0]) or "")
                   for d in parent.named_children if d.type == "decorator")

    def exec_raise(self, node: Node, env: Env, frame: Frame) -> bool:
        for child in node.named_children:
            self.eval(child, env, frame)
        return True

    def exec_function(self, node: Node, env: Env, frame: Frame) -> bool:
        decorators: list[Node] = []
        parent = node.parent
        if parent is not None and parent.type == "decorated_definition":
            decorators = [d.named_children[0] for d in parent.named_children if d.type == "decorator"
                          and d.named_children]
        if self.stack:
            return False  # nested definitions are analysed as entries when their enclosing function is
        self.analyse_entry(node, env if env is not self.module else dict(self.module), decorators)
        return False

    def exec_decorated(self, node: Node, env: Env, frame: Frame) -> bool:
        definition = node.child_by_field_name("definition")
        return self.exec(definition, env, frame) if definition is not None else False

    def exec_class(self, node: Node, env: Env, frame: Frame) -> bool:
        body = node.child_by_field_name("body")
        if body is not None:
            self.exec_block(body.named_children, dict(env), Frame())
        return False

    def exec_if(self, node: Node, env: Env, frame: Frame) -> bool:
        condition = node.child_by_field_name("condition")
        consequence = node.child_by_field_name("consequence")
        alternatives = node.children_by_field_name("alternative")
        test = self.eval(condition, env, frame) if condition is not None else CLEAN
        if test.const is not UNKNOWN:
            if truthy(test.const):
                return self.exec_branch(consequence, env, frame)
            return self.exec_alternatives(alternatives, env, frame)
        self.step(len(env))
        then_env, else_env = self.split_on(condition, env) if condition is not None else (dict(env), dict(env))
        then_done = self.exec_branch(consequence, then_env, frame)
        else_done = self.exec_alternatives(alternatives, else_env, frame)
        self.step(len(then_env) + len(else_env))
        merge_into(env, then_env, else_env, then_done, else_done)
        return then_done and else_done

    def exec_branch(self, node: Node | None, env: Env, frame: Frame) -> bool:
        if node is None:
            return False
        if node.type in self.grammar.blocks or node.type == "block":
            return self.exec_block(node.named_children, env, frame)
        return self.exec(node, env, frame)

    def exec_alternatives(self, alternatives: list[Node], env: Env, frame: Frame) -> bool:
        """Python ``elif``/``else`` clauses (one field each) or a JS ``else`` clause."""
        if not alternatives:
            return False
        first, rest = alternatives[0], alternatives[1:]
        if first.type == "elif_clause":
            condition = first.child_by_field_name("condition")
            test = self.eval(condition, env, frame) if condition is not None else CLEAN
            consequence = first.child_by_field_name("consequence")
            if test.const is not UNKNOWN:
                if truthy(test.const):
                    return self.exec_branch(consequence, env, frame)
                return self.exec_alternatives(rest, env, frame)
            self.step(len(env))
            then_env, else_env = dict(env), dict(env)
            then_done = self.exec_branch(consequence, then_env, frame)
            else_done = self.exec_alternatives(rest, else_env, frame)
            merge_into(env, then_env, else_env, then_done, else_done)
            return then_done and else_done
        body = first.child_by_field_name("body") or (first.named_children[0] if first.named_children else None)
        return self.exec_branch(body, env, frame)

    def exec_match(self, node: Node, env: Env, frame: Frame) -> bool:
        """``match``/``switch``: with a constant subject only the case it selects runs (and, in a switch
        without ``break``, the ones after it); otherwise every case runs on its own copy and they merge."""
        subject_node = node.child_by_field_name("subject") or node.child_by_field_name("value")
        subject = self.eval(subject_node, env, frame) if subject_node is not None else CLEAN
        body = node.child_by_field_name("body")
        cases = [c for c in body.named_children if c.type in ("case_clause", "switch_case", "switch_default")] \
            if body is not None else []
        if subject.const is not UNKNOWN and all(self._case_labels(case) is not UNKNOWN for case in cases):
            for index, case in enumerate(cases):
                labels = self._case_labels(case)
                if labels is None or any(same(label, subject.const) for label in labels):
                    return self._run_cases(cases[index:], env, frame)
            return False  # no case matches the constant
        exhaustive = any(self._case_labels(case) is None for case in cases)
        paths: list[tuple[Env, bool]] = []
        for index in range(len(cases)):
            branch = dict(env)
            self.step(len(env))
            paths.append((branch, self._run_cases(cases[index:index + 1], branch, frame)))
        if not exhaustive:
            paths.append((dict(env), False))
        live = [branch for branch, done in paths if not done] or [paths[-1][0]] if paths else [env]
        merged = live[0]
        for other in live[1:]:
            combined: Env = {}
            merge_into(combined, merged, other, False, False)
            merged = combined
        env.clear()
        env.update(merged)
        return bool(paths) and all(done for _, done in paths)

    def _case_labels(self, case: Node) -> Any:
        """The constants a case compares with; None for a default/wildcard; UNKNOWN when not constant."""
        if case.type == "switch_default":
            return None
        if case.type == "switch_case":
            value = case.child_by_field_name("value")
            folded = constant(self.unit, value)
            return UNKNOWN if folded is UNKNOWN else [folded]
        patterns = [p for p in case.named_children if p.type == "case_pattern"]
        if case.child_by_field_name("guard") is not None:
            return UNKNOWN
        labels: list[Any] = []
        for pattern in patterns:
            inner = pattern.named_children
            if not inner:
                return None  # case _:
            options = inner[0].named_children if inner[0].type == "union_pattern" else inner
            for option in options:
                folded = constant(self.unit, option)
                if folded is UNKNOWN:
                    return None if option.type == "identifier" and len(options) == 1 else UNKNOWN
                labels.append(folded)
        return labels

    def _run_cases(self, cases: list[Node], env: Env, frame: Frame) -> bool:
        """Run case bodies in order until one leaves or breaks (a Python case never falls through)."""
        for case in cases:
            body = case.child_by_field_name("consequence")
            label = case.child_by_field_name("value")
            statements = body.named_children if body is not None else \
                [c for c in case.named_children if c.type != "case_pattern" and c != label]
            for statement in statements:
                if statement.type == "break_statement":
                    return False
                if self.exec(statement, env, frame):
                    return True
            if case.type == "case_clause":
                return False
        return False

    def exec_loop(self, node: Node, env: Env, frame: Frame) -> bool:
        self.step(len(env))
        body_env = dict(env)
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is not None and right is not None:
            self.bind(left, tainted(self.eval(right, env, frame)), body_env, frame)
        for part in ("initializer", "condition", "increment", "update"):
            child = node.child_by_field_name(part)
            if child is not None:
                self.exec(child, body_env, frame)
        body = node.child_by_field_name("body")
        if body is not None:
            self.exec_branch(body, body_env, frame)
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            self.exec_block(alternative.named_children, body_env, frame)
        self.step(len(body_env))
        merge_into(env, env.copy(), body_env, False, False)
        return False

    def exec_try(self, node: Node, env: Env, frame: Frame) -> bool:
        """The body, then every handler, ``else`` and ``finally`` clause; a try never counts as leaving."""
        for child in node.named_children:
            body = child.child_by_field_name("body")
            if child.type in ("block", "statement_block"):  # Python's and JS's try body
                self.exec_block(child.named_children, env, frame)
            elif body is not None:
                self.exec_branch(body, env, frame)
            else:
                blocks = [c for c in child.named_children if c.type in ("block", "statement_block")]
                for block in blocks:
                    self.exec_block(block.named_children, env, frame)
        return False

    def exec_with(self, node: Node, env: Env, frame: Frame) -> bool:
        for item in descendants(node, "with_item"):
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
        return self.exec_branch(body, env, frame)

    def exec_declaration(self, node: Node, env: Env, frame: Frame) -> bool:
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

def _string_building(func: Node | None) -> bool:
    """``"<p>{}</p>".format(x)`` / ``"".join(parts)``: a string made here, not another library's response."""
    obj = func.child_by_field_name("object") if func is not None else None
    method = func.child_by_field_name("attribute") if func is not None else None
    return obj is not None and obj.type == "string" and method is not None and \
        method.text in (b"format", b"join", b"format_map")


def merge_into(env: Env, a: Env, b: Env, a_done: bool, b_done: bool) -> None:
    """The environment after two paths; a path that always leaves does not reach what follows."""
    if a_done != b_done:
        env.clear()
        env.update(b if a_done else a)
        return
    for key in set(a) | set(b):
        env[key] = merge(a.get(key), b.get(key))


def descendants(node: Node, kind: str) -> list[Node]:
    found = []
    stack = list(node.named_children)
    while stack:
        current = stack.pop()
        if current.type == kind:
            found.append(current)
        elif current.type not in ("block",):
            stack.extend(current.named_children)
    return found


STATEMENTS: dict[str, Callable[[Statements, Node, Env, Frame], bool]] = {
    "expression": Statements.exec_expression,
    "return": Statements.exec_return,
    "raise": Statements.exec_raise,
    "function": Statements.exec_function,
    "decorated": Statements.exec_decorated,
    "class": Statements.exec_class,
    "if": Statements.exec_if,
    "loop": Statements.exec_loop,
    "with": Statements.exec_with,
    "try": Statements.exec_try,
    "match": Statements.exec_match,
    "declaration": Statements.exec_declaration,
}
