"""Deploy state on disk: where a service's lock, history, reports and plans live, and the history itself.

One directory per service and environment (``<state_dir>/<service>/<env>/``). The history is a
JSON list of deploy records, rewritten atomically on every append; the last record whose
``running`` image passed verification is what an automatic rollback goes back to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opskit.core.atomic import atomic_write
from opskit.core.errors import InputError
from opskit.deploy.record import DeployRecord


@dataclass(frozen=True)
class StatePaths:
    """The files of one service in one environment."""

    root: Path

    @classmethod
    def of(cls, state_dir: Path, service: str, env: str) -> StatePaths:
        return cls(state_dir / service / env)

    @property
    def lock(self) -> Path:
        return self.root / "deploy.lock"

    @property
    def history(self) -> Path:
        return self.root / "history.json"

    @property
    def last_report(self) -> Path:
        return self.root / "last-report.json"

    def report(self, deploy_id: str) -> Path:
        return self.root / "reports" / f"{deploy_id}.json"

    @property
    def plans(self) -> Path:
        """Saved Terraform plans (secrets in clear): a 0700 directory, see ``journal.plan_file``."""
        return self.root / "plans"

    @property
    def journal(self) -> Path:
        """The apply in flight, if any (``journal.JournalEntry``)."""
        return self.root / "journal.json"

    @property
    def terraform_data(self) -> Path:
        """TF_DATA_DIR: keeps ``.terraform`` out of the (shared, read-only-ish) module directory."""
        return self.root / "terraform"

    @property
    def terraform_state(self) -> Path:
        return self.root / "terraform.tfstate"


def read_history(path: Path) -> list[DeployRecord]:
    """All deploy records, oldest first ([] when there is no history yet)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable deploy history: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(f"{path}: deploy history must be a JSON list of records")
    try:
        return [DeployRecord.from_dict(r) for r in data]
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: deploy history holds a malformed record: {exc}") from None


def append_history(path: Path, record: DeployRecord) -> None:
    """Append one record; the caller holds the deploy lock, so read-modify-write is safe."""
    records = [r.to_dict() for r in read_history(path)]
    records.append(record.to_dict())
    atomic_write(path, json.dumps(records, indent=2) + "\n")


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    atomic_write(path, json.dumps(data, indent=2, default=str) + "\n")


def ignore_in_git(state_dir: Path) -> None:
    """Drop a ``.gitignore`` of ``*`` into the state dir so deploy state never gets committed."""
    marker = state_dir / ".gitignore"
    if not marker.exists():
        atomic_write(marker, "# opskit deploy state (locks, history, reports, Terraform state)\n*\n")


def running_image(records: Sequence[DeployRecord]) -> str | None:
    """The image the last deploy left running (after any rollback), or None."""
    for record in reversed(records):
        if record.running:
            return record.running
    return None


def last_good_image(records: Sequence[DeployRecord], exclude: str | None = None) -> str | None:
    """The newest image that passed verification, other than ``exclude`` (the one that just failed)."""
    for record in reversed(records):
        if record.running_verified and record.running and record.running != exclude:
            return record.running
    return None


def find_image(records: Sequence[DeployRecord], wanted: str) -> str | None:
    """A deployed image whose digest reference is ``wanted`` or ends with it (``sha256:...`` or a prefix)."""
    for record in reversed(records):
        for image in (record.image, record.running):
            if image and (image == wanted or image.split("@", 1)[-1].startswith(wanted)):
                return image
    return None
