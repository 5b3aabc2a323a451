"""Pure checks that separate credentials from placeholders, references, hashes and names."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from collections import Counter

from opskit.audit.files import LOCK_FILES
from opskit.audit.secrets.interface import Allowlist

CODE_SUFFIXES = frozenset(
    {".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".kt", ".kts", ".scala", ".groovy",
     ".rb", ".php", ".cs", ".fs", ".vb", ".rs", ".c", ".h", ".cc", ".cpp", ".hpp", ".m", ".mm", ".swift", ".dart",
     ".lua", ".pl", ".pm", ".r", ".jl", ".ex", ".exs", ".erl", ".clj", ".vue", ".svelte", ".pyx", ".pxd"}
)
_TEST_DIRS = frozenset(
    {"test", "tests", "__tests__", "testing", "spec", "specs", "testdata", "test_data", "fixtures", "fixture",
     "__fixtures__", "mocks", "__mocks__", "testutils"}
)
# Documentation and examples: credentials there are usually illustrations, graded like tests.
_DOC_DIRS = frozenset(
    {"doc", "docs", "documentation", "example", "examples", "sample", "samples", "demo", "demos", "tutorial",
     "tutorials", "guide", "guides", "cookbook", "site", "website", "man"}
)
_DOC_FILE = re.compile(
    r"(?i)^(?:readme|changelog|changes|history|contributing|install|usage)(?:\.\w+)?$|.*\.(?:md|mdx|rst|adoc|ipynb)$"
    r"|^(?:examples?|samples?)[-_.].*"
)
_TRIPLE_QUOTE = re.compile(r'"""|\'\'\'')
_TEST_FILE = re.compile(r"(?:^test_.*|.*_test\.\w+|.*\.(?:test|spec)\.\w+|.*Tests?\.\w+|conftest\.py)$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Things a generic assignment may hold that are not the credential itself.
_REFERENCE = re.compile(
    # self.password, config.db2.token, process.env.X: names, not HLN9sOL4gj3Ut.n0 (digits inside a part)
    r"^(?:(?:[A-Za-z_$][A-Za-z_$]*\d{0,3}|[A-Z][A-Z0-9_]*)(?:\.(?:[A-Za-z_$][A-Za-z_$]*\d{0,3}|[A-Z][A-Z0-9_]*))+"
    r"|[A-Z][A-Z_]*|[A-Z]+(?:_[A-Z0-9]+)+"  # DB_PASSWORD: the name of an environment variable
    r"|[A-Za-z][a-z]*(?:[_-][A-Za-z][a-z]*)*"  # words: some_name, Access-Control-Allow-Credentials
    r"|[A-Z]?[a-z]*(?:[A-Z][a-z]+)+\d{0,2}"  # camelCase: a name, not a random value
    # PascalCase with acronyms (DBClusters, S3AccessPoints); words of 3+ letters, so X6Jhw7Hd11 stays a value
    r"|(?:[A-Z][A-Z0-9]{0,4})?(?:[A-Z][a-z]{2,}\d{0,2})+[A-Z]{0,5}"
    r"|[a-z][a-z0-9]*(?:_[a-z0-9]+)+"  # snake_case names: v4auth_header
    r"|[A-Za-z_][\w.-]*:[A-Za-z_][\w.]*"  # package.module:function (entry points)
    r"|[$%].*|.*\$\{.*|[&*@][A-Za-z_][\w.-]*|![A-Za-z]+"  # $VAR, %(x)s, YAML &anchor *alias !vault, @ref
    r"|\d+(?:\.\d+)*"  # numbers and versions
    r"|[A-Z][A-Za-z0-9]{0,40}[!?]|-[A-Za-z].*"  # a GraphQL or nullable type (String!), an option (-PSK-AES)
    # paths (also hash:/etc/x, classpath:/x, dotfiles: .env, .acme.io), URLs, ARNs
    r"|(?:/|~/|\.{1,2}/|[A-Za-z]:\\|[a-z]{2,12}:/).*|\.[a-z][a-z0-9_-]{0,30}(?:\.[a-z0-9-]{1,10})*|.*://.*|arn:.*"
    # file names (pr28639a.o, app.py) and prose ending a sentence, unless mixed-case with a digit (Tfjp3V_Z!V.)
    r"|[\w-]{1,64}\.[a-z]{1,4}|(?!(?=.*\d)(?=.*[A-Z])(?=.*[a-z]).{12}).*\."
    r"|\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?)$"  # dates and timestamps
)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
# A whole value that is a variable: %NUGET_TOKEN% (Windows, batch), $TOKEN, ${TOKEN}, $(TOKEN).
_VARIABLE = re.compile(r"^(?:%[A-Za-z_][\w.-]{0,100}%|\$[A-Za-z_]\w{0,100}|\$\{[^{}]{1,200}\}|\$\([^()]{1,200}\))$")
# A format string ("VS%0.1f", "%s:%d") or a nested setting ("uuid=7f46...;storage=user"), not a literal secret.
_TEMPLATE = re.compile(r"%[-+ 0#]?\d{0,3}(?:\.\d{0,3}[sdfx]|[sdfx](?![A-Za-z0-9]))|^[a-z][a-z0-9_]{0,30}=[^=]")
# A Vault token (s., b., r. and 24 characters; hvs., hvb., hvr.) is not an attribute access a.b.
_DOTTED_TOKEN = re.compile(r"^(?:[sbr]\.[A-Za-z0-9]{24}|hv[sbr]\.[A-Za-z0-9_-]{20,})$")
_MAVEN = re.compile(r"^[A-Za-z][\w.-]*:[A-Za-z][\w.-]*(?::[\w.-]+){1,3}$")  # group:artifact:version
# Keys under which a UUID is an identifier, not a credential (passwords are not issued as UUIDs;
# API keys of many providers are).
_ID_WORDS = frozenset(
    {"request", "session", "trace", "correlation", "transaction", "nonce", "csrf", "xsrf", "state", "tenant",
     "subscription", "object", "device", "instance", "installation", "uuid", "guid", "build", "run", "job",
     "event", "message", "order", "idempotency", "span", "visitor", "anonymous", "tracking", "password",
     "passwd", "pwd", "pass"}
)
# Code, not a literal: a call, an index, or an attribute of an object that holds settings.
_EXPRESSION = re.compile(r"[()\[\]]|^(?:self|this|os|process|settings|config|cfg|conf|env|params|args|opts|options)\.")
_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_TF_VAR = re.compile(r"^(?i:tf_var_)")
_TEST_RESULTS = frozenset({"PASS", "XPASS", "KPASS"})
_HASH_PREFIX = re.compile(r"(?:sha(?:1|224|256|384|512)|md5|blake2b?)[-:=]$", re.IGNORECASE)


def shannon_entropy(value: str) -> float:
    """Bits per character; random tokens score high, words and repeated characters low."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def entropy_ok(value: str, minimum: float) -> bool:
    """``minimum`` bits, relaxed for short values and hex (16 symbols carry at most 4 bits each;
    an 8-digit hex token such as ``deadbeef`` is real next to a credential's name)."""
    ceiling = math.log2(max(len(value), 2)) * 0.85
    if _HEX.match(value):
        ceiling = min(ceiling, 2.0 if len(value) < 16 else 3.0)
    return shannon_entropy(value) >= min(minimum, ceiling)


def is_dummy(value: str) -> bool:
    """A documentation stand-in: a run of six ascending characters (``123456``, ``abcdef``), a
    short pattern repeated (``abcabcabc``), which random tokens practically never contain, or a
    ``user:password`` pair whose halves are equal (``admin:admin``)."""
    user, colon, password = value.partition(":")
    if colon and user == password:
        return True
    if len(value) >= 4 and all(ord(b) == ord(a) + 1 for a, b in zip(value, value[1:4], strict=False)):
        return True  # starts abcd..., 1234...
    run = 1
    for before, after in zip(value, value[1:], strict=False):
        run = run + 1 if ord(after) == ord(before) + 1 and after.isalnum() else 1
        if run >= 6:
            return True
    body = value[-16:]
    return any(len(body) >= 3 * period and body == (body[:period] * len(body))[: len(body)] for period in (1, 2, 3, 4))


def is_placeholder(value: str, allow: Allowlist) -> bool:
    """A documented example, a template, or an obvious stand-in such as ``changeme`` or ``xxxx``."""
    lowered = value.lower()
    if lowered in allow.placeholder_values or value in allow.known_examples:
        return True
    if any(known in value for known in allow.known_examples):
        return True
    return any(word in lowered for word in allow.placeholder_words)


def is_public(value: str, allow: Allowlist) -> bool:
    """Published by design: a Stripe publishable key, a Google OAuth client ID (``allowlist.public_markers``)."""
    lowered = value.lower()
    return any(marker in lowered for marker in allow.public_markers)


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def uuid_names_id(key: str) -> bool:
    """A UUID under ``request_token`` or ``session_key`` is an ID; under ``heroku_api_key`` a key."""
    words = {w.lower() for part in re.split(r"[_.\-\s:]+", key) for w in _CAMEL.findall(part)}
    return bool(words & _ID_WORDS) or not key


def is_test_result(key: str, op: str) -> bool:
    """``PASS: addr2line -f option``: a test runner's result line (DejaGnu, Automake), not a password."""
    return key in _TEST_RESULTS and op.strip() == ":"


def is_foreign_prose(value: str) -> bool:
    """A translated UI string (``Пароль``, ``Contraseña``): letters outside ASCII and no digit."""
    return any(not ch.isascii() and ch.isalpha() for ch in value) and not any(ch.isdigit() for ch in value)


def is_variable(value: str) -> bool:
    """The whole value is a variable (``%NUGET_TOKEN%``, ``${TOKEN}``): any rule's match, not a secret."""
    return bool(_VARIABLE.match(value))


def is_reference(value: str) -> bool:
    """A variable, env var name, expression, path, URL, number or Maven coordinate rather than a
    literal secret; a dotted token such as a Vault ``s.xxxx`` is not an attribute reference."""
    if _DOTTED_TOKEN.match(value):
        return False
    return bool(_REFERENCE.match(value) or _MAVEN.match(value) or _TEMPLATE.search(value))


def is_expression(value: str) -> bool:
    """``ensure_unicode(key)``, ``creds[0]``, ``settings.SECRET_KEY``: code that computes a value."""
    return bool(_EXPRESSION.search(value))


def repeats(value: str) -> bool:
    """Mostly one character (``aaaaaaaa``, ``00000000``), the shape of filler."""
    return Counter(value).most_common(1)[0][1] * 2 > len(value)


def key_names_setting(key: str, allow: Allowlist) -> bool:
    """``password_field``, ``tokenUrl``, ``max_tokens``: the key names a setting, not a credential.
    Terraform's ``TF_VAR_`` prefix only says the variable is Terraform's (``TF_VAR_db_password``)."""
    key = _TF_VAR.sub("", key)
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


def is_doc_path(path: str) -> bool:
    """Documentation, examples and READMEs: graded like tests (their credentials illustrate)."""
    parts = path.replace("\\", "/").split("/")
    return any(part.lower() in _DOC_DIRS for part in parts[:-1]) or bool(_DOC_FILE.match(parts[-1]))


def docstring_spans(text: str) -> list[tuple[int, int]]:
    """Spans of triple-quoted strings that stand alone on their line (docstrings, not assigned
    values), in one forward pass: each string's closing quote is searched for once."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (opener := _TRIPLE_QUOTE.search(text, pos)) is not None:
        close = text.find(opener.group(), opener.end())
        if close < 0:
            break
        newline = text.rfind("\n", pos, opener.start())
        prefix = text[newline + 1 if newline >= 0 else pos : opener.start()]
        if (newline >= 0 or pos == 0) and not prefix.strip(" \trRbBuU"):
            spans.append((opener.start(), close + 3))
        pos = close + 3
    return spans


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


def valid_basic_credentials(value: str) -> bool:
    """``Basic`` auth: base64 of ``user:password`` (either may be empty, not both)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return ":" in decoded and decoded != ":" and decoded.isprintable()


VALIDATORS = {"jwt": valid_jwt, "basic": valid_basic_credentials}

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, digit = divmod(number, 62)
        digits = _BASE62[digit] + digits
    return digits.rjust(width, "0")


def crc32_base62_ok(token: str) -> bool:
    """GitHub's and npm's token checksum: the last 6 characters are the CRC32 of the 30 random
    characters after the ``xxx_`` prefix, in base62, zero-padded."""
    body = token.split("_", 1)[-1]
    return len(body) == 36 and base62(zlib.crc32(body[:30].encode()), 6) == body[30:]


def crc32_hex_le_ok(token: str) -> bool:
    """Grafana service-account tokens: ``glsa_<32>_<8 hex>``, the hex being the little-endian CRC32
    of everything before the last underscore."""
    body, _, checksum = token.rpartition("_")
    try:
        return bytes.fromhex(checksum) == zlib.crc32(body.encode()).to_bytes(4, "little")
    except ValueError:
        return False


def crc32_hex_ok(token: str) -> bool:
    """Atlassian API tokens (``ATATT3...=<8 hex>``): the hex is the CRC32 of everything before it."""
    try:
        return int(token[-8:], 16) == zlib.crc32(token[:-8].encode())
    except ValueError:
        return False


CHECKSUMS = {"crc32-base62": crc32_base62_ok, "crc32-hex-le": crc32_hex_le_ok, "crc32-hex": crc32_hex_ok}
