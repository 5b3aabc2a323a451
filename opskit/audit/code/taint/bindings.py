"""Bindings: assigning a value to a name, an attribute, an item or a destructuring pattern, and the
assignment targets that are sinks (``el.innerHTML = v``, ``session[k] = v``)."""

from __future__ import annotations

from tree_sitter import Node

from opskit.audit.code.syntax import UNKNOWN, constant
from opskit.audit.code.taint.state import Frame, State
from opskit.audit.code.taint.values import CLEAN, Env, Value, join, tainted


class Bindings(State):
    """Where values are stored."""

    def bind(self, target: Node, value: Value, env: Env, frame: Frame, source_name: str | None = None) -> None:
        """Assign ``value`` to a target: a name, an attribute, an item, or a destructuring pattern."""
        kind = target.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            env[self.unit.text(target)] = value
        elif kind == "as_pattern_target" and len(target.named_children) == 1:  # with open(p) as f
            self.bind(target.named_children[0], value, env, frame)
        elif kind in ("pattern_list", "tuple_pattern", "list_pattern", "array_pattern", "tuple", "list",
                      "list_splat_pattern", "rest_pattern", "as_pattern_target"):
            for index, child in enumerate(target.named_children):
                item = value.fields.get(str(index)) if value.fields is not None else None
                self.bind(child, item or tainted(value), env, frame)
        elif kind == "object_pattern":
            self.bind_object_pattern(target, value, env, frame, source_name)
        elif kind == self.grammar.attribute:
            name = self.unit.name(target)
            self.check_assign_sinks(name, value, target, frame)
            raw = self.unit.raw_name(target)
            if raw is not None:
                env[raw] = value
        elif kind == self.grammar.subscript:
            container_node, key_node = self.subscript_parts(target)
            key_value = self.eval(key_node, env, frame) if key_node is not None else CLEAN
            self.check_assign_sinks(self.unit.name(target), join([value, key_value]), target, frame)
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

    def bind_object_pattern(self, target: Node, value: Value, env: Env, frame: Frame,
                            source_name: str | None) -> None:
        """``const {a, b: c, ...rest} = value``: each name gets its property (a source of its own if
        ``value`` is ``req.query``)."""
        for child in target.named_children:
            if child.type == "rest_pattern" and child.named_children:  # const {a, ...rest} = req.query
                self.bind(child.named_children[0], tainted(value), env, frame)
                continue
            key_node = child if child.type == "shorthand_property_identifier_pattern" else \
                child.child_by_field_name("key")
            local = child if child.type == "shorthand_property_identifier_pattern" else \
                child.child_by_field_name("value") or child.child_by_field_name("left")
            if key_node is None or local is None:
                continue
            key = self.unit.text(key_node)
            item = self.member_source(f"{source_name}.{key}", child) if source_name else None
            if item is None:
                item = value.fields.get(key) if value.fields is not None else None
            self.bind(local, item or tainted(value), env, frame)

    def check_assign_sinks(self, name: str | None, value: Value, node: Node, frame: Frame) -> None:
        if name is None:
            return
        for matches, spec in self.rules.assign_sinks:
            if matches(name):
                self.report(spec, value, node, frame, name)
