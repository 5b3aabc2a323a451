"""Keyword-prefiltered detection: one Aho-Corasick pass, rule regexes only in windows around hits.

A text is lowercased once and scanned once for every rule keyword; each hit runs only the rules
that own the keyword, and only over the hit's line (bounded on long lines) or, for multi-line
rules such as PEM keys, a window after it. Encoded blobs are decoded and scanned the same way,
to a bounded depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opskit.audit.secrets import filters
from opskit.audit.secrets.decode import encoded_blobs
from opskit.audit.secrets.interface import Detector, Rule, RuleKind, RuleSet, SecretMatch
from opskit.audit.secrets.keywords import KeywordIndex
from opskit.audit.secrets.structured import EXTRACTORS

BEFORE = 320  # characters before a keyword hit that a match may start at (keys, token bodies before a suffix)
AFTER = 1600  # characters after a hit that a single-line match may reach
MAX_DEPTH = 2
_CALL_ARGUMENT = re.compile(r"\(\s?\\?[\"']\Z")  # a key that is the first argument of a call
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lowercase without changing length, so offsets in the result are offsets in ``text``."""
    lowered = text.lower()
    # A few characters (such as U+0130) lowercase to two; then only ASCII is folded.
    return lowered if text.isascii() or len(lowered) == len(text) else text.translate(_ASCII_LOWER)


@dataclass
class Work:
    """What one scan examined, so tests can prove it linear in the input by counting, not timing."""

    boundary_chars: int = 0  # characters searched for line starts and ends
    regex_calls: int = 0  # finditer calls (one per merged window of a rule)
    regex_chars: int = 0  # characters in the windows handed to rule regexes


class KeywordDetector(Detector):
    """The detector behind ``opskit audit --only secrets``."""

    def __init__(self, ruleset: RuleSet, max_depth: int = MAX_DEPTH) -> None:
        self.ruleset = ruleset
        self.rules = ruleset.rules
        self.max_depth = max_depth
        self.index = KeywordIndex((word, i) for i, rule in enumerate(self.rules) for word in rule.keywords)
        self.file_rules = [(i, rule.files) for i, rule in enumerate(self.rules) if rule.files is not None]

    def find(self, text: str, path: str, work: Work | None = None) -> list[SecretMatch]:
        return self._find(text, path, 0, work or Work())

    def _find(self, text: str, path: str, depth: int, work: Work) -> list[SecretMatch]:
        candidates = self._candidates(text, path, work)
        if depth < self.max_depth:
            candidates.extend(self._decoded(text, path, depth, {m.secret for m in candidates}, work))
        return _most_specific(candidates)

    def _windows(self, text: str, work: Work) -> dict[int, list[list[int]]]:
        """Per rule, the merged spans of text around its keyword hits (each character scanned once).

        Hits arrive in text order and no keyword spans a newline, so the current line's bounds are
        found once per line, searching only the text between the previous line and the hit.
        """
        windows: dict[int, list[list[int]]] = {}
        size = len(text)
        line_start, line_end = 0, -1  # line_end: offset of the newline ending the current line (or size)
        for start, end, owners in self.index.hits(ascii_lower(text)):
            if end > line_end:
                searched_from = max(line_end, 0)
                newline = text.rfind("\n", searched_from, start)
                line_start = newline + 1 if newline >= 0 else 0
                line_end = text.find("\n", end) % (size + 1)  # -1 (no newline) becomes size
                work.boundary_chars += (start - searched_from) + (line_end - end)
            for index in owners:
                if self.rules[index].multiline:
                    lo, hi = line_start, min(size, line_start + self.rules[index].span)
                else:
                    lo, hi = max(line_start, start - BEFORE), min(line_end, end + AFTER)
                spans = windows.setdefault(index, [])
                if spans and lo <= spans[-1][1]:
                    spans[-1][1] = max(spans[-1][1], hi)
                else:
                    spans.append([lo, hi])
        return windows

    def _candidates(self, text: str, path: str, work: Work) -> list[SecretMatch]:
        found: list[SecretMatch] = []
        lock_file = filters.is_lock_file(path)
        code = filters.is_code_path(path)
        windows = self._windows(text, work)
        slashed = path.replace("\\", "/")
        for index, files in self.file_rules:
            if files.search(slashed):
                windows[index] = [[0, len(text)]]
        for index, spans in windows.items():
            rule = self.rules[index]
            if rule.extractor is not None:
                found.extend(self._extracted(rule, text, work))
                continue
            pattern = rule.regex
            named = "secret" in pattern.groupindex
            for lo, hi in spans:
                work.regex_calls += 1
                work.regex_chars += hi - lo
                for match in pattern.finditer(text, lo, hi):
                    group = "secret" if named else _first_group(match)
                    secret = match.group(group)
                    if self._accept(rule, match, secret, match.start(group), code, lock_file):
                        checksum_ok = filters.CHECKSUMS[rule.checksum](secret) if rule.checksum else None
                        found.append(SecretMatch(rule=rule, secret=secret, start=match.start(group),
                                                 end=match.end(group), checksum_ok=checksum_ok))
        return found

    def _extracted(self, rule: Rule, text: str, work: Work) -> list[SecretMatch]:
        """Matches of a structural rule: one pass of its extractor over the whole text."""
        allow = self.ruleset.allowlist
        work.regex_calls += 1
        work.regex_chars += len(text)
        return [
            SecretMatch(rule=rule, secret=item.secret, start=item.start, end=item.end, encoding=item.encoding)
            for item in EXTRACTORS[rule.extractor or ""](text)
            if not (filters.is_placeholder(item.secret, allow) or filters.is_dummy(item.secret)
                    or filters.is_reference(item.secret) or filters.key_names_setting(item.key, allow)
                    or (rule.entropy is not None and not filters.entropy_ok(item.secret, rule.entropy)))
        ]

    def _accept(self, rule: Rule, match: re.Match[str], secret: str, start: int, code: bool, lock: bool) -> bool:
        allow = self.ruleset.allowlist
        groups = match.groupdict()
        if (not secret or filters.is_placeholder(secret, allow) or filters.is_dummy(secret)
                or filters.is_variable(secret)):
            return False
        if secret == groups.get("user"):  # postgres://postgres:postgres@..., a default, not a secret
            return False
        if rule.entropy is not None and not filters.entropy_ok(secret, rule.entropy):
            return False
        if rule.validate and not filters.VALIDATORS[rule.validate](secret):
            return False
        key = groups.get("key") or ""
        if rule.kind is RuleKind.CONTEXT:
            # SECRET_KEY = settings.SECRET_KEY is code; LINKEDIN_CLIENT_ID names an ID, not a secret.
            return not (filters.is_expression(secret) or filters.key_names_setting(key, allow))
        if rule.kind is RuleKind.PATTERN:
            return True
        quoted = bool(groups.get("q"))
        op = groups.get("op") or ""
        key_start = match.start("key") if key else 0
        symbol = key_start > 0 and match.string[key_start - 1] == ":"  # :password (a symbol), not prose
        prose_key = key.isalpha() and key[1:].islower() and not symbol
        if op and not op.strip(" \t\"'\\") and (prose_key or not any(c.isdigit() for c in secret)):
            return False  # a bare quoted value needs an identifier (acme_token 'k3y'), not prose (pass "x" on)
        if lock or (code and not quoted and "q" in groups):
            return False
        # 'X', 'Y' in a list are names; define('X', 'Y') sets X
        if op.endswith(",") and not _CALL_ARGUMENT.search(match.string, max(0, key_start - 4), key_start):
            return False
        return not (
            filters.is_reference(secret)
            or (filters.is_uuid(secret) and filters.uuid_names_id(key))
            or filters.repeats(secret)
            or filters.is_foreign_prose(secret)
            or filters.is_test_result(key, op)
            or filters.after_hash_prefix(match.string, start)
            or secret.lower() == key.lower()
            or filters.key_names_setting(key, allow)
            or filters.is_public(secret, allow)
        )

    def _decoded(self, text: str, path: str, depth: int, plain: set[str], work: Work) -> list[SecretMatch]:
        found = []
        for blob in encoded_blobs(text):
            for inner in self._find(blob.text, path, depth + 1, work):
                if inner.secret in plain:
                    continue
                encoding = blob.encoding if inner.encoding is None else f"{blob.encoding}/{inner.encoding}"
                found.append(SecretMatch(rule=inner.rule, secret=inner.secret, start=blob.start, end=blob.end,
                                         encoding=encoding, checksum_ok=inner.checksum_ok))
        return found


