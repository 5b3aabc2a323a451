"""The code scanner's contracts: rules as plain data, and what an analysis returns.

Rules are loaded from the YAML files in ``rules/``; the engines (taint, patterns) are pure
functions from a parsed file and these rules to ``Hit``s, which the scanners turn into Findings.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opskit.core.findings import Confidence, Severity


@dataclass(frozen=True)
class Rule:
    """What every code finding of one kind says: id, title, CWE, OWASP 2021 key ("A03"), severity."""

    id: str
    title: str
    cwe: int
    owasp: str
    severity: Severity
    confidence: Confidence = Confidence.HIGH
    help: str = ""


@dataclass(frozen=True)
class SourceSpec:
    """Untrusted input: attribute paths (``request.args``) and calls (``request.get_json``)."""

    language: str
    kind: str  # "query", "form", "body", "header", "cookie", "path"
    prefixes: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class SanitizerSpec:
    """Calls whose result is safe for ``cwes`` (all CWEs when empty)."""

    language: str
    calls: tuple[str, ...]
    cwes: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SinkSpec:
    """Where tainted data must not arrive, for one rule.

    ``calls`` with ``args`` (positions) and ``kwargs`` (names) that are dangerous; ``when_kwarg``
    makes the call a sink only with that option set (``shell=True``); ``unless_kwarg`` exempts it
    (``Loader=SafeLoader``; ``"*"``: any value); ``unless_sequence`` exempts argument arrays, ``unless_container`` any
    object or array literal (``res.send({...})`` answers JSON). ``assigns`` are targets
    (``session[*]``), ``route_return`` marks returning a value from a Flask route (an HTML body).
    ``needs_flag`` requires an argument (or the receiver) carrying that flag (an XML parser with
    entities on); ``unless_flag`` exempts a receiver carrying that flag.
    """

    rule: str
    language: str
    calls: tuple[str, ...] = ()
    args: tuple[int, ...] | None = (0,)  # None: every positional argument
    kwargs: tuple[str, ...] = ()
    when_kwarg: Mapping[str, tuple[Any, ...]] = field(default_factory=dict, hash=False)
    unless_kwarg: Mapping[str, tuple[Any, ...]] = field(default_factory=dict, hash=False)
    unless_sequence: bool = False
    unless_container: bool = False
    assigns: tuple[str, ...] = ()
    route_return: bool = False
    needs_flag: str | None = None
    unless_flag: str | None = None  # not a sink on a receiver carrying this flag (a text/plain response)
    receiver: bool = False  # the object the method is called on is checked too (Path(x).read_text())
    shell_argv: bool = False  # an argument list that starts a shell (["sh", "-c", cmd]) is checked item by item
    origin_kinds: tuple[str, ...] = ()  # only input of these kinds counts (operator injection needs objects)
    when_template: str | None = None  # a sink only when its first argument, a constant, matches this regex


@dataclass(frozen=True)
class FlagSpec:
    """Calls or object literals that mark a value, e.g. ``XMLParser(resolve_entities=True)``, or a
    method call that marks its receiver (``parser.setFeature(feature_external_ges, True)``)."""

    language: str
    flag: str
    calls: tuple[str, ...]
    kwarg: str = ""
    values: tuple[Any, ...] = ()
    args: Mapping[int, tuple[Any, ...]] = field(default_factory=dict, hash=False)  # position -> values or names
    receiver: bool = False  # the call marks the object it is called on (parser.setFeature(..., True))


@dataclass(frozen=True)
class Matcher:
    """One way a pattern rule matches a call, an assignment, a literal key or a reference."""

    language: str
    calls: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    pairs: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    value: tuple[Any, ...] = ()  # for assigns and pairs: the constant assigned
    arg: Mapping[int, tuple[Any, ...]] = field(default_factory=dict, hash=False)
    kwarg: Mapping[str, tuple[Any, ...]] = field(default_factory=dict, hash=False)
    unless_kwarg: Mapping[str, tuple[Any, ...]] = field(default_factory=dict, hash=False)
    unless_present: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # fires when any of these options is not set true
    min_args: int | None = None
    max_args: int | None = None
    context: str | None = None  # regex over the statement and enclosing function name
    path: str | None = None  # glob on the file path
    bandit: str | None = None  # the bandit test reporting the same thing (Python)
    severity: Severity | None = None  # instead of the rule's (a weak hash for a password is worse)


@dataclass(frozen=True)
class PatternRule:
    rule: str
    matchers: tuple[Matcher, ...]


@dataclass(frozen=True)
class Rulebook:
    """All code rules, loaded once from the package's YAML files."""

    rules: Mapping[str, Rule]
    sources: Sequence[SourceSpec]
    sanitizers: Sequence[SanitizerSpec]
    guards: Sequence[SanitizerSpec]
    sinks: Sequence[SinkSpec]
    flags: Sequence[FlagSpec]
    patterns: Sequence[PatternRule]
    bandit_owasp: Mapping[int, str]
    framework_markers: Mapping[str, str]  # language -> regex that a file must match for taint


@dataclass(frozen=True)
class Hit:
    """One rule match in one file, before it becomes a Finding."""

    rule: str
    line: int
    column: int
    end_line: int
    end_column: int
    detail: str  # e.g. "request.args (line 4) reaches os.system"
    snippet: str = ""
    engine: str = "taint"  # or "pattern"
    bandit: str | None = None  # bandit reports this too, where it can read the file
    path: str | None = None  # the file of the sink when it is not the file scanned (a called module)
    severity: Severity | None = None  # a matcher's own severity, instead of the rule's
    flow: tuple[tuple[str, int, int, str], ...] = ()  # (path, line, column, message): source, steps, sink


class Analysis(ABC):
    """One analysis over a parsed file (taint or patterns): pure, no I/O."""

    @abstractmethod
    def run(self, unit: Any) -> list[Hit]:
        """Return the hits in ``unit`` (an ``opskit.audit.code.syntax.ParsedFile``)."""
