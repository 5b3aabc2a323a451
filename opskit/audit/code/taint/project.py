"""The other files of the project, found by import and parsed on demand, so calls into them are
followed: ``from helpers import RequestWrapper`` resolves to ``helpers.py`` beside the importer (or
in a parent package up to the scan root), ``require('./db')`` to ``db.js``/``db.ts``/``db/index.js``."""

from __future__ import annotations

import hashlib
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from opskit.audit.code.syntax import ParsedFile, Unparseable, grammar_for, parse
from opskit.audit.code.taint.state import Callee, FunctionRef, State
from opskit.audit.code.taint.values import Value, merge

MAX_MODULE_BYTES = 2 << 20  # larger files are data or bundles, not helpers
MAX_MODULES = 512  # parsed modules kept per process (paths that are not modules count too)
JS_SUFFIXES = (".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", "/index.js", "/index.ts")
REQUEST_WRITE = re.compile(rb"\b(?:req|request)\.[A-Za-z_$][\w$]*\s*=[^=]")  # req.filter = ...

Interpret = Callable[[ParsedFile], State]


class Project:
    """Modules of the scanned tree by path, each with a prepared interpreter (functions, classes,
    module constants), loaded once per process."""

    def __init__(self, root: str, interpret: Interpret) -> None:
        self.root = Path(root).resolve()
        self.interpret = interpret
        self.modules: OrderedDict[Path, State | None] = OrderedDict()
        self.resolved: dict[tuple[str, str], Callee | None] = {}
        self._request_fields: dict[str, Value] | None = None

    def request_fields(self) -> Mapping[str, Value]:
        """Properties a middleware in any JS file of the project copies input onto (``req.filter =
        req.query.f``), as input for every route reading ``req.filter``; found once per process."""
        if self._request_fields is None:
            self._request_fields = {}  # empty while being found: a write reading another middleware's field
            found: dict[str, Value] = {}
            for path in self._request_writers():
                owner = self._module(path)
                for name, value in owner.request_writes() if owner is not None else ():
                    found[name] = merge(found[name], value) if name in found else value
            self._request_fields = found
        return self._request_fields

    def _request_writers(self) -> Iterator[Path]:
        """The JS/TS files under the root (not node_modules) that assign to a ``req``/``request`` property."""
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__"))
            for name in sorted(files):
                path = Path(folder) / name
                if not name.endswith(JS_SUFFIXES[:6]):
                    continue
                try:
                    if path.stat().st_size <= MAX_MODULE_BYTES and REQUEST_WRITE.search(path.read_bytes()):
                        yield path
                except OSError:
                    continue

    def resolve(self, name: str, importer: ParsedFile) -> Callee | None:
        """The function or class ``name`` (an import-resolved dotted name) stands for, if the project has it."""
        folder = str(Path(importer.path).parent)
        key = (folder, name)
        if key not in self.resolved:
            self.resolved[key] = self._resolve(name, importer)
        return self.resolved[key]

    def _resolve(self, name: str, importer: ParsedFile) -> Callee | None:
        here = (self.root / importer.path).parent
        for module, member in _splits(name, importer.language):
            for path in self._candidates(module, here, importer.language):
                owner = self._module(path)
                if owner is not None and owner.unit.path != importer.path:
                    return _member(owner, member)
        return None

    def _candidates(self, module: str, here: Path, language: str) -> list[Path]:
        if language == "python":
            relative = module.replace(".", "/")
            bases = [here, *here.parents]
            bases = [b for b in bases if b == self.root or self.root in b.parents]
            return [b / f"{relative}{suffix}" for b in bases for suffix in (".py", "/__init__.py")]
        if not module.startswith("."):
            return []  # a package from node_modules
        return [here / f"{module}{suffix}" for suffix in ("", *JS_SUFFIXES)]

    def _module(self, path: Path) -> State | None:
        if path in self.modules:
            self.modules.move_to_end(path)
            return self.modules[path]
        if len(self.modules) >= MAX_MODULES:  # memory stays bounded: the least recently used goes
            self.modules.popitem(last=False)
            self.resolved.clear()
        self.modules[path] = None  # also while it loads (an import cycle resolves to nothing), or if absent
        try:
            if not os.path.isfile(path):
                return None
            real = path.resolve()
        except OSError:
            return None
        if self.root not in real.parents or real.stat().st_size > MAX_MODULE_BYTES:
            return None
        try:
            text = real.read_text("utf-8", "surrogateescape")
            unit = parse(real.relative_to(self.root).as_posix(), text)
        except (OSError, Unparseable):
            return None
        if unit is None:
            return None
        self.modules[path] = owner = self.interpret(unit)
        return owner


def _splits(name: str, language: str) -> list[tuple[str, list[str]]]:
    """(module, member path) for each way to read ``name``, the longest module first."""
    if language == "python":
        parts = name.split(".")
        return [(".".join(parts[:k]), parts[k:]) for k in range(len(parts) - 1, 0, -1)]
    slash = name.rfind("/")
    dots = [i for i in range(slash + 1, len(name)) if name[i] == "."]
    return [(name[:i], name[i + 1:].split(".")) for i in reversed(dots)]


def _member(owner: State, member: list[str]) -> Callee | None:
    head = member[0]
    if head in owner.classes:
        cls = owner.classes[head]
        if len(member) == 2 and member[1] in cls.methods:
            return FunctionRef(owner, cls.methods[member[1]], f"{head}.{member[1]}")
        return cls if len(member) == 1 else None
    if len(member) == 1 and head in owner.functions:
        return FunctionRef(owner, owner.functions[head], head)
    return None


def project_digest(root: str) -> str:
    """A hash of the code files' names, sizes and times under ``root``: cached results that may
    depend on another module are not reused once any module changed."""
    digest = hashlib.blake2b(digest_size=8)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__"))
        for name in sorted(files):
            if grammar_for(name) is None:
                continue
            try:
                info = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            digest.update(f"{os.path.relpath(os.path.join(folder, name), root)}\0{info.st_size}\0"
                          f"{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
