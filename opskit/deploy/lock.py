"""One deploy per service and environment: an exclusive lock file holding who took it.

The file appears atomically and only if absent (a hard link), so two deploys can never both
hold it; it records pid, host, time and command so a lock left by a crashed deploy can be
inspected (``deploy lock``) and released (``deploy unlock``). A lock whose holder is gone from this
host is taken over at once (with a note); an unreadable lock file is removed by ``deploy unlock``.
Terraform's own state lock still applies underneath.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from opskit.core.errors import Failure, InputError


@dataclass(frozen=True)
class LockHolder:
    """Who holds a deploy lock, as written in the lock file."""

    pid: int
    host: str
    started_at: str
    command: str

    @property
    def stale(self) -> bool:
        """True when the holder ran on this host and its process is gone (a crashed deploy)."""
        return self.host == socket.gethostname() and not pid_alive(self.pid)

    def describe(self) -> str:
        if self.pid == 0:
            return "an unreadable lock file"
        state = " (stale: process gone)" if self.stale else ""
        return f"pid {self.pid} on {self.host} since {self.started_at}{state}"


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` exists on this host and is not a zombie (a killed, unreaped child)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


UNREADABLE = LockHolder(pid=0, host="?", started_at="?", command="unreadable lock file")


def read_holder(path: Path) -> LockHolder | None:
    """The current holder of the lock at ``path``, or None when it is free."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockHolder(
            pid=int(data["pid"]),
            host=str(data["host"]),
            started_at=str(data["started_at"]),
            command=str(data.get("command", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: unreadable deploy lock ({exc}); remove it with 'opskit deploy unlock'") from None


def _try_create(path: Path, holder: LockHolder) -> bool:
    """Write the holder to a temp file, then hard-link it into place: complete or absent, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(asdict(holder)), encoding="utf-8")
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError as exc:
        raise InputError(f"{path}: cannot create the deploy lock: {exc.strerror or exc}") from None
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
    return True


@contextmanager
def deploy_lock(
    path: Path,
    timeout: float,
    command: str,
    on_wait: Callable[[LockHolder], None] = lambda holder: None,
    on_takeover: Callable[[LockHolder], None] = lambda holder: None,
    sleep: Callable[[float], None] = time.sleep,
    poll: float = 0.5,
) -> Iterator[LockHolder]:
    """Hold the lock at ``path`` for the block, waiting up to ``timeout`` seconds for it.

    A lock whose holder is gone (same host, pid not running) is taken over at once and
    ``on_takeover`` told whose it was. Raises Failure (exit 1) naming the holder when the wait
    times out.
    """
    me = LockHolder(
        pid=os.getpid(),
        host=socket.gethostname(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        command=command,
    )
    deadline = time.monotonic() + timeout
    announced = False
    while not _try_create(path, me):
        holder = read_holder(path)
        if holder is None:
            continue  # released between our attempt and the read
        if holder.stale:
            if _remove_if_held_by(path, holder):
                on_takeover(holder)
            continue
        if time.monotonic() >= deadline:
            raise Failure(f"{path}: deploy locked by {holder.describe()}; gave up after {timeout:g}s")
        if not announced:
            on_wait(holder)
            announced = True
        sleep(poll)
    try:
        yield me
    finally:
        with suppress(InputError):
            if read_holder(path) == me:
                path.unlink(missing_ok=True)


def _remove_if_held_by(path: Path, holder: LockHolder) -> bool:
    """Remove the lock only if ``holder`` still holds it: move it aside, put it back if it changed."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.takeover")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InputError(f"{path}: cannot take over the stale deploy lock: {exc.strerror or exc}") from None
    try:
        if read_holder(aside) == holder:
            return True
        with suppress(OSError):  # someone else took it meanwhile: give theirs back
            os.link(aside, path)
        return False
    finally:
        with suppress(OSError):
            aside.unlink()


def release(path: Path, force: bool = False) -> LockHolder | None:
    """Remove the lock at ``path``; a live holder's lock only with ``force``. Returns who held it.

    An unreadable lock file (garbage, truncated) is removed too: nobody can hold it.
    """
    try:
        holder = read_holder(path)
    except InputError:
        path.unlink(missing_ok=True)
        return UNREADABLE
    if holder is None:
        return None
    if not force and holder.host == socket.gethostname() and not holder.stale:
        raise InputError(f"{path}: held by running {holder.describe()}; use --force to release it anyway")
    path.unlink(missing_ok=True)
    return holder
