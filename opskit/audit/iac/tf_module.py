"""A Terraform root module and its local modules, evaluated statically into resource instances.

Like ``terraform plan`` it merges every ``.tf`` and ``.tf.json`` file of a directory (overrides
applied, see ``tf_files``), reads variable defaults, ``terraform.tfvars`` and ``*.auto.tfvars``,
locals, module inputs, ``count``/``for_each`` and ``dynamic`` blocks; unlike it, what is only known
at apply time stays Unknown. Each value remembers where the variables it was computed from were
set, for the finding's message.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opskit.audit.iac.hcl_parser import Attribute, Block, static_text
from opskit.audit.iac.tf_eval import Budget, Scope, Value, chain, constant, evaluate
from opskit.audit.iac.tf_files import ModuleFiles, read_directory
from opskit.audit.iac.tf_values import UNKNOWN, Ref, Unknown, is_known, to_text
from opskit.audit.interface import FileTree

MAX_MODULE_DEPTH = 8
MAX_INSTANCES = 64  # count/for_each instances evaluated per resource; the rest look the same
MAX_MODULE_CALLS = 256  # module instances evaluated per root module (calls may fan out at every level)
BASE_STEPS = 50_000
STEPS_PER_BYTE = 20


@dataclass(frozen=True)
class Setting:
    """An evaluated argument: its value, line, and where the variables it used were set."""

    name: str
    value: Any
    line: int
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Body:
    """A resource's (or nested block's) evaluated arguments and blocks."""

    type: str
    line: int
    settings: Mapping[str, Setting] = field(default_factory=dict, hash=False)
    blocks: tuple[Body, ...] = ()

    def get(self, name: str, default: Any = None) -> Any:
        setting = self.settings.get(name)
        return default if setting is None else setting.value

    def children(self, block_type: str) -> list[Body]:
        return [b for b in self.blocks if b.type == block_type]

    def find(self, *path: str) -> list[Body]:
        """Nested blocks along ``path`` (``find("rule", "apply_server_side_encryption_by_default")``)."""
        found = [self]
        for name in path:
            found = [child for body in found for child in body.children(name)]
        return found


@dataclass(frozen=True)
class Resource:
    """One instance of a ``resource`` or ``data`` block."""

    mode: str  # "resource", "data", "provider", or "variable"/"tfvars" for a variable's value
    type: str
    name: str
    key: Any  # count index or for_each key, None for a single instance
    path: str
    line: int
    body: Body
    module: str = ""  # "" in the root module, else "module.a.module.b"
    call: tuple[str, int] | None = None  # the root module's `module` block it comes through

    @property
    def full_address(self) -> str:
        return f"{self.module}.{self.address}" if self.module else self.address

    @property
    def address(self) -> str:
        base = self.local_address
        if self.key is None:
            return base
        return f'{base}["{self.key}"]' if isinstance(self.key, str) else f"{base}[{self.key}]"

    @property
    def local_address(self) -> str:
        """The address other resources of its own module refer to it by (without the key)."""
        if self.mode == "data":
            return f"data.{self.type}.{self.name}"
        if self.mode in ("variable", "tfvars"):
            return f"var.{self.name}"
        return f"{self.type}.{self.name}"  # a resource, or a provider ("aws.default", "aws.<alias>")

    def named_by(self, value: Any) -> bool:
        """Whether ``value`` (e.g. a ``bucket`` argument) refers to this resource or its literal name."""
        if isinstance(value, Ref):
            return value.address == self.local_address and (value.key is None or self.key is None
                                                            or value.key == self.key)
        if isinstance(value, Unknown):
            return any(self.named_by(ref) for ref in value.refs)
        return isinstance(value, str) and value != "" and value in (self.body.get("bucket"), self.body.get("name"))


@dataclass
class Module:
    """All resource instances of a root module and the local modules it calls."""

    directory: str
    resources: list[Resource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of_type(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.mode == "resource" and r.type in types)

    def attached(self, target: Resource, types: Sequence[str], argument: str = "bucket") -> list[Resource]:
        """Resources of ``types`` in the same module whose ``argument`` (``block.argument`` for one in a
        nested block) names ``target``."""
        *blocks, name = argument.split(".")
        return [r for r in self.of_type(*types) if r.module == target.module
                and any(target.named_by(body.get(name)) for body in r.body.find(*blocks))]


class _Loader:
    """Evaluates one root module and, recursively, the local modules it calls."""

    def __init__(self, tree: FileTree, override: Mapping[str, str]) -> None:
        self.tree = tree
        self.override = override
        self.budget = Budget(BASE_STEPS)
        self.directories: dict[str, ModuleFiles] = {}  # each module directory is read and parsed once
        self.module_calls = 0

    def load(self, directory: str) -> Module:
        module = Module(directory)
        files = read_directory(self.tree, directory, self.override, root=True)
        self.budget.steps += STEPS_PER_BYTE * files.size
        variables = self._variables(files, None, module)
        self._instantiate(module, directory, files, variables, prefix="", call=None, stack=(directory,))
        return module

    def _variables(self, files: ModuleFiles, inputs: Mapping[str, Value] | None,
                   root: Module | None = None) -> dict[str, Value]:
        """Variable values: defaults, then tfvars files, then module inputs. In the root module each
        default and tfvars value is also recorded as a pseudo-resource, so checks can report it."""
        scope = self._scope({}, {})
        variables: dict[str, Value] = {}
        assigned: list[tuple[str, str, Attribute, str]] = []
        for path, block in files.blocks:
            if block.type == "variable" and block.labels:
                default = block.attributes.get("default")
                if default is not None:
                    assigned.append(("variable", path, default, block.labels[0]))
                    variables[block.labels[0]] = Value(evaluate(default.expr, scope),
                                                       _origin("variable", block.labels[0], path, default))
                else:
                    variables[block.labels[0]] = Value(UNKNOWN, "")
        for path, top in files.tfvars:
            for attribute in top.attributes.values():
                assigned.append(("tfvars", path, attribute, attribute.name))
                variables[attribute.name] = Value(evaluate(attribute.expr, scope),
                                                  _origin("tfvars", attribute.name, path, attribute))
        for name, value in (inputs or {}).items():
            variables[name] = value
        if root is not None:
            for mode, path, attribute, name in assigned:
                value = evaluate(attribute.expr, scope)
                origin = _origin(mode, name, path, attribute)
                body = Body(mode, attribute.line, {"value": Setting("value", value, attribute.line, (origin,))})
                root.resources.append(Resource(mode, mode, name, None, path, attribute.line, body))
        return variables

    def _scope(self, variables: Mapping[str, Value], local_defs: Mapping[str, Attribute]) -> Scope:
        cache: dict[str, tuple[Any, frozenset[str]]] = {}
        busy: set[str] = set()

        def local(name: str, outer: Scope) -> Any:
            if name not in cache:
                definition = local_defs.get(name)
                if definition is None or name in busy:
                    return UNKNOWN
                busy.add(name)
                inner = Scope(variables, local, self.budget)
                inner.module_outputs = outer.module_outputs
                cache[name] = (evaluate(definition.expr, inner), frozenset(inner.origins))
                busy.discard(name)
            value, origins = cache[name]
            outer.origins.update(origins)
            return value

        return Scope(variables, local, self.budget)

    def _instantiate(self, module: Module, directory: str, files: ModuleFiles, variables: Mapping[str, Value],
                     prefix: str, call: tuple[str, int] | None, stack: tuple[str, ...]) -> Scope:
        local_defs = {a.name: a for _, b in files.blocks if b.type == "locals" for a in b.attributes.values()}
        scope = self._scope(variables, local_defs)
        outputs: dict[str, Scope] = {}
        scope.module_outputs = lambda name, output: self._output(outputs, files_of.get(name), name, output)
        files_of: dict[str, tuple[ModuleFiles, Block]] = {}
        for path, block in files.blocks:
            if block.type == "module" and block.labels:
                source = _local_source(directory, block)
                if source is None or source in stack or len(stack) >= MAX_MODULE_DEPTH:
                    continue
                if source not in self.directories:
                    self.directories[source] = read_directory(self.tree, source, {}, root=False)
                    self.budget.steps += STEPS_PER_BYTE * self.directories[source].size
                child_files = self.directories[source]
                files_of[block.labels[0]] = (child_files, block)
                for key, instance in self._expansions(block, scope):
                    self.module_calls += 1
                    if self.module_calls > MAX_MODULE_CALLS:
                        break
                    inputs = self._inputs(block, instance, path)
                    name = f"module.{block.labels[0]}" + ("" if key is None else f"[{json.dumps(key)}]")
                    child_variables = self._variables(child_files, inputs)
                    outputs[block.labels[0]] = self._instantiate(
                        module, source, child_files, child_variables, f"{prefix}{name}.",
                        call or (path, block.line), (*stack, source))
        for path, block in files.blocks:
            if block.type == "provider" and block.labels:
                alias = evaluate(block.attributes["alias"].expr, scope) if "alias" in block.attributes else None
                module.resources.append(Resource("provider", block.labels[0], alias if isinstance(alias, str)
                                                 else "default", None, path, block.line,
                                                 self._body(block, scope.child()), prefix.rstrip("."), call))
            if block.type in ("resource", "data") and len(block.labels) == 2:
                for key, instance in self._expansions(block, scope):
                    module.resources.append(Resource(
                        block.type, block.labels[0], block.labels[1], key, path, block.line,
                        self._body(block, instance), prefix.rstrip("."), call))
        return scope

    def _output(self, scopes: Mapping[str, Scope], found: tuple[ModuleFiles, Block] | None, name: str,
                output: str) -> Any:
        if found is None or name not in scopes:
            return UNKNOWN
        for _, block in found[0].blocks:
            if block.type == "output" and block.labels[:1] == (output,) and "value" in block.attributes:
                return evaluate(block.attributes["value"].expr, scopes[name])
        return UNKNOWN

    def _inputs(self, block: Block, scope: Scope, path: str) -> dict[str, Value]:
        inputs: dict[str, Value] = {}
        for attribute in block.attributes.values():
            if attribute.name in ("source", "version", "count", "for_each", "providers", "depends_on"):
                continue
            inner = scope.child()
            inner.origins = set()
            value = evaluate(attribute.expr, inner)
            origin = "; ".join(sorted(inner.origins)) or \
                f'module "{block.labels[0]}" input {attribute.name} ({path}:{attribute.line})'
            inputs[attribute.name] = Value(value, origin)
        return inputs

    def _expansions(self, block: Block, scope: Scope) -> list[tuple[Any, Scope]]:
        """The instances ``count`` or ``for_each`` make (none for ``count = 0``), each with its scope."""
        if "count" in block.attributes:
            count, origins = _traced(block.attributes["count"], scope)
            if isinstance(count, bool) or not isinstance(count, int):
                return [(None, scope.child())] if not is_known(count) or count is None else []
            return [(i, _with(scope, count_index=i, each_origins=origins)) for i in range(min(count, MAX_INSTANCES))]
        if "for_each" in block.attributes:
            collection, origins = _traced(block.attributes["for_each"], scope)
            items = _each_items(collection)
            if items is None:
                return [(None, _with(scope, each=(UNKNOWN, UNKNOWN), each_origins=origins))]
            return [(key, _with(scope, each=(key, value), each_origins=origins))
                    for key, value in items[:MAX_INSTANCES]]
        return [(None, scope.child())]

    def _body(self, block: Block, scope: Scope) -> Body:
        settings: dict[str, Setting] = {}
        for attribute in block.attributes.values():
            inner = scope.child()
            inner.origins = set()
            value = evaluate(attribute.expr, inner)
            origins = inner.origins | {attribute.origin} if attribute.origin else inner.origins
            settings[attribute.name] = Setting(attribute.name, value, attribute.line, tuple(sorted(origins)))
        blocks: list[Body] = []
        for child in block.blocks:
            if child.type == "dynamic" and child.labels:
                blocks.extend(self._dynamic(child, scope))
            else:
                blocks.append(self._body(child, scope))
        return Body(block.type, block.line, settings, tuple(blocks))

    def _dynamic(self, block: Block, scope: Scope) -> list[Body]:
        contents = block.children("content")
        if not contents or "for_each" not in block.attributes:
            return []
        iterator = block.attributes.get("iterator")
        name = _identifier(iterator) if iterator is not None else block.labels[0]
        inner = scope.child()
        inner.origins = set()
        items = _each_items(evaluate(block.attributes["for_each"].expr, inner))
        if items is None:
            items = [(UNKNOWN, UNKNOWN)]
        bodies = []
        for key, value in items[:MAX_INSTANCES]:
            body = self._body(contents[0], scope.child(**{name: {"key": key, "value": value}}))
            origins = tuple(sorted(inner.origins))
            settings = {k: Setting(s.name, s.value, s.line, tuple(sorted({*s.origins, *origins})))
                        for k, s in body.settings.items()}
            bodies.append(Body(block.labels[0], block.line, settings, body.blocks))
        return bodies


def _origin(mode: str, name: str, path: str, attribute: Attribute) -> str:
    """Where a variable's value was set: ``variable "x" default (variables.tf:3)`` or ``prod.tfvars:2``."""
    where = attribute.origin or f"{path}:{attribute.line}"
    return f'variable "{name}" default ({where})' if mode == "variable" else where


