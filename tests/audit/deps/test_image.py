"""``opskit audit --image``: a local image's layers, built FROM scratch by the real engine, scanned by
the secrets scanner (issue 11's done-when) and the deps scanner; findings name layer and path."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from opskit.cli import cli

pytestmark = pytest.mark.docker

OSV = Path(__file__).resolve().parents[3] / "examples" / "osv"
# A fake token in GitHub's shape (the same one planted in examples/sample-service).
TOKEN = "ghp_DZRucq2zyw8GOuLfafi1JrpRWBJG9encC4da"


@pytest.fixture
def image(docker_host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[str]]]:
    """Layers: a config with a token, Python dist-infos, an npm package, then the token removed and
    jinja2 upgraded in place; yields the tag and the diff ids."""
    import docker

    monkeypatch.setenv("DOCKER_HOST", docker_host)
    context = tmp_path / "context"
    (context / "app").mkdir(parents=True)
    (context / "app" / "settings.py").write_text(f'GITHUB_TOKEN = "{TOKEN}"\n')
    dist = context / "site" / "requests-2.19.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n\nHTTP for Humans.\n")
    (context / "site" / "jinja2-2.10.dist-info").mkdir()
    (context / "site" / "jinja2-2.10.dist-info" / "METADATA").write_text("Name: Jinja2\nVersion: 2.10\n")
    (context / "later" / "app").mkdir(parents=True)
    (context / "later" / "app" / "settings.py").write_text('GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n')
    (context / "later" / "jinja2-2.10.dist-info").mkdir()  # the same path, upgraded in place
    (context / "later" / "jinja2-2.10.dist-info" / "METADATA").write_text("Name: Jinja2\nVersion: 2.11.3\n")
    lodash = context / "nm" / "lodash"
    lodash.mkdir(parents=True)
    (lodash / "package.json").write_text('{\n  "name": "lodash",\n  "version": "4.17.15"\n}\n')
    (context / "Dockerfile").write_text(
        "FROM scratch\n"
        "COPY app/settings.py /app/settings.py\n"
        "COPY site /usr/lib/python3.11/site-packages\n"
        "COPY nm /app/node_modules\n"
        "COPY later/app/settings.py /app/settings.py\n"
        "COPY later/jinja2-2.10.dist-info /usr/lib/python3.11/site-packages/jinja2-2.10.dist-info\n"
    )
    tag = f"opskit-test-audit-image-{uuid.uuid4().hex[:10]}:latest"
    client = docker.from_env()
    built, _ = client.images.build(path=str(context), tag=tag, rm=True)
    try:
        yield tag, list(built.attrs["RootFS"]["Layers"])
    finally:
        client.images.remove(tag, force=True)


def test_secret_in_a_layer_is_found_with_layer_and_path(image: tuple[str, list[str]], tmp_path: Path) -> None:
    tag, layers = image
    result = CliRunner().invoke(cli, ["audit", "--image", tag, "--only", "secrets", "--format", "json",
                                      "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)["findings"]
    token = [f for f in findings if f["location"]["path"] == "app/settings.py"]
    assert token, findings
    assert token[0]["properties"]["layer"] == layers[0] and token[0]["properties"]["image"] == tag
    assert len(token) == 1  # the token was replaced by a later layer, yet it ships in the first one
    assert token[0]["properties"]["removed_later"] == "yes" and "removed by a later layer" in token[0]["message"]
    assert TOKEN not in result.output  # redacted as everywhere else


def test_installed_packages_in_layers_are_matched(image: tuple[str, list[str]], tmp_path: Path) -> None:
    tag, layers = image
    result = CliRunner().invoke(cli, ["audit", "--image", tag, "--only", "deps", "--vuln-db", str(OSV),
                                      "--format", "json", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)["findings"]
    got = {(f["location"]["path"], f["rule_id"], f["properties"]["layer"]) for f in findings}
    metadata = "usr/lib/python3.11/site-packages/requests-2.19.0.dist-info/METADATA"
    assert (metadata, "GHSA-x84v-xcm2-53pg", layers[1]) in got
    assert ("app/node_modules/lodash/package.json", "GHSA-35jh-r3h4-6jhm", layers[2]) in got
    assert all(f["properties"]["direct"] is None for f in findings)  # an image does not say what was asked for
    assert not [f for f in findings if f["properties"]["package"].lower() == "jinja2"]  # upgraded in a later layer


def test_missing_image_is_a_one_line_usage_error(docker_host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    result = CliRunner().invoke(cli, ["audit", "--image", f"opskit-test-no-such-{uuid.uuid4().hex[:8]}:x"])
    assert result.exit_code == 2 and "no such image" in result.output


def test_layers_reach_the_scanners_in_bounded_chunks_with_the_same_findings(
    image: tuple[str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An image of gigabytes must not be held in memory: files come in chunks of about CHUNK_BYTES of
    text, and cutting them smaller changes nothing in the report."""
    from opskit.audit import image as image_module
    from opskit.audit.files import FileFilter

    tag, _ = image
    notes: list[str] = []
    chunks = list(image_module.image_source_chunks(tag, FileFilter(), lambda p: False, notes, chunk_bytes=40))
    sizes = [sum(len(s.text) for s in chunk) for chunk in chunks]
    assert len(chunks) > 2 and all(size - len(chunk[-1].text) < 40 for size, chunk in zip(sizes, chunks, strict=True))

    def audit() -> list[dict]:
        args = ["audit", "--image", tag, "--vuln-db", str(OSV), "--format", "json", "--cache-dir", str(tmp_path)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["findings"]

    whole = audit()
    monkeypatch.setattr(image_module, "CHUNK_BYTES", 40)
    assert audit() == whole and whole
