"""Config checks: committed ``.env`` files and insecure Django settings (DEBUG, ALLOWED_HOSTS, SECRET_KEY)."""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from opskit.audit.iac.interface import Checker, Hit, Rule, Unparseable
from opskit.audit.iac.secret_names import SecretNames
from opskit.audit.interface import FileTree

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?P<value>.*?)\s*$")
_GETENV = frozenset({"os.environ.get", "os.getenv", "environ.get", "getenv", "env.str"})


@dataclass(frozen=True)
class EnvEntry:
    name: str
    value: str
    line: int


def parse_env(text: str) -> list[EnvEntry]:
    """``NAME=value`` lines of a dotenv file (``export`` prefixes, quotes and trailing comments handled)."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(raw)
        if match:
            value = match["value"]
            if value[:1] in "\"'" and value[:1] and value.find(value[0], 1) > 0:
                value = value[1:value.find(value[0], 1)]
            else:
                value = value.split(" #", 1)[0].strip()
            entries.append(EnvEntry(match["name"], value, number))
    return entries


class ConfigChecker(Checker):
    kind = "config"

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        super().__init__(rules)
        env = self.rules["iac.config-committed-env"].params
        self._secret_names = SecretNames.from_params(env)
        self._placeholders = [re.compile(p) for p in env["placeholder_patterns"]]
        self._example_suffixes = tuple(env["example_suffixes"])
        self._development_words = frozenset(self.rules["iac.django-debug-true"].params["development_words"])

    def wants(self, path: str) -> bool:
        return _is_env_file(path) or _is_settings_module(path)

    def check(self, path: str, text: str, tree: FileTree) -> list[Hit]:
        if _is_env_file(path):
            return list(self._env_file(path, text))
        stem = posixpath.basename(path).lower().removesuffix(".py")  # settings/dev.py, test_settings.py
        if set(re.split(r"[^a-z0-9]+", stem)) & self._development_words:
            return []
        return list(self._django_settings(text))

    # -- .env ---------------------------------------------------------------------------------

    def _env_file(self, path: str, text: str) -> Iterator[Hit]:
        rule = self.rules["iac.config-committed-env"]
        entries = parse_env(text)
        secret = [e for e in entries if e.name in self._secret_names and not self._is_placeholder(e.value)]
        lines = text.splitlines()
        if posixpath.basename(path).lower().endswith(self._example_suffixes):
            for entry in secret:
                yield Hit(rule.id, entry.line, f"{path} is an example file but {entry.name} holds a "
                          f"real-looking value {entry.value}.", offending=f"{entry.name}={entry.value}",
                          snippet=lines[entry.line - 1].strip(), secrets=(entry.value,))
            return
        if not entries:
            return
        first = secret[0] if secret else entries[0]
        names = ", ".join(e.name for e in secret[:5]) or "none that look secret"
        count = f"{len(entries)} variable" + ("s" if len(entries) != 1 else "")
        yield Hit(rule.id, first.line, f"{path} is in the repository with {count} "
                  f"(secret-looking: {names}); anyone with read access to the code has them.",
                  offending=f"committed {posixpath.basename(path)}", snippet=f"{first.name}=...")

    def _is_placeholder(self, value: str) -> bool:
        return any(p.search(value) for p in self._placeholders)

    # -- Django settings ----------------------------------------------------------------------

    def _django_settings(self, text: str) -> Iterator[Hit]:
        try:
            module = ast.parse(text)
        except SyntaxError as exc:
            raise Unparseable(f"Python syntax error: {exc.msg}", exc.lineno) from None
        except ValueError as exc:  # NUL bytes
            raise Unparseable(str(exc)) from None
        lines = text.splitlines()
        for name, value, line, augmented in _settings_assignments(module.body):
            snippet = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            if name == "DEBUG" and _is_true(value):
                yield Hit("iac.django-debug-true", line, "DEBUG = True shows stack traces, settings and SQL to "
                          "anyone who triggers an error.", offending="DEBUG = True", snippet=snippet)
            elif name == "ALLOWED_HOSTS" and _has_wildcard(value):
                op = "+=" if augmented else "="
                yield Hit("iac.django-allowed-hosts-wildcard", line, f"ALLOWED_HOSTS {op} ['*'] accepts any Host "
                          "header, enabling host header poisoning of password reset and absolute URLs.",
                          offending=f"ALLOWED_HOSTS {op} *", snippet=snippet)
            elif name == "SECRET_KEY":
                literal, fallback = _secret_literal(value)
                if literal:
                    how = "falls back to a hardcoded value" if fallback else "is a hardcoded literal"
                    yield Hit("iac.django-hardcoded-secret-key", line, f"SECRET_KEY {how} ({literal}); anyone "
                              "with the code can forge sessions and password reset tokens.",
                              offending=f"SECRET_KEY {literal}", snippet=snippet,
                              secrets=(literal, *_string_parts(value)))


def _is_env_file(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _is_settings_module(path: str) -> bool:
    name = posixpath.basename(path)
    parent = posixpath.basename(posixpath.dirname(path))
    return name.endswith(".py") and ("settings" in name.lower() or parent == "settings")


def _settings_assignments(body: Sequence[ast.stmt]) -> Iterator[tuple[str, ast.expr, int, bool]]:
    """Unconditional module-level assignments (also inside ``try``): name, value, line, ``+=``."""
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    yield target.id, stmt.value, stmt.lineno, False
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            yield stmt.target.id, stmt.value, stmt.lineno, False
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            yield stmt.target.id, stmt.value, stmt.lineno, True
        elif isinstance(stmt, ast.Try):
            yield from _settings_assignments(stmt.body)


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _has_wildcard(node: ast.expr) -> bool:
    return isinstance(node, (ast.List, ast.Tuple, ast.Set)) and any(
        isinstance(e, ast.Constant) and e.value == "*" for e in node.elts)


def _constant_text(node: ast.expr) -> str | None:
    """The string a constant expression evaluates to ("a" "b", "a" + "b"), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_text(node.left), _constant_text(node.right)
        return None if left is None or right is None else left + right
    return None


def _string_parts(node: ast.expr) -> list[str]:
    """The pieces of a concatenated key (or of a getenv default), as written in the source."""
    source = node.args[1] if isinstance(node, ast.Call) and len(node.args) >= 2 else node
    return [n.value for n in ast.walk(source) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _secret_literal(node: ast.expr) -> tuple[str | None, bool]:
    """(the literal key, whether it is an ``os.environ.get(..., default)`` fallback)."""
    literal = _constant_text(node)
    if literal:
        return literal, False
    if isinstance(node, ast.Call) and ast.unparse(node.func) in _GETENV and len(node.args) >= 2:
        return _constant_text(node.args[1]) or None, True
    return None, False
