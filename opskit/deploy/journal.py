"""Crash safety of one service+environment: the journal of an apply in flight and private plan files.

Before Terraform applies anything, the deploy writes ``journal.json`` ("applying IMAGE, pid N");
it is removed once the outcome is in the history. A journal that outlives its process means the
deploy was killed mid-apply (kill -9, power loss): ``deploy status`` and the next deploy then
ask Terraform's state what really runs and record that, unverified.

Plan files hold every variable, secrets included, in clear: they live in a 0700 directory, are
named after the pid that made them, removed on every exit path, and swept when that pid is gone.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from opskit.core.atomic import atomic_write
from opskit.deploy.lock import pid_alive

IMAGE_OUTPUT = "image"
"""The Terraform output that names the image digest running now (both shipped modules have it)."""


@dataclass(frozen=True)
class JournalEntry:
    """An apply in flight: which deploy, which image over which, by which process."""

    deploy_id: str
    kind: str
    image: str
    previous: str | None
    pid: int
    started_at: str
    host: str = ""

    @property
    def orphaned(self) -> bool:
        """True when the process that wrote it (on this host) is gone without recording the outcome."""
        here = not self.host or self.host == socket.gethostname()
        return here and self.pid != os.getpid() and not pid_alive(self.pid)

    def describe(self) -> str:
        return f"{self.kind} {self.deploy_id} (pid {self.pid}, {self.started_at}) was applying {self.image}"


def write_journal(path: Path, entry: JournalEntry) -> None:
    atomic_write(path, json.dumps(asdict(entry), indent=2) + "\n", mode=0o600)


def read_journal(path: Path) -> JournalEntry | None:
    """The entry at ``path``; None when there is none (or it is unreadable: it then proves nothing)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return JournalEntry(
            deploy_id=str(data["deploy_id"]),
            kind=str(data["kind"]),
            image=str(data["image"]),
            previous=None if data.get("previous") is None else str(data["previous"]),
            pid=int(data["pid"]),
            started_at=str(data["started_at"]),
            host=str(data.get("host", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_journal(path: Path) -> None:
    path.unlink(missing_ok=True)


def running_per_terraform(outputs: Mapping[str, Any]) -> str | None:
    """The image Terraform's state says runs (the module's ``image`` output), if it has one."""
    value = outputs.get(IMAGE_OUTPUT)
    return value if isinstance(value, str) and value else None


# --- plan files ---------------------------------------------------------------------------------


def private_dir(path: Path) -> Path:
    """``path`` as a directory only its owner can enter (created or tightened)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def plan_path(plans: Path, deploy_id: str, step: str) -> Path:
    return private_dir(plans) / f"{os.getpid()}-{deploy_id}-{step}.tfplan"


@contextmanager
def plan_file(plans: Path, deploy_id: str, step: str) -> Iterator[Path]:
    """A plan file path in the private directory, removed however the block ends."""
    path = plan_path(plans, deploy_id, step)
    try:
        yield path
    finally:
        with suppress(OSError):
            path.unlink(missing_ok=True)


def sweep_plans(plans: Path) -> list[Path]:
    """Remove plan files (and Terraform's temp files) left by processes that are gone."""
    removed: list[Path] = []
    if not plans.is_dir():
        return removed
    for path in sorted(plans.iterdir()):
        pid_text = path.name.split("-", 1)[0]
        if pid_text.isdigit() and (int(pid_text) == os.getpid() or pid_alive(int(pid_text))):
            continue
        with suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed
