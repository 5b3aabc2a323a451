"""Built-in containers and buffers followed item by item: lists (append, insert, extend, pop, index),
dicts and ``Map``s (item set/get, update, setdefault, pop), ``configparser`` (set/get by section and
key), ``io.StringIO`` (write, then getvalue), and string methods on constants (folded)."""

from __future__ import annotations

from collections.abc import Mapping

from tree_sitter import Node

from opskit.audit.code.syntax import UNKNOWN
from opskit.audit.code.taint.folding import fold_method
from opskit.audit.code.taint.state import State
from opskit.audit.code.taint.values import CLEAN, Env, Value, join, tainted

CONSTRUCTORS = {
    "configparser.ConfigParser": "config", "configparser.RawConfigParser": "config", "ConfigParser": "config",
    "configparser.SafeConfigParser": "config", "io.StringIO": "buffer", "io.BytesIO": "buffer",
    "StringIO": "buffer", "BytesIO": "buffer", "collections.deque": "list", "deque": "list", "list": "list",
    "dict": "dict", "collections.OrderedDict": "dict", "OrderedDict": "dict", "Map": "dict", "Array": "list",
}
MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "write", "writelines", "set", "put", "push",
                      "unshift", "appendleft", "setdefault", "read_string", "read_dict", "concat"})
READERS = frozenset({"get", "getint", "getfloat", "getboolean", "pop", "shift", "popleft"})


class Containers(State):
    """Calls on containers and constants, where the precise item is known."""

    def container_call(self, func: Node | None, name: str, receiver: Value, args: list[Value],
                       kwargs: Mapping[str, Value], env: Env) -> Value | None:
        """The value of a call on a built-in container (updating the variable it is held in), or None."""
        kind = CONSTRUCTORS.get(name)
        if kind is not None:
            return None if kwargs else self._construct(kind, name, args)
        if func is None or func.type != self.grammar.attribute:
            return None
        prop = self.attribute_name(func)
        method = self.unit.text(prop) if prop is not None else ""
        folded = fold_method(receiver.const, method, [a.const for a in args])
        if folded is not UNKNOWN:
            return Value(const=folded)
        if method not in MUTATORS and method not in READERS:
            return None
        holder = self.unit.raw_name(func.child_by_field_name("object"))
        if holder is None or holder not in env:
            return None
        keys = [a.const for a in args]
        updated, result = _apply(receiver, method, args, keys)
        if updated is None:
            return None
        self.step(len(updated.fields) if updated.fields is not None else 1)
        env[holder] = updated
        return result

    @staticmethod
    def _construct(kind: str, name: str, args: list[Value]) -> Value:
        if kind == "list" and len(args) == 1 and args[0].fields is not None and args[0].sequence:
            return Value(args[0].origins, fields=dict(args[0].fields), sequence=True, alias=name)
        if args:  # StringIO(text), list(iterable), dict(other): the contents' taint, items unknown
            return Value(join(args).origins, sequence=kind == "list", alias=name)
        return Value(fields={}, sequence=kind == "list", alias=name)


def _apply(receiver: Value, method: str, args: list[Value], keys: list[object]) -> tuple[Value | None, Value]:
    """(the container after ``method``, the call's value); (None, _) when the method is not modelled."""
    fields = receiver.fields
    config = receiver.alias is not None and "ConfigParser" in receiver.alias
    if config and method in ("set", "get", "getint", "getfloat", "getboolean") and len(args) >= 2:
        known = fields is not None and keys[0] is not UNKNOWN and keys[1] is not UNKNOWN
        key = f"{keys[0]}\0{keys[1]}"
        if method == "set" and len(args) >= 3:
            return _with(receiver, {**fields, key: args[2]} if known and fields is not None else None, args[2]), CLEAN
        if method == "get":
            return receiver, (fields.get(key, CLEAN) if known and fields is not None else tainted(receiver))
        return receiver, CLEAN  # getint/getfloat/getboolean: numbers
    if fields is not None and receiver.sequence:
        return _list(receiver, fields, method, args, keys)
    if fields is not None and method in ("set", "setdefault") and len(args) >= 2 and keys[0] is not UNKNOWN:
        if method == "setdefault" and str(keys[0]) in fields:
            return receiver, fields[str(keys[0])]
        return _with(receiver, {**fields, str(keys[0]): args[1]}, args[1]), args[1]
    if fields is not None and method == "pop" and args and keys[0] is not UNKNOWN:
        rest = {k: v for k, v in fields.items() if k != str(keys[0])}
        return _with(receiver, rest, CLEAN), fields.get(str(keys[0]), args[1] if len(args) > 1 else CLEAN)
    if fields is not None and method == "update" and len(args) == 1 and args[0].fields is not None:
        return _with(receiver, {**fields, **args[0].fields}, args[0]), CLEAN
    if method in MUTATORS:  # anything else that stores its arguments: the holder carries their taint
        return _with(receiver, None, join(args)), CLEAN
    return None, CLEAN


def _list(receiver: Value, fields: Mapping[str, Value], method: str, args: list[Value],
          keys: list[object]) -> tuple[Value | None, Value]:
    items = [fields[str(i)] for i in range(len(fields)) if str(i) in fields]
    if len(items) != len(fields):
        return _with(receiver, None, join(args)), CLEAN
    if method in ("append", "push") and args:
        items.extend(args)
    elif method in ("unshift", "appendleft") and args:
        items[:0] = args
    elif method == "insert" and len(args) == 2 and isinstance(keys[0], int):
        items.insert(keys[0], args[1])
    elif method in ("extend", "concat") and len(args) == 1 and args[0].fields is not None and args[0].sequence:
        items.extend(args[0].fields[str(i)] for i in range(len(args[0].fields)))
    elif method in ("pop", "shift", "popleft") and items:
        index = keys[0] if args and isinstance(keys[0], int) else (-1 if method == "pop" else 0)
        try:
            taken = items.pop(index)
        except IndexError:
            return receiver, CLEAN
        return _with(receiver, {str(i): v for i, v in enumerate(items)}, CLEAN), taken
    elif method in MUTATORS:
        return _with(receiver, None, join(args)), CLEAN
    else:
        return None, CLEAN
    return _with(receiver, {str(i): v for i, v in enumerate(items)}, CLEAN), CLEAN


def _with(receiver: Value, fields: Mapping[str, Value] | None, added: Value) -> Value:
    """The container with new items (None: no longer known item by item) and the taint of ``added``."""
    origins = receiver.origins | added.origins
    if fields is not None:
        origins = frozenset().union(*(v.origins for v in fields.values())) if fields else frozenset()
    return Value(origins, fields=fields, sequence=receiver.sequence, flags=receiver.flags | added.flags,
                 alias=receiver.alias)