def _first_group(match: re.Match[str]) -> int:
    """The first group that took part in the match (alternatives may each capture), else the whole match."""
    return next((i for i in range(1, (match.re.groups or 0) + 1) if match.group(i) is not None), 0)


def _specificity(match: SecretMatch) -> tuple[int, int]:
    return match.rule.kind, match.rule.confidence.rank


def _most_specific(candidates: list[SecretMatch]) -> list[SecretMatch]:
    """Drop matches that overlap a match of a more specific rule: a ghp_ token is not also a generic
    token, and a token in a URL is reported as the token, not as URL credentials."""
    kept: list[SecretMatch] = []
    cluster: list[SecretMatch] = []
    cluster_end = -1
    for match in sorted(candidates, key=lambda m: (m.start, m.end)):
        if cluster and match.start >= cluster_end:  # a new run of overlapping matches
            kept.extend(_unbeaten(cluster))
            cluster = []
        cluster.append(match)
        cluster_end = max(cluster_end, match.end) if len(cluster) > 1 else match.end
    kept.extend(_unbeaten(cluster))
    return sorted(kept, key=lambda m: (m.start, m.rule.id))


def _unbeaten(cluster: list[SecretMatch]) -> list[SecretMatch]:
    """The matches of one overlapping run that no overlapping, more specific match beats."""
    if len(cluster) == 1:
        return cluster
    return [m for m in cluster if not any(_beats(o, m) for o in cluster)]


def _beats(one: SecretMatch, other: SecretMatch) -> bool:
    """``one`` replaces ``other``: they overlap and ``one``'s rule is more specific or says so."""
    if one.rule.id in other.rule.supersedes:  # an explicit supersedes wins over the ranking
        return False
    specific = _specificity(one) > _specificity(other) or other.rule.id in one.rule.supersedes
    return specific and one.overlaps(other)
