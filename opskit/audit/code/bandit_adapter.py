"""The one wrapper around bandit's Python API (BanditManager, BanditConfig), kept thin to be swappable.

Bandit reads files through its manager; we hand it bytes already read by the audit runner, so
staged blobs and history are scanned the same way as the work tree. ``# nosec`` is bandit's own.
"""

from __future__ import annotations

import configparser
import importlib.metadata
import io
import logging
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from opskit.core.errors import ConfigError

BANDIT_CONFIG_FILES = ("bandit.yaml", "bandit.yml", ".bandit.yaml", ".bandit.yml", "pyproject.toml")


@dataclass(frozen=True)
class BanditSettings:
    """Bandit's own config for a scan root: tests to run or skip and directories to leave out."""

    config_file: str | None = None  # YAML or pyproject.toml that bandit reads itself
    tests: frozenset[str] = frozenset()
    skips: frozenset[str] = frozenset()
    exclude_dirs: tuple[str, ...] = ()

    def excludes(self, path: str) -> bool:
        parts = path.replace("\\", "/").split("/")
        return any(d.strip("/") in parts or path.startswith(d.rstrip("/") + "/") for d in self.exclude_dirs)


@dataclass(frozen=True)
class BanditIssue:
    file: int  # position of the file in the input (paths repeat when scanning git history)
    test_id: str
    test_name: str
    severity: str  # "LOW", "MEDIUM", "HIGH"
    confidence: str
    cwe: int  # 0 when bandit gives none
    text: str
    line: int
    column: int
    end_column: int | None
    more_info: str


@dataclass(frozen=True)
class BanditRun:
    issues: Sequence[BanditIssue]
    unparsed: Sequence[tuple[int, str]]  # (position of the file in the input, bandit's reason)


def _split(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in value.split(",") if v.strip())


def load_settings(root: str) -> BanditSettings:
    """Read ``.bandit`` (INI) and bandit's YAML or ``[tool.bandit]`` config in the scan root."""
    tests: frozenset[str] = frozenset()
    skips: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()
    ini = os.path.join(root, ".bandit")
    if os.path.isfile(ini):
        parser = configparser.ConfigParser()
        try:
            parser.read(ini, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as exc:
            raise ConfigError(f"{ini}: not a valid bandit INI file: {str(exc).splitlines()[0]}") from None
        if parser.has_section("bandit"):
            section = parser["bandit"]
            tests, skips = _split(section.get("tests", "")), _split(section.get("skips", ""))
            exclude = tuple(_split(section.get("exclude", "")))
    config_file = None
    for name in BANDIT_CONFIG_FILES:
        candidate = os.path.join(root, name)
        if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_bandit_table(candidate)):
            config_file = candidate
            break
    if config_file is not None:
        config = _bandit_config(config_file)
        tests = tests | frozenset(config.get_option("tests") or ())
        skips = skips | frozenset(config.get_option("skips") or ())
        exclude = exclude + tuple(config.get_option("exclude_dirs") or ())
    return BanditSettings(config_file, tests, skips, exclude)


def _has_bandit_table(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return b"[tool.bandit" in handle.read()
    except OSError:
        return False


@cache
def _bandit_config(config_file: str | None) -> Any:
    with warnings.catch_warnings():  # stevedore, loading bandit's plugins, warns about its own API
        warnings.simplefilter("ignore", DeprecationWarning)
        from bandit.core import config as bandit_config
        from bandit.core import manager  # noqa: F401  (loads the plugins once, quietly)
        from bandit.core import utils as bandit_utils

    logging.getLogger("bandit").setLevel(logging.CRITICAL)  # bandit logs per-file errors; we report them
    try:
        return bandit_config.BanditConfig(config_file)
    except (bandit_utils.ConfigError, ValueError) as exc:
        raise ConfigError(f"{config_file}: bandit cannot read its config: {exc}") from None


def preload(settings: BanditSettings) -> None:
    """Import bandit and load its plugins and config now (in the parent, before workers fork)."""
    _bandit_config(settings.config_file)


def version() -> str:
    return importlib.metadata.version("bandit")


def _parse_without_nosec(manager: Any, path: str, data: bytes) -> None:
    """``BanditManager._parse_file`` for a file with no ``nosec`` comment: the same results without
    its tokenize pass over the whole file (about a tenth of bandit's time)."""
    try:
        manager.metrics.begin(path)
        manager.scores.append(manager._execute_ast_visitor(path, io.BytesIO(data), data, {}))
    except SyntaxError:
        manager.skipped.append((path, "syntax error while parsing AST from file"))
    except Exception:  # bandit's own behaviour: a plugin crash skips the file, it does not stop the scan
        manager.skipped.append((path, "exception while scanning file"))


def run_bandit(files: Sequence[tuple[str, bytes]], settings: BanditSettings) -> BanditRun:
    """Run every enabled bandit test over ``files`` (path, content) in this process."""
    config = _bandit_config(settings.config_file)  # first: it imports bandit quietly
    from bandit.core import constants, docs_utils
    from bandit.core import manager as bandit_manager

    profile = {"include": set(settings.tests), "exclude": set(settings.skips)}
    manager = bandit_manager.BanditManager(config, "file", quiet=True, profile=profile)
    names = [str(index) for index in range(len(files))]  # bandit's file names: positions, always unique
    kept = list(names)
    for name, (_, data) in zip(names, files, strict=True):
        if b"nosec" in data:
            manager._parse_file(name, io.BytesIO(data), kept)
        else:
            _parse_without_nosec(manager, name, data)
    issues = [
        BanditIssue(
            file=int(issue.fname),
            test_id=issue.test_id,
            test_name=issue.test,
            severity=str(issue.severity),
            confidence=str(issue.confidence),
            cwe=int(issue.cwe.id) if issue.cwe is not None else 0,
            text=issue.text,
            line=int(issue.lineno),
            column=int(issue.col_offset or 0) + 1,
            end_column=int(issue.end_col_offset) + 1 if issue.end_col_offset else None,
            more_info=docs_utils.get_url(issue.test_id),
        )
        for issue in manager.get_issue_list(constants.LOW, constants.LOW)
    ]
    return BanditRun(issues=issues, unparsed=[(int(name), str(reason)) for name, reason in manager.get_skipped()])
