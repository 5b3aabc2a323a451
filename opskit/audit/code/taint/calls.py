"""Calls: arguments, sinks reached by them, sources and sanitizers by name, and functions of this
file evaluated with the caller's argument values (memoised per argument shape: a summary)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tree_sitter import Node

from opskit.audit.code.interface import SinkSpec
from opskit.audit.code.matching import constant_in, globs
from opskit.audit.code.syntax import UNKNOWN, string_value
from opskit.audit.code.taint.containers import Containers
from opskit.audit.code.taint.entries import SAFE_PARAM_TYPES, Entries
from opskit.audit.code.taint.state import Callee, ClassRef, Frame, FunctionRef, State
from opskit.audit.code.taint.summaries import Summaries
from opskit.audit.code.taint.values import CLEAN, HOST_CWES, Env, Value, fixed_host, join, sanitized

KEYWORD_PROPAGATORS = globs(["*.format", "*.format_map", "dict", "*.update", "*.replace", "*.substitute",
                             "*.safe_substitute", "tarfile.open", "tarfile.TarFile*", "gzip.GzipFile", "gzip.open",
                             "io.TextIOWrapper", "io.BufferedReader"])  # keywords that carry data: fileobj=upload
CONSTRUCTOR = re.compile(r"[\w$@/.-]+\.[A-Z]\w*")  # httpx.AsyncClient, jinja2.Environment, pg.Client
DEFERRED_CALLS = frozenset({"delay", "apply_async", "send"})  # task queue calls of a project function
ENTITY_ESCAPED = {"'": frozenset({89, 643, 90, 79}), '"': frozenset({89, 643, 90, 79}), "<": frozenset({79})}


@dataclass
class CallArguments:
    """A call's evaluated arguments: positional values and nodes, keyword/option values and nodes."""

    args: list[Value]
    arg_nodes: list[Node]
    kwargs: dict[str, Value]
    kwarg_nodes: dict[str, Node]

    def values(self) -> list[Value]:
        return [*self.args, *self.kwargs.values()]


