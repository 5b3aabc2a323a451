"""Audit targets that are not plain text: FIFOs, NUL bytes, binaries and files too big for memory."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from opskit.audit import content, runner
from opskit.audit.interface import FileRef, Scanner, ScanResult, ScanSettings, SourceFile
from opskit.audit.secrets.scanner import SecretsScanner
from tests.audit.secrets import fakes
from tests.audit.secrets.cli import audit


def _json(run_stdout: str) -> dict:  # type: ignore[type-arg]
    return json.loads(run_stdout)


def test_fifo_as_target_is_a_note_not_a_silent_clean(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.env"
    os.mkfifo(fifo)
    run = audit(str(fifo), "--format", "json", cache=tmp_path / "c")
    assert run.code == 0
    assert any("pipe.env: skipped, is a FIFO" in note for note in _json(run.stdout)["notes"])


def test_fifo_inside_a_tree_is_noted(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    os.mkfifo(project / "queue")
    (project / "app.py").write_text("x = 1\n")
    run = audit(str(project), "--format", "json", cache=tmp_path / "c")
    assert any(note.startswith("queue: skipped, is a FIFO") for note in _json(run.stdout)["notes"])


def test_text_with_a_nul_byte_is_scanned(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    token = fakes.github_token()
    (project / "settings.conf").write_bytes(b"name = app\x00\nGITHUB_TOKEN = " + token.encode() + b"\n")
    run = audit(str(project), "--format", "json", cache=tmp_path / "c")
    findings = _json(run.stdout)["findings"]
    assert [(f["location"]["path"], f["location"]["line"]) for f in findings] == [("settings.conf", 2)]
    assert token not in run.stdout


def test_binary_file_is_skipped_with_a_reason(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    (project / "blob.dat").write_bytes(bytes(range(256)) * 40)
    run = audit(str(project), "--format", "json", cache=tmp_path / "c")
    notes = _json(run.stdout)["notes"]
    assert any(n.startswith("blob.dat: skipped, binary content (") for n in notes), notes


def test_windows_cover_every_byte_with_right_positions() -> None:
    data = b"".join(f"line {n:05d} ".encode() * (n % 7 + 1) + b"\n" for n in range(3000))
    seen = bytearray(len(data))
    offsets = [0] + [i + 1 for i, b in enumerate(data) if b == 10]
    for window in content.windows(io.BytesIO(data), size=4096, overlap=512):
        assert len(window.text) <= 4096
        start = offsets[window.line - 1] + window.column
        assert data[start:start + len(window.text)].decode() == window.text
        seen[start:start + len(window.text)] = b"\1" * len(window.text)
    assert all(seen)


def test_single_huge_line_is_windowed_with_a_column_shift() -> None:
    data = b"a" * 10_000
    got = list(content.windows(io.BytesIO(data), size=4096, overlap=100))
    assert [(w.line, w.column) for w in got] == [(1, 0), (1, 3996), (1, 7992)]


class _Recorder(Scanner):
    """A streaming scanner that records the size of every text it is handed."""

    name = "recorder"
    streams = True
    sizes: list[int] = []

    def wants(self, path: str) -> bool:
        return True

    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        type(self).sizes.extend(len(f.text) for f in files)
        return ScanResult()


def test_big_single_line_file_is_scanned_in_bounded_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "WINDOW_BYTES", 64 * 1024)
    token = fakes.github_token()
    big = tmp_path / "dump.txt"
    with big.open("wb") as handle:
        handle.write(b"x" * 300_000 + f' token="{token}" '.encode() + b"y" * 300_000 + b"\n")
        handle.write(f"GITHUB_TOKEN={fakes.github_token()}\n".encode())
    ref = FileRef(path="dump.txt", abspath=str(big), size=big.stat().st_size)
    _Recorder.sizes = []
    outcome = runner.run_scanners([ref], [_Recorder(ScanSettings()), SecretsScanner(ScanSettings())], {}, jobs=1)
    assert _Recorder.sizes and max(_Recorder.sizes) <= 64 * 1024
    lines = sorted({(f.location.line, f.location.column) for f in outcome.findings})
    assert lines[0][0] == 1 and lines[0][1] is not None and lines[0][1] > 300_000
    assert lines[-1][0] == 2
    assert outcome.files_scanned == 1
