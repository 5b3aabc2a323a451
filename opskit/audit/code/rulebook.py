"""Load the code rules from the package's YAML files into ``interface`` dataclasses, once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from opskit.audit.code.interface import (
    FlagSpec,
    Matcher,
    PatternRule,
    Rule,
    Rulebook,
    SanitizerSpec,
    SinkSpec,
    SourceSpec,
)
from opskit.core.errors import ConfigError
from opskit.core.findings import OWASP_2021, Confidence, Severity


def _read(name: str) -> Any:
    text = resources.files("opskit.audit.code").joinpath("rules").joinpath(name).read_text("utf-8")
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"opskit/audit/code/rules/{name}: invalid YAML: {exc}") from None


def _options(raw: dict[str, Any] | None) -> dict[str, tuple[Any, ...]]:
    return {str(k): tuple(v) if isinstance(v, list) else (v,) for k, v in (raw or {}).items()}


def _rule(raw: dict[str, Any]) -> Rule:
    if raw["owasp"] not in OWASP_2021:
        raise ConfigError(f"code rule {raw['id']}: unknown OWASP category {raw['owasp']!r}")
    return Rule(
        id=raw["id"],
        title=raw["title"],
        cwe=int(raw["cwe"]),
        owasp=raw["owasp"],
        severity=Severity(raw["severity"]),
        confidence=Confidence(raw.get("confidence", "high")),
        help=raw.get("help", ""),
    )


def _sink(rule: str, language: str, raw: dict[str, Any]) -> SinkSpec:
    args = raw.get("args", [0])
    return SinkSpec(
        rule=rule,
        language=language,
        calls=tuple(raw.get("calls", ())),
        args=None if args is None else tuple(args),
        kwargs=tuple(raw.get("kwargs", ())),
        when_kwarg=_options(raw.get("when_kwarg")),
        unless_kwarg=_options(raw.get("unless_kwarg")),
        unless_sequence=bool(raw.get("unless_sequence", False)),
        unless_container=bool(raw.get("unless_container", False)),
        assigns=tuple(raw.get("assigns", ())),
        route_return=bool(raw.get("route_return", False)),
        needs_flag=raw.get("needs_flag"),
        unless_flag=raw.get("unless_flag"),
        receiver=bool(raw.get("receiver", False)),
        shell_argv=bool(raw.get("shell_argv", False)),
        origin_kinds=tuple(raw.get("origin_kinds", ())),
        when_template=raw.get("when_template"),
    )


def _matcher(raw: dict[str, Any]) -> Matcher:
    value = raw.get("value", ())
    return Matcher(
        language=raw["language"],
        calls=tuple(raw.get("calls", ())),
        assigns=tuple(raw.get("assigns", ())),
        pairs=tuple(raw.get("pairs", ())),
        references=tuple(raw.get("references", ())),
        value=tuple(value) if isinstance(value, list) else (value,),
        arg={int(k): tuple(v) for k, v in _options(raw.get("arg")).items()},
        kwarg=_options(raw.get("kwarg")),
        unless_kwarg=_options(raw.get("unless_kwarg")),
        unless_present=tuple(raw.get("unless_present", ())),
        missing=tuple(raw.get("missing", ())),
        min_args=raw.get("min_args"),
        max_args=raw.get("max_args"),
        context=raw.get("context"),
        path=raw.get("path"),
        bandit=raw.get("bandit"),
        severity=Severity(raw["severity"]) if "severity" in raw else None,
    )


def _specs(raw: dict[str, list[dict[str, Any]]], build: Any) -> list[Any]:
    return [build(language, item) for language, items in raw.items() for item in items]


@cache
def load_rulebook() -> Rulebook:
    """Every code rule, source, sanitizer, guard, sink and pattern, validated on load."""
    taint = _read("taint.yaml")
    patterns = _read("patterns.yaml")
    sanitizers = _read("sanitizers.yaml")
    rules = {raw["id"]: _rule(raw) for raw in [*taint["rules"], *patterns["rules"]]}
    sinks = [
        _sink(raw["id"], language, sink)
        for raw in taint["rules"]
        for language, items in raw["sinks"].items()
        for sink in items
    ]

    def sanitizer(language: str, item: dict[str, Any]) -> SanitizerSpec:
        return SanitizerSpec(language, tuple(item["calls"]), frozenset(item.get("cwes", ())))

    return Rulebook(
        rules=rules,
        sources=_specs(_read("sources.yaml"), lambda language, item: SourceSpec(
            language=language, kind=item["kind"], prefixes=tuple(item.get("prefixes", ())),
            calls=tuple(item.get("calls", ())))),
        sanitizers=_specs(sanitizers["sanitizers"], sanitizer),
        guards=_specs(sanitizers["guards"], sanitizer),
        sinks=sinks,
        flags=_specs(taint["flags"], lambda language, item: FlagSpec(
            language=language, flag=item["flag"], calls=tuple(item["calls"]), kwarg=item.get("kwarg", ""),
            values=tuple(item.get("values", ())), args={int(k): v for k, v in _options(item.get("args")).items()},
            receiver=bool(item.get("receiver", False)))),
        patterns=[PatternRule(raw["id"], tuple(_matcher(m) for m in raw["match"])) for raw in patterns["rules"]],
        bandit_owasp={int(k): v for k, v in _read("bandit.yaml")["owasp"].items()},
        framework_markers=dict(taint["frameworks"]),
    )