def _traced(attribute: Attribute, scope: Scope) -> tuple[Any, frozenset[str]]:
    """An argument's value and the origins of the variables it was computed from."""
    inner = scope.child()
    inner.origins = set()
    return evaluate(attribute.expr, inner), frozenset(inner.origins)


def _with(scope: Scope, **changes: Any) -> Scope:
    inner = scope.child()
    for name, value in changes.items():
        setattr(inner, name, value)
    return inner


def _each_items(value: Any) -> list[tuple[Any, Any]] | None:
    if isinstance(value, dict):
        return sorted(value.items(), key=lambda kv: str(kv[0]))
    if isinstance(value, list) and all(to_text(v) is not None for v in value):
        return [(v, v) for v in value]  # a set of strings: key and value are the element
    return None


def _identifier(attribute: Attribute) -> str:
    root, _ = chain(attribute.expr)
    return static_text(root)


def _local_source(directory: str, block: Block) -> str | None:
    """The directory of a module whose source is a local path, None for registry or git sources."""
    attribute = block.attributes.get("source")
    if attribute is None:
        return None
    source = constant(attribute.expr)
    if not isinstance(source, str) or not source.startswith(("./", "../")):
        return None
    path = posixpath.normpath(posixpath.join(directory, source))
    return None if path.startswith("..") else ("" if path == "." else path)


def load_module(tree: FileTree, directory: str, override: Mapping[str, str]) -> Module:
    """Evaluate the module in ``directory`` (``override`` gives texts that replace the tree's)."""
    return _Loader(tree, override).load(directory)


@dataclass(frozen=True)
class ResourceHit:
    """A weakness of one resource instance, before it is placed in a file."""

    rule_id: str
    resource: Resource
    line: int  # in resource.path
    message: str
    detail: str  # what identifies the issue on this resource (for the fingerprint)
    origins: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    subject: Resource | None = None  # the resource the weakness belongs to (a bucket, for its ACL resource)
