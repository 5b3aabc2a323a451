"""Archives in the scanned tree: members are scanned and reported as archive!member, within bounds."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

from opskit.audit.archives import archive_sources, expand_archives
from opskit.audit.interface import FileRef
from tests.audit.secrets import fakes
from tests.audit.secrets.cli import audit


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tgz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _ref(path: Path, root: Path) -> FileRef:
    return FileRef(path=str(path.relative_to(root)), abspath=str(path), size=path.stat().st_size)


def test_secrets_in_zip_jar_tgz_gz_and_nested_archives_are_found_and_masked(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "build").mkdir(parents=True)
    token, key_id, stripe, nested = fakes.github_token(), fakes.aws_key_id(), fakes.stripe_key(), fakes.github_token()
    (root / "build" / "app.jar").write_bytes(_zip({
        "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n",
        "config/application.properties": f"github.token={token}\n".encode(),
        "com/acme/App.class": b"\xca\xfe\xba\xbe\x00\x00\x00\x37" + b"\x00" * 64,
        "lib/inner.zip": _zip({"deploy/.env": f"GH={nested}\n".encode()}),
    }))
    (root / "site.tgz").write_bytes(_tgz({"./site/.env": f"AWS_ACCESS_KEY_ID={key_id}\n".encode()}))
    (root / "payments.log.gz").write_bytes(gzip.compress(f"charging with {stripe}\n".encode()))
    run = audit("--format", "json", str(root), cache=tmp_path / "cache")
    assert run.code == 0, run.stderr
    found = {(f["rule_id"], f["location"]["path"]) for f in json.loads(run.stdout)["findings"]}
    assert found == {
        ("github-pat", "build/app.jar!config/application.properties"),
        ("github-pat", "build/app.jar!lib/inner.zip!deploy/.env"),
        ("aws-access-key-id", "site.tgz!site/.env"),
        ("stripe-live-secret-key", "payments.log.gz!payments.log"),
    }
    for secret in (token, key_id, stripe, nested):
        assert secret not in run.stdout and secret not in run.stderr
    closed = audit("--format", "json", "--max-archive-depth", "0", str(root), cache=tmp_path / "cache2")
    assert json.loads(closed.stdout)["findings"] == []


def test_nesting_depth_member_size_and_damage_are_bounded_and_noted(tmp_path: Path) -> None:
    token = fakes.github_token()
    deep = _zip({"l1.zip": _zip({"l2.zip": _zip({"key.txt": f"GH={token}".encode()})})})
    (tmp_path / "deep.zip").write_bytes(deep)
    shallow, notes = archive_sources(_ref(tmp_path / "deep.zip", tmp_path), depth=2, member_bytes=1 << 20)
    assert shallow == [] and "nested deeper than --max-archive-depth 2" in notes[0]
    sources, _ = archive_sources(_ref(tmp_path / "deep.zip", tmp_path), depth=3, member_bytes=1 << 20)
    assert [s.path for s in sources] == ["deep.zip!l1.zip!l2.zip!key.txt"]

    bomb = _zip({"zeros.txt": b"0" * (3 << 20), "ok.txt": b"fine"})  # 3 MiB inflates from a few KiB
    (tmp_path / "bomb.zip").write_bytes(bomb)
    sources, notes = archive_sources(_ref(tmp_path / "bomb.zip", tmp_path), depth=2, member_bytes=1 << 20)
    assert [s.path for s in sources] == ["bomb.zip!ok.txt"]
    assert notes == [f"bomb.zip: 1 archive member(s) skipped, first: zeros.txt: {3 << 20} bytes is over"
                     f" --max-file-size {1 << 20}"]

    (tmp_path / "broken.jar").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "broken.tgz").write_bytes(b"\x1f\x8b truncated")
    names = ("broken.jar", "broken.tgz")
    items, notes = expand_archives([_ref(tmp_path / n, tmp_path) for n in names], 2, 1 << 20)
    assert items == []
    assert [n.split(" (")[0] for n in notes] == [f"{name}: not a readable archive" for name in names]
    assert all("\n" not in n for n in notes)
