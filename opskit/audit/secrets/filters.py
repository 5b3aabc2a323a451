"""Pure checks that separate credentials from placeholders, references, hashes and names."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter

from opskit.audit.files import LOCK_FILES
from opskit.audit.secrets.interface import Allowlist

CODE_SUFFIXES = frozenset(
    {".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".kt", ".kts", ".scala", ".groovy",
     ".rb", ".php", ".cs", ".fs", ".vb", ".rs", ".c", ".h", ".cc", ".cpp", ".hpp", ".m", ".mm", ".swift", ".dart",
     ".lua", ".pl", ".pm", ".r", ".jl", ".ex", ".exs", ".erl", ".clj", ".vue", ".svelte"}
)
_TEST_DIRS = frozenset(
    {"test", "tests", "__tests__", "testing", "spec", "specs", "testdata", "test_data", "fixtures", "fixture",
     "__fixtures__", "mocks", "__mocks__", "testutils"}
)
_TEST_FILE = re.compile(r"(?:^test_.*|.*_test\.\w+|.*\.(?:test|spec)\.\w+|.*Tests?\.\w+|conftest\.py)$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Things a generic assignment may hold that are not the credential itself.
_REFERENCE = re.compile(
    r"^(?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+"  # self.password, config.db.token, process.env.X
    r"|[A-Z][A-Z_]*|[A-Z]+(?:_[A-Z0-9]+)+"  # DB_PASSWORD: the name of an environment variable
    r"|[A-Za-z][a-z]*(?:[_-][A-Za-z][a-z]*)*"  # words: some_name, Access-Control-Allow-Credentials
    r"|[A-Z]?[a-z]*(?:[A-Z][a-z]+)+\d{0,2}"  # camelCase: a name, not a random value
    r"|[A-Za-z_][\w.-]*:[A-Za-z_][\w.]*"  # package.module:function (entry points)
    r"|[$%].*|.*\$\{.*|[&*@][A-Za-z_][\w.-]*|![A-Za-z]+"  # $VAR, %(x)s, YAML &anchor *alias !vault, @ref
    r"|\d+(?:\.\d+)*"  # numbers and versions
    r"|(?:[./~]|[A-Za-z]:\\).*|.*://.*|arn:.*"  # paths, URLs and ARNs
    r"|\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?)$"  # dates and timestamps
)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
# Code, not a literal: a call, an index, or an attribute of an object that holds settings.
_EXPRESSION = re.compile(r"[()\[\]]|^(?:self|this|os|process|settings|config|cfg|conf|env|params|args|opts|options)\.")
_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_HASH_PREFIX = re.compile(r"(?:sha(?:1|224|256|384|512)|md5|blake2b?)[-:=]$", re.IGNORECASE)


def shannon_entropy(value: str) -> float:
    """Bits per character; random tokens score high, words and repeated characters low."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def entropy_ok(value: str, minimum: float) -> bool:
    """``minimum`` bits, relaxed for short values and hex (16 symbols carry at most 4 bits each)."""
    ceiling = math.log2(max(len(value), 2)) * 0.85
    if _HEX.match(value):
        ceiling = min(ceiling, 3.0)
    return shannon_entropy(value) >= min(minimum, ceiling)


def is_placeholder(value: str, allow: Allowlist) -> bool:
    """A documented example, a template, or an obvious stand-in such as ``changeme`` or ``xxxx``."""
    lowered = value.lower()
    if lowered in allow.placeholder_values or value in allow.known_examples:
        return True
    if any(known in value for known in allow.known_examples):
        return True
    return any(word in lowered for word in allow.placeholder_words)


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def is_reference(value: str) -> bool:
    """A variable, env var name, expression, path, URL or number rather than a literal secret."""
    return bool(_REFERENCE.match(value))


def is_expression(value: str) -> bool:
    """``ensure_unicode(key)``, ``creds[0]``, ``settings.SECRET_KEY``: code that computes a value."""
    return bool(_EXPRESSION.search(value))


def repeats(value: str) -> bool:
    """Mostly one character (``aaaaaaaa``, ``00000000``), the shape of filler."""
    return Counter(value).most_common(1)[0][1] * 2 > len(value)


def key_names_setting(key: str, allow: Allowlist) -> bool:
    """``password_field``, ``tokenUrl``, ``max_tokens``: the key names a setting, not a credential."""
    words = {w.lower() for part in re.split(r"[_.\-\s:]+", key) for w in _CAMEL.findall(part)}
    return bool(words & allow.key_words)


def after_hash_prefix(text: str, start: int) -> bool:
    """The value follows ``sha512-`` or ``sha256:`` (an integrity hash, as in lock files)."""
    return bool(_HASH_PREFIX.search(text, max(0, start - 8), start))


def is_code_path(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return "." in name and name[name.rindex("."):] in CODE_SUFFIXES


def is_lock_file(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in LOCK_FILES


def is_test_path(path: str) -> bool:
    """Tests and fixtures: secrets there are usually fakes, so they are reported at lower severity."""
    parts = path.replace("\\", "/").split("/")
    return any(part.lower() in _TEST_DIRS for part in parts[:-1]) or bool(_TEST_FILE.match(parts[-1]))


def _b64url_json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        return None


def valid_jwt(token: str) -> bool:
    """Header and payload decode to JSON objects and the header names an algorithm."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    header, payload = _b64url_json(parts[0]), _b64url_json(parts[1])
    return isinstance(header, dict) and "alg" in header and isinstance(payload, dict)


VALIDATORS = {"jwt": valid_jwt}
