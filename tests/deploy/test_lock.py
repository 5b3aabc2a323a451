"""The deploy lock: exclusive, waits for a concurrent holder, fails clearly at the timeout, and a
crashed deploy's lock can be inspected and released."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from opskit.core.errors import Failure, InputError
from opskit.deploy.lock import LockHolder, deploy_lock, read_holder, release
from tests.deploy.conftest import hold_lock


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_lock_records_holder_and_is_released(tmp_path: Path) -> None:
    path = tmp_path / "web" / "prod" / "deploy.lock"
    with deploy_lock(path, 0, "deploy web.yml") as me:
        holder = read_holder(path)
        assert holder == me
        assert holder.pid == os.getpid() and holder.host == socket.gethostname()
        assert holder.command == "deploy web.yml" and not holder.stale
    assert not path.exists()


def test_concurrent_deploy_fails_at_the_timeout_naming_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    other = hold_lock(path)
    try:
        waits: list[LockHolder] = []
        with pytest.raises(Failure) as err, deploy_lock(path, 0.3, "deploy", on_wait=waits.append, poll=0.05):
            pytest.fail("must not get the lock")
        assert f"deploy locked by pid {other.pid} on {socket.gethostname()}" in err.value.message
        assert "gave up after 0.3s" in err.value.message
        assert err.value.exit_code == 1
        assert [w.pid for w in waits] == [other.pid]
    finally:
        other.communicate("")
    assert not path.exists()


def test_concurrent_deploy_waits_for_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    other = hold_lock(path)
    waited = threading.Event()

    def on_wait(holder: LockHolder) -> None:
        waited.set()
        threading.Thread(target=other.communicate, args=("",)).start()  # the other deploy finishes

    with deploy_lock(path, 60, "deploy", on_wait=on_wait, poll=0.05) as me:
        assert waited.is_set()
        assert read_holder(path) == me


def test_dead_holders_lock_is_taken_over_at_once_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    crashed = {"pid": _dead_pid(), "host": socket.gethostname(), "started_at": "2026-01-01T00:00:00+00:00"}
    path.write_text(json.dumps(crashed | {"command": "deploy web.yml"}))
    holder = read_holder(path)
    assert holder is not None and holder.stale
    taken: list[LockHolder] = []
    waited: list[LockHolder] = []
    with deploy_lock(path, 3600, "deploy", on_wait=waited.append, on_takeover=taken.append) as me:
        assert read_holder(path) == me
    assert taken == [holder] and waited == []  # no waiting for --lock-timeout on a dead pid
    assert not path.exists()


def test_a_stale_lock_can_still_be_released_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    crashed = {"pid": _dead_pid(), "host": socket.gethostname(), "started_at": "2026-01-01T00:00:00+00:00"}
    path.write_text(json.dumps(crashed | {"command": "deploy web.yml"}))
    holder = read_holder(path)
    assert release(path) == holder
    assert not path.exists() and release(path) is None


def test_a_holder_on_another_host_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    other = {"pid": _dead_pid(), "host": "elsewhere.example", "started_at": "2026-01-01T00:00:00+00:00"}
    path.write_text(json.dumps(other | {"command": "deploy web.yml"}))
    with pytest.raises(Failure, match="deploy locked by pid .* on elsewhere.example"), deploy_lock(path, 0, "d"):
        pytest.fail("a pid on another host proves nothing")


def test_live_holder_is_released_only_with_force(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    other = hold_lock(path)
    try:
        with pytest.raises(InputError, match="held by running pid .* use --force"):
            release(path)
        assert release(path, force=True) is not None
        assert not path.exists()
    finally:
        other.communicate("")


def test_unreadable_lock_says_how_to_recover_and_unlock_does_recover(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    for force in (False, True):
        path.write_text("{not json")
        with pytest.raises(InputError, match="unreadable deploy lock .* 'opskit deploy unlock'"):
            read_holder(path)
        with pytest.raises(InputError, match="'opskit deploy unlock'"), deploy_lock(path, 0, "deploy"):
            pytest.fail("must not get a garbage lock")
        released = release(path, force=force)
        assert released is not None and released.describe() == "an unreadable lock file"
        assert not path.exists()
        with deploy_lock(path, 0, "deploy"):
            pass


def test_unwritable_state_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state directory should be")
    expected = r"deploy.lock: cannot create the deploy lock: Not a directory"
    with pytest.raises(InputError, match=expected), deploy_lock(blocker / "web" / "deploy.lock", 0, "deploy"):
        pytest.fail("must not get the lock")
