"""Loads ``rules.yml`` into compiled rules; a broken rule is a ConfigError naming the rule."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from opskit.audit.secrets.filters import CHECKSUMS, VALIDATORS
from opskit.audit.secrets.interface import Allowlist, Example, Rule, RuleKind, RuleSet
from opskit.audit.secrets.structured import EXTRACTORS
from opskit.core.errors import ConfigError
from opskit.core.findings import Confidence, Severity

RULES_FILE = Path(__file__).with_name("rules.yml")  # core rules and the allowlist
# More rules by family (rules-providers.yml: the long tail of providers), same schema, no allowlist.
EXTRA_RULES_GLOB = "rules-*.yml"
# libyaml's safe loader when PyYAML was built with it: 7x faster on the 4000-line rules file.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A keyed assignment in code or config, after gitleaks' "semi-generic" rules: an identifier that
# contains a context word (starting at a word or camelCase boundary, so "okta" is not found in
# "rookTable"), an assignment operator, " - ", or just a space before a quote, then the secret.
_WORD_START = r"(?:(?<![A-Za-z0-9])|(?-i:(?<=[a-z])(?=[A-Z])))"
_WORD_END = r"(?-i:(?![a-z])|(?<=[A-Z])(?=[a-z]))"
_KEYED = (
    r"(?i)" + _WORD_START + r"(?P<key>(?:{context})" + _WORD_END + r"[\w. -]{{0,20}}?)[\s'\"]{{0,3}}"
    r"(?:=|>|:{{1,3}}=|\|\||:|=>|\?=|,|-(?=\s)|(?<=\s)(?=[\x60'\"]))[\x60'\"\s=]{{0,5}}"
    r"(?P<secret>(?>{secret}))(?:[\x60'\"\s;,]|\\[nr]|$)"
)
# A generic credential assignment: any identifier holding one of the rule's words (also after
# ``$env:``, a namespace's ``::`` or as a symbol, ``:password``), then an assignment (``=``, ``:``,
# ``:=``, ``=>``, ``<-``, `` - ``; also after a subscript's ``']`` or a type: ``: &str =``,
# `` string =``), a call argument (``'KEY', '...'``) or a bare quoted value after a space; quotes
# may be escaped (``\"`` inside a JSON string, as in notebooks) or tripled, the literal wrapped as
# bytes (``b'...'``, Go's ``[]byte("...")``), prefixed (Objective-C's and C#'s ``@"..."``) or the
# first of a list (``"apiKeys": ["..."``). The value runs to its quote, a backslash or the end of
# the word, possessively (no backtracking: a dense line costs the same per character as a sparse one).
_GENERIC = (
    r"(?i)(?:(?<![A-Za-z0-9_.:/-])|(?<=env:)|(?<=::)|(?<=[\s{{(\[,]:))"
    r"(?=[A-Za-z0-9_.-]{{0,40}}?(?:{words}))(?P<key>[A-Za-z0-9_.-]{{1,80}}+)"
    r"(?P<op>(?::[ \t]{{1,4}}&?(?:'\w{{1,20}}[ \t]{{1,4}})?[\w\[\]<>.?]{{1,40}}|[ \t]{{1,4}}[A-Za-z][\w.]{{0,30}})"
    r"[ \t]{{1,4}}=(?![=>])"
    r"|\\?[\"']?\]?\s{{0,32}}(?::=|=>|->|\?=|=(?!=)|:(?!:)|<-|-(?=\s))|\\?[\"']\s{{0,32}},"
    r"|\\?[\"']?[ \t]{{1,3}}(?=\\?[\"'\x60]))\s{{0,32}}(?:\[\]byte\(|\[[ \t]{{0,8}}(?=[\"'])|[b@](?=[\"']))?"
    r"(?P<q>(?:\"\"\"|\\?[\"'\x60])?)"
    r"(?P<secret>[^\s\"'\x60;,<>(){{}}\[\]|\\]{{{minimum},1000}}+)(?P=q)(?=$|[\s\"'\x60;,)}}\]<>\\])"
)


def keyed_regex(context: list[str], secret: str) -> str:
    """The regex of a ``context`` + ``secret`` rule."""
    return _KEYED.format(context="|".join(re.escape(word) for word in context), secret=secret)


def generic_regex(words: list[str], minimum: int) -> str:
    """The regex of a generic rule: ``words`` are regex fragments one of which the key must hold."""
    return _GENERIC.format(words="|".join(words), minimum=minimum)


def _examples(raw: Any, rule_id: str, kind: str, origin: str) -> tuple[Example, ...]:
    out = []
    for item in raw or ():
        if isinstance(item, str):
            out.append(Example(text=item))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            out.append(Example(text=item["text"], path=str(item.get("path", "example.txt"))))
        else:
            raise ConfigError(f"{origin}: rule {rule_id}: bad {kind} example {item!r}")
    return tuple(out)


def _rule(raw: dict[str, Any], origin: str) -> Rule:
    rule_id = str(raw.get("id", "?"))
    try:
        keywords = tuple(str(k).lower() for k in raw.get("keywords") or ())
        if "context" in raw:
            pattern, kind = keyed_regex(list(raw["context"]), raw["secret"]), RuleKind.CONTEXT
        elif "extractor" in raw:
            if raw["extractor"] not in EXTRACTORS:
                raise ValueError(f"unknown extractor {raw['extractor']!r} (known: {', '.join(EXTRACTORS)})")
            pattern, kind = r"(?!)", RuleKind.PATTERN
        elif "words" in raw:
            pattern, kind = generic_regex(list(raw["words"]), int(raw["min_length"])), RuleKind.GENERIC
        else:
            pattern = raw["regex"]
            kind = RuleKind.GENERIC if raw.get("generic") else RuleKind.PATTERN
        if raw.get("checksum") is not None and raw["checksum"] not in CHECKSUMS:
            raise ValueError(f"unknown checksum {raw['checksum']!r} (known: {', '.join(CHECKSUMS)})")
        validate = raw.get("validate")
        if validate is not None and validate not in VALIDATORS:
            raise ValueError(f"unknown validate {validate!r} (known: {', '.join(VALIDATORS)})")
        files = re.compile(str(raw["files"])) if raw.get("files") is not None else None
        if (not keywords and files is None) or any(not k for k in keywords):
            raise ValueError("keywords must be a non-empty list of non-empty strings (or give files)")
        examples = raw.get("examples") or {}
        return Rule(
            id=rule_id,
            description=str(raw["description"]),
            severity=Severity.parse(raw["severity"]),
            confidence=Confidence(raw.get("confidence", "high")),
            keywords=keywords,
            regex=re.compile(pattern, re.MULTILINE),
            kind=kind,
            entropy=float(raw["entropy"]) if raw.get("entropy") is not None else None,
            multiline=bool(raw.get("multiline", False)),
            span=int(raw.get("span", Rule.span)),
            validate=validate,
            supersedes=tuple(str(r) for r in raw.get("supersedes", ())),
            extractor=raw.get("extractor"),
            checksum=raw.get("checksum"),
            files=files,
            true_positives=_examples(examples.get("tp"), rule_id, "tp", origin),
            false_positives=_examples(examples.get("fp"), rule_id, "fp", origin),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"{origin}: rule {rule_id}: {type(exc).__name__}: {exc}") from None


def _document(source: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.load(source, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(f"{origin}: expected a mapping with a 'rules' list")
    return data


def parse_ruleset(
    source: str, origin: str = str(RULES_FILE), extra: Sequence[tuple[str, str]] = ()
) -> RuleSet:
    """Compile a rules document (the text of a rules.yml) and the rules of ``extra`` (origin, text) documents."""
    data = _document(source, origin)
    allow = data.get("allowlist") or {}
    raw_rules = [(origin, raw) for raw in data["rules"]]
    for extra_origin, extra_source in extra:
        raw_rules += [(extra_origin, raw) for raw in _document(extra_source, extra_origin)["rules"]]
    rules = tuple(_rule(raw, where) for where, raw in raw_rules)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(f"{origin}: duplicate rule id {rule.id!r}")
        seen.add(rule.id)
    for rule in rules:
        unknown = set(rule.supersedes) - seen
        if unknown:
            raise ConfigError(f"{origin}: rule {rule.id}: supersedes unknown rule(s) {', '.join(sorted(unknown))}")
    return RuleSet(
        rules=rules,
        allowlist=Allowlist(
            known_examples=frozenset(allow.get("known_examples", ())),
            placeholder_words=tuple(str(w).lower() for w in allow.get("placeholder_words", ())),
            placeholder_values=frozenset(str(v).lower() for v in allow.get("placeholder_values", ())),
            key_words=frozenset(str(w).lower() for w in allow.get("key_words", ())),
            public_markers=tuple(str(w).lower() for w in allow.get("public_markers", ())),
        ),
        cwe=int(data.get("cwe", 798)),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


@functools.cache
def default_ruleset() -> RuleSet:
    """The rules shipped with opskit, compiled once per process."""
    extra = [(str(path), _read(path)) for path in sorted(RULES_FILE.parent.glob(EXTRA_RULES_GLOB))]
    return parse_ruleset(_read(RULES_FILE), extra=extra)
