"""Errors that map to opskit's documented exit codes, so every command fails the same way."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes shared by every command (documented in the README)."""

    CLEAN = 0
    FINDINGS = 1  # findings at or above --fail-on, a failed gate, or a failed deploy
    USAGE = 2  # bad flags, config or input
    SERVICE = 3  # an external service or tool is unreachable or failing
    INTERNAL = 4  # a bug in opskit; rerun with --debug and report it
    PLAN_CHANGES = 5  # deploy --plan-only: the plan would change the infrastructure


class OpskitError(Exception):
    """An error the user must see as one line on stderr; never shown with a traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(OpskitError):
    """Options that cannot work together or are out of range."""


class ConfigError(OpskitError):
    """A config file that cannot be read or holds an unknown or mistyped key."""


class InputError(OpskitError):
    """Input that cannot be read: a missing, binary, malformed or unparseable file."""


class ServiceError(OpskitError):
    """An external service or tool (database, Prometheus, Docker, Terraform) is unreachable or failing."""

    exit_code = ExitCode.SERVICE


class Failure(OpskitError):
    """The job ran but its verdict is negative (a failed gate or deploy)."""

    exit_code = ExitCode.FINDINGS