class Calls(Entries, Summaries, Containers):
    """Function entries (route handlers), call evaluation, sinks and per-function summaries."""

    def arguments(self, node: Node, env: Env, frame: Frame) -> CallArguments:
        call = CallArguments([], [], {}, {})
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

    def eval_call(self, node: Node, env: Env, frame: Frame) -> Value:
        func = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        name = self.unit.name(func) or ""
        receiver = CLEAN
        if func is not None and func.type == self.grammar.attribute:
            obj = func.child_by_field_name("object")
            if obj is not None:
                receiver = self.eval(obj, env, frame)
        elif func is not None and func.type not in ("identifier",):
            receiver = self.eval(func, env, frame)
        method = self.attribute_name(func) if func is not None and func.type == self.grammar.attribute else None
        self.mark_callbacks(node, name)
        call = self.arguments(node, env, frame)
        self.check_call_sinks(name, call, node, frame, receiver)
        if receiver.alias is not None and method is not None and not name.startswith(receiver.alias + "."):
            typed = f"{receiver.alias}.{self.unit.text(method)}"  # client.get(url), client = httpx.Client()
            self.check_call_sinks(typed, call, node, frame, receiver)
        if self.python and name in PARTIALS and call.arg_nodes:
            return self.partial(call)
        if func is not None and func.type == "identifier":
            bound = self.eval(func, env, frame)
            if PARTIAL in bound.flags and bound.alias is not None and bound.fields is not None:
                given = CallArguments(call.args, call.arg_nodes, {**bound.fields, **call.kwargs}, call.kwarg_nodes)
                self.check_call_sinks(bound.alias, given, node, frame)
        modelled = self.container_call(func, name, receiver, call.args, call.kwargs, env)
        if modelled is not None:
            self.flag_receiver(func, name, call, env)  # res.set("Content-Type", ...) is no Map.set for flags
            return modelled
        if name.endswith(".get") and receiver.fields is not None and call.args and receiver.cls is None:
            default = call.args[1] if len(call.args) > 1 else CLEAN
            if call.args[0].const is not UNKNOWN:
                return receiver.fields.get(str(call.args[0].const), default)
            return join([*receiver.fields.values(), default])  # a lookup table: one of its values
        cleans = self.rules.sanitizer(name, self.rules.sanitizers)
        if cleans is not None:
            return sanitized(join([receiver, *call.values()]), cleans)
        converter = call.kwarg_nodes.get("type")  # request.args.get("page", type=int) is a number
        if converter is not None and self.unit.text(converter) in SAFE_PARAM_TYPES and receiver.origins:
            return CLEAN
        # x.strip() on input is the input's value; only a call on something clean can read new input
        source = self.source(node, call=True) if not receiver.origins else None
        if source is None and receiver.alias is not None and method is not None:  # wrapper.request.get_json()
            source = self.member_source(f"{receiver.alias}.{self.unit.text(method)}", node, call=True)
        if source is not None:
            converter = call.kwarg_nodes.get("type")  # request.args.get("page", type=int) is a number
            return CLEAN if converter is not None and self.unit.text(converter) in SAFE_PARAM_TYPES else source
        flags = frozenset(spec.flag for matches, spec in self.rules.flags
                          if not spec.receiver and matches(name)
                          and (not spec.kwarg or constant_in(call.kwargs.get(spec.kwarg, CLEAN).const, spec.values))
                          and all(index < len(call.args) and self._argument_is(call, index, values)
                                  for index, values in spec.args.items()))
        self.flag_receiver(func, name, call, env)
        callee = self.callee(func, name, receiver)
        if callee is None and func is not None and method is not None and self.python and \
                self.unit.text(method) in DEFERRED_CALLS:
            callee, call = self.deferred_task(func, self.unit.text(method), call)
        if isinstance(callee, ClassRef):
            result = self.construct(callee, name, call.args, call.kwargs, node, frame)
        elif callee is not None:
            result = self.call_function(callee, name, call.args, call.kwargs, receiver if callee.method else None,
                                        node, frame)
        else:
            # An unknown call passes on its receiver and positional arguments; keyword arguments are
            # options (status=, headers=) except for string building such as "{x}".format(x=...).
            passed = call.values() if KEYWORD_PROPAGATORS(name) else call.args
            result = join([receiver, *passed])
            if not result.origins and CONSTRUCTOR.fullmatch(name):  # an instance of an imported class
                result = Value(alias=name, flags=result.flags)
            called = name.rpartition(".")[2]
            if called == "format":
                result = self.built(node, fixed_host(result, receiver.const))
            elif called == "URL" and len(call.args) == 2 and not call.args[0].origins and \
                    not str(call.args[0].const).startswith("//"):
                result = sanitized(result, HOST_CWES)  # new URL("/posts", request.url): the base's host, our path
            elif called in ("replace", "replaceAll") and len(call.args) >= 2:
                result = _escaped(result, call.args[0].const, call.args[1].const)
        return replace(result, flags=result.flags | flags) if flags else result

    def partial(self, call: CallArguments) -> Value:
        """``functools.partial(subprocess.run, shell=True)``: a function that calls ``subprocess.run``
        with these options (its calls are checked as that function's, the options added)."""
        target = self.unit.name(call.arg_nodes[0])
        return Value(join(call.values()).origins, alias=target, fields=dict(call.kwargs), flags=frozenset({PARTIAL}))

    def deferred_task(self, func: Node, method: str, call: CallArguments) -> tuple[FunctionRef | None, CallArguments]:
        """``resize.delay(path)``, ``resize.apply_async((path,))``, ``resize.send(path)``: a task queue
        (Celery, Dramatiq) runs the function of this project later with these arguments."""
        target = func.child_by_field_name("object")
        task = self.callee(target, self.unit.name(target) or "", CLEAN) if target is not None else None
        if not isinstance(task, FunctionRef) or task.method:
            return None, call
        if method == "apply_async":
            packed = call.args[0] if call.args else call.kwargs.get("args", CLEAN)
            named = call.args[1] if len(call.args) > 1 else call.kwargs.get("kwargs", CLEAN)
            items = packed.fields or {}
            call = CallArguments([items[k] for k in sorted(items, key=int) if k.isdigit()], [],
                                 dict(named.fields or {}), {})
        return task, call

    def flag_receiver(self, func: Node | None, name: str, call: CallArguments, env: Env) -> None:
        """``parser.setFeature(feature_external_ges, True)``: the variable holding the parser is marked."""
        if func is None or func.type != self.grammar.attribute:
            return
        for matches, spec in self.rules.flags:
            if not spec.receiver or not matches(name) or not all(
                    index < len(call.args) and self._argument_is(call, index, values)
                    for index, values in spec.args.items()):
                continue
            holder = self.unit.raw_name(func.child_by_field_name("object"))
            if holder is not None and holder in env:
                env[holder] = replace(env[holder], flags=env[holder].flags | {spec.flag})

    def _argument_is(self, call: CallArguments, index: int, values: tuple[object, ...]) -> bool:
        """A positional argument is one of ``values``: a constant (``*`` globs for strings), or a name
        ending like one."""
        const = call.args[index].const
        if constant_in(const, values) or (isinstance(const, str) and globs(
                [v for v in values if isinstance(v, str) and "*" in v])(const)):
            return True
        name = self.unit.name(call.arg_nodes[index]) or ""
        return any(isinstance(v, str) and (name == v or name.endswith("." + v)) for v in values)

    def local_function(self, func: Node | None) -> Node | None:
        if func is None:
            return None
        if func.type == "identifier":
            scope = self.enclosing_function(func)
            while scope is not None:  # a function bound to this name in an enclosing function, innermost first
                if (scope.id, self.unit.text(func)) in self.local_lambdas:
                    return self.local_lambdas[(scope.id, self.unit.text(func))]
                scope = self.enclosing_function(scope)
            return self.functions.get(self.unit.text(func))
        if func.type == self.grammar.attribute:
            obj = func.child_by_field_name("object")
            prop = self.attribute_name(func)
            if obj is not None and prop is not None and self.unit.text(obj) in self.grammar.self_names:
                return self.functions.get(self.unit.text(prop))
        return None

    def callee(self, func: Node | None, name: str, receiver: Value) -> Callee | None:
        """The definition a call runs: a function or class of this file, a method of the receiver's
        class, or a function or class imported from another module of the project."""
        if func is None:
            return None
        if func.type == "identifier" and self.unit.text(func) in self.classes:
            return self.classes[self.unit.text(func)]
        if func.type == self.grammar.attribute and receiver.cls is not None:
            prop = self.attribute_name(func)
            attribute = self.unit.text(prop) if prop is not None else ""
            method = receiver.cls.methods.get(attribute)
            if method is not None:
                return FunctionRef(receiver.cls.owner, method, f"{receiver.cls.name}.{attribute}", method=True)
        local = self.local_function(func)
        if local is not None:
            return FunctionRef(self, local, name or "helper", method=func.type == self.grammar.attribute)
        inherited = self.inherited_method(func)
        if inherited is not None:
            return inherited
        if self.project is not None and name and name != self.unit.raw_name(func):
            return self.project.resolve(name, self.unit)
        return None

    def inherited_method(self, func: Node) -> FunctionRef | None:
        """``self.helper()`` where ``helper`` is defined by a base class in another module of the project
        (``class Items(BaseResource)``, ``class Users extends BaseController``); bases of bases too."""
        obj = func.child_by_field_name("object") if func.type == self.grammar.attribute else None
        prop = self.attribute_name(func) if obj is not None else None
        if obj is None or prop is None or self.unit.text(obj) not in self.grammar.self_names or self.project is None:
            return None
        holder: Node | None = func
        while holder is not None and holder.type not in ("class_definition", "class_declaration", "class"):
            holder = holder.parent
        owner: State = self
        for _ in range(MAX_BASES):
            base = _base_class(owner, holder) if holder is not None else None
            if base is None:
                return None
            method = base.methods.get(self.unit.text(prop))
            if method is not None:
                return FunctionRef(base.owner, method, f"{base.name}.{self.unit.text(prop)}", method=True)
            owner, holder = base.owner, base.node
        return None

    def check_call_sinks(self, name: str, call: CallArguments, node: Node, frame: Frame,
                         receiver: Value = CLEAN) -> None:
        if not name:
            return
        for matches, spec in self.rules.call_sinks:
            if not matches(name) or not self.sink_applies(spec, call, receiver):
                continue
            chosen = [v for i, v in enumerate(call.args) if spec.args is None or i in spec.args]
            chosen += [v for k, v in call.kwargs.items() if k in spec.kwargs or "*" in spec.kwargs]
            if spec.receiver:
                chosen.append(receiver)
            if spec.shell_argv:
                chosen = _shell_commands(chosen)
            for value in chosen:
                if (spec.unless_sequence and value.sequence) or (spec.unless_container and value.fields is not None):
                    continue
                if spec.origin_kinds:
                    value = Value(frozenset(o for o in value.origins if o.kind in spec.origin_kinds or o.param))
                if self.report(spec, value, node, frame, name):
                    break

    def sink_applies(self, spec: SinkSpec, call: CallArguments, receiver: Value = CLEAN) -> bool:
        if spec.when_template is not None:
            template = call.args[0].const if call.args else UNKNOWN
            if not isinstance(template, str) or not re.search(spec.when_template, template):
                return False
        for option, values in spec.when_kwarg.items():
            if not constant_in(call.kwargs.get(option, CLEAN).const, values):
                return False
        for option, values in spec.unless_kwarg.items():
            if option in call.kwargs:
                node = call.kwarg_nodes.get(option)
                if "*" in values or constant_in(call.kwargs[option].const, values) or \
                        (node is not None and (self.unit.name(node) or self.unit.text(node)) in values):
                    return False
        if spec.unless_flag and spec.unless_flag in receiver.flags:
            return False
        if spec.needs_flag:
            flagged = any(spec.needs_flag in v.flags for v in [*call.values(), receiver])
            flagged = flagged or any(
                f.flag == spec.needs_flag and constant_in(call.kwargs.get(f.kwarg, CLEAN).const, f.values)
                for _, f in self.rules.flags)
            if not flagged:
                return False
        return True


