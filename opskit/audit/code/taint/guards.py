"""Guards: conditions that make a name safe inside (or after) an ``if`` — allow-list membership,
equality with a constant, format checks, prefix checks, ``'../' in x`` tests, host allow-lists on
``urlparse(x).netloc`` — for all CWEs or for the ones a check covers."""

from __future__ import annotations

from tree_sitter import Node

from opskit.audit.code.syntax import UNKNOWN, constant
from opskit.audit.code.taint.state import Frame, State
from opskit.audit.code.taint.values import HOST_CWES, Env, sanitized

Guard = tuple[str, bool, frozenset[int]]  # guarded name, safe when the condition is true, CWEs
ALL: frozenset[int] = frozenset()
# A string that must not occur in a value, and what its absence rules out.
FORBIDDEN = {"..": frozenset({22}), "../": frozenset({22}), "..\\": frozenset({22}), "/": frozenset({22}),
             "<": frozenset({79}), ">": frozenset({79}), "'": frozenset({89, 643, 90}),
             '"': frozenset({89, 643, 90}), ";": frozenset({78}), "|": frozenset({78}), "&": frozenset({78}),
             "$": frozenset({78}), "`": frozenset({78}), "*": frozenset({90}), "(": frozenset({90})}
HOST_PARTS = frozenset({"netloc", "hostname", "host", "scheme", "origin"})


class Guards(State):
    """Recognises the guard a condition expresses."""

    def guard(self, condition: Node, env: Env) -> Guard | None:
        """(name, safe-when-true, cwes) for ``x in ALLOWED``, ``x == "a"``, ``'..' in x``,
        ``ALLOWED.includes(x)``, ``x.isdigit()``, ``urlparse(x).netloc in HOSTS``, negated or not."""
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
        junction = self._junction(node)
        if junction is not None:  # a and b: both hold inside; a or b: neither holds in the else branch
            wanted = junction == "and"  # a part safe when true (and), or safe when false (or)
            for part in (node.child_by_field_name("left"), node.child_by_field_name("right")):
                found = self.guard(part, env) if part is not None else None
                if found is not None and found[1] == wanted:
                    return found[0], wanted == positive, found[2]
            return None
        if node.type in ("comparison_operator", "binary_expression"):
            return self._comparison(node, positive, env)
        if node.type in self.grammar.calls:
            return self._check_call(node, positive, env)
        return None

    def _junction(self, node: Node) -> str | None:
        """"and" / "or" for a boolean operator node, else None."""
        operator = node.child_by_field_name("operator")
        if node.type not in ("boolean_operator", "binary_expression") or operator is None:
            return None
        return {"and": "and", "&&": "and", "or": "or", "||": "or"}.get(self.unit.text(operator))

    def _comparison(self, node: Node, positive: bool, env: Env) -> Guard | None:
        if node.type == "binary_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            operator = node.child_by_field_name("operator")
            operators = [self.unit.text(operator)] if operator is not None else []
        else:
            left, right = (node.named_children + [None, None])[:2]
            operators = [self.unit.text(c) for c in node.children if not c.is_named]
        if left is None or right is None:
            return None
        op = " ".join(operators)
        if op in ("in", "not in"):
            safe_when_true = op == "in"
            literal = constant(self.unit, left)
            if isinstance(literal, str) and literal in FORBIDDEN:  # '../' in x
                return self._guarded(right, positive != safe_when_true, FORBIDDEN[literal], env)
            return self._guarded(left, positive == safe_when_true, ALL, env)
        if op in ("==", "===", "!=", "!=="):
            safe_when_true = op in ("==", "===")
            for name_side, other in ((left, right), (right, left)):
                if name_side.type in self.grammar.calls:  # os.path.commonpath([BASE, p]) == BASE
                    found = self._check_call(name_side, positive == safe_when_true, env)
                    if found is not None:
                        return found
                elif constant(self.unit, other) is not UNKNOWN:
                    return self._guarded(name_side, positive == safe_when_true, ALL, env)
        return None

    def _guarded(self, node: Node, safe_when_true: bool, cwes: frozenset[int], env: Env) -> Guard | None:
        """The name a check is about: the variable itself, a member read as written (``req.query.sort``,
        bound in ``env`` from then on), or ``x`` in ``urlparse(x).netloc`` and ``new URL(x).hostname``."""
        if node.type == self.grammar.attribute:
            part = self.attribute_name(node)
            obj = node.child_by_field_name("object")
            if part is not None and obj is not None and self.unit.text(part) in HOST_PARTS:
                if obj.type in self.grammar.calls:
                    arguments = obj.child_by_field_name("arguments")
                    obj = arguments.named_children[0] if arguments is not None and arguments.named_children else None
                holder = self.unit.raw_name(obj) if obj is not None else None
                if holder is not None and holder in env and env[holder].origins:
                    return holder, safe_when_true, HOST_CWES
        name = self.unit.raw_name(node)
        if name is not None and name not in env and node.type in (self.grammar.attribute, self.grammar.subscript):
            read = self.source(node) or self.eval(node, env, Frame())  # req.query.to, body.next
            if read.origins:
                env[name] = read
        if name is None or name not in env or not env[name].origins:
            return None
        return name, safe_when_true, cwes

    def split_on(self, condition: Node, env: Env) -> tuple[Env, Env]:
        """The environments where ``condition`` holds and where it does not, its guard applied."""
        guard = self.guard(condition, env)
        then_env, else_env = dict(env), dict(env)
        if guard is not None:
            name, positive, cwes = guard
            target = then_env if positive else else_env
            target[name] = sanitized(target[name], cwes)
        return then_env, else_env

    def _check_call(self, node: Node, positive: bool, env: Env) -> Guard | None:
        func = node.child_by_field_name("function")
        name = self.unit.name(func)
        method = self.attribute_name(func) if func is not None and func.type == self.grammar.attribute else None
        if name is None and method is not None:
            name = f"<literal>.{self.unit.text(method)}"  # [...].includes(x)
        arguments = node.child_by_field_name("arguments")
        args = arguments.named_children if arguments is not None else []
        obj = func.child_by_field_name("object") if method is not None and func is not None else None
        if method is not None and obj is not None and self.unit.text(method) in ("includes", "indexOf") and args:
            literal = constant(self.unit, args[0])
            if isinstance(literal, str) and literal in FORBIDDEN:  # x.includes('..')
                return self._guarded(obj, not positive, FORBIDDEN[literal], env)
        cwes = self.rules.sanitizer(name or "", self.rules.guards)
        if cwes is None:
            return None
        listed = [item for arg in args if arg.type in ("list", "tuple", "array") for item in arg.named_children]
        for candidate in [*([obj] if obj is not None else []), *args, *listed]:
            if candidate.type in self.grammar.calls:  # os.path.realpath(p).startswith(BASE) checks p
                inner = candidate.child_by_field_name("arguments")
                if inner is not None and inner.named_children:
                    candidate = inner.named_children[-1]
            found = self._guarded(candidate, positive, cwes, env)
            if found is not None:
                return found
        return None