PARTIALS = frozenset({"functools.partial"})
PARTIAL = "partial"  # the flag of a functools.partial value: alias names the function, fields its options
MAX_BASES = 8  # levels of base classes followed


def _base_class(owner: State, cls: Node) -> ClassRef | None:
    """The first base class of a class definition that the project defines (this file or another)."""
    bases = cls.child_by_field_name("superclasses")  # Python: class A(Base)
    if bases is None:
        bases = next((c for c in cls.named_children if c.type == "class_heritage"), None)  # JS: extends Base
    for base in bases.named_children if bases is not None else []:
        text = owner.unit.text(base)
        if text in owner.classes:
            return owner.classes[text]
        name = owner.unit.name(base)
        found = owner.project.resolve(name, owner.unit) if name and owner.project is not None else None
        if isinstance(found, ClassRef):
            return found
    return None


SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/zsh",
                    "cmd", "cmd.exe", "powershell", "pwsh"})


SHELL_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-lc"})


def _shell_commands(arguments: list[Value]) -> list[Value]:
    """The command strings run by a shell: ``["sh", "-c", cmd, ...]`` as one list (Python) or as a
    program and its argument list, ``spawn("sh", ["-c", cmd])`` (Node); nothing for other programs."""
    found = []
    for index, value in enumerate(arguments):
        fields = value.fields
        if fields is None or not value.sequence:
            continue
        if len(fields) >= 3 and fields.get("0", CLEAN).const in SHELLS and fields.get("1", CLEAN).const in SHELL_FLAGS:
            found.append(fields["2"])
        elif index == 1 and arguments[0].const in SHELLS and fields.get("0", CLEAN).const in SHELL_FLAGS \
                and "1" in fields:
            found.append(fields["1"])
    return found


def _escaped(value: Value, old: object, new: object) -> Value:
    r"""``x.replace("'", "&apos;")``: a quote or bracket replaced by an entity (or an escaped form)
    cannot end the string or tag it is put in; ``x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')`` puts a
    backslash before each regex metacharacter (the escapeRegExp idiom)."""
    if new in ("\\$&", "\\\\$&"):  # the replacement as folded, with or without its escape undone
        return sanitized(value, frozenset({1333}))
    if isinstance(old, str) and old in ENTITY_ESCAPED and isinstance(new, str) and \
            (new.startswith("&") or new in ("", "\\" + old, old + old)):
        return sanitized(value, ENTITY_ESCAPED[old])
    return value

