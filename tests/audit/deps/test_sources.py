"""One adapter, three sources of the same real OSV records: a directory, all.zip exports, and a
local HTTP server speaking the OSV API (``/v1/querybatch``, ``/v1/vulns/ID``). Findings must match."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from opskit.cli import cli
from tests.audit.deps.conftest import LOCKFILES
from tests.audit.deps.servers import OsvApp, RegistryApp, all_zips, load_records, serve

SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sample-service"
TARGETS = [LOCKFILES / "npm", LOCKFILES / "uv", LOCKFILES / "pip", SAMPLE]


def _findings(target: Path, *args: str, env: dict[str, str] | None = None) -> list[dict]:
    result = CliRunner().invoke(cli, ["audit", "--only", "deps", "--no-cache", "--format", "json", *args, str(target)],
                                env=env)
    assert result.exit_code == 0, result.output
    return sorted(json.loads(result.output)["findings"], key=lambda f: (f["location"]["path"], f["fingerprint"]))


def _without_registry(findings: list[dict]) -> list[dict]:
    return [f for f in findings if not f["rule_id"].startswith("deps-")]


@pytest.fixture
def zip_db(tmp_path: Path) -> Path:
    root = tmp_path / "exports"
    for ecosystem, data in all_zips(load_records()).items():
        (root / ecosystem).mkdir(parents=True)
        (root / ecosystem / "all.zip").write_bytes(data)
    return root


@pytest.fixture
def empty_registry() -> object:
    with serve(RegistryApp({}, {})) as (url, _):
        yield url


@pytest.mark.parametrize("target", TARGETS, ids=lambda p: p.name)
def test_directory_zip_and_api_give_identical_findings(
    target: Path, osv_records: Path, zip_db: Path, empty_registry: str, tmp_path: Path,
) -> None:
    no_config = tmp_path / "opskit.toml"  # the sample service's own config points at examples/osv
    no_config.write_text("")
    from_dir = _findings(target, "--vuln-db", str(osv_records))
    from_zips = _findings(target, "--vuln-db", str(zip_db))
    npm = target.name in ("npm", "sample-service")
    single_zip = _findings(target, "--vuln-db", str(zip_db / ("npm" if npm else "PyPI") / "all.zip"))
    with serve(OsvApp(load_records())) as (api, hits):
        online = _findings(target, "--config", str(no_config), env={
            "OPSKIT_OSV_API": api, "OPSKIT_PYPI_URL": empty_registry, "OPSKIT_NPM_REGISTRY": empty_registry})
    assert from_dir, "the planted advisories must be found"
    assert from_dir == from_zips
    assert online == from_dir  # the registry knows none of the packages, so only advisories
    assert ("POST", "/v1/querybatch") in hits and any(path.startswith("/v1/vulns/") for _, path in hits)
    if npm:
        assert {f["rule_id"] for f in single_zip if f["properties"]["ecosystem"] == "npm"} == {
            f["rule_id"] for f in from_dir if f["properties"]["ecosystem"] == "npm"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_osv_api_exits_3_with_one_line(tmp_path: Path) -> None:
    env = {"OPSKIT_OSV_API": f"http://127.0.0.1:{_closed_port()}", "XDG_CACHE_HOME": str(tmp_path),
           "PYTHONPATH": str(Path(__file__).resolve().parents[3]), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "opskit", "audit", "--only", "deps", str(LOCKFILES / "npm")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "OSV API unreachable" in lines[0] and "127.0.0.1" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_api_without_packages_is_never_asked(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('no manifests here')\n")
    env = {"OPSKIT_OSV_API": f"http://127.0.0.1:{_closed_port()}"}
    assert _findings(tmp_path, env=env) == []


def test_update_db_downloads_exports_then_audits_offline(tmp_path: Path, osv_records: Path) -> None:
    with serve(OsvApp(load_records())) as (url, hits):
        result = CliRunner().invoke(cli, ["audit", "--update-db", str(tmp_path / "db")],
                                    env={"OPSKIT_OSV_EXPORT_URL": url})
    assert result.exit_code == 0, result.output
    assert ("GET", "/PyPI/all.zip") in hits and ("GET", "/npm/all.zip") in hits
    assert (tmp_path / "db" / "npm" / "all.zip").is_file()
    assert _findings(LOCKFILES / "npm", "--vuln-db", str(tmp_path / "db")) == _findings(
        LOCKFILES / "npm", "--vuln-db", str(osv_records))


def test_index_is_built_once_and_reused(tmp_path: Path, osv_records: Path, private_cache: Path) -> None:
    _findings(LOCKFILES / "npm", "--vuln-db", str(osv_records))
    indexes = sorted((private_cache / "opskit" / "osv").glob("osv-*.sqlite"))
    assert len(indexes) == 1
    stamp = indexes[0].stat().st_mtime_ns
    _findings(LOCKFILES / "npm", "--vuln-db", str(osv_records))
    assert indexes[0].stat().st_mtime_ns == stamp


def test_registry_metadata_gives_yanked_deprecated_and_outdated_findings(tmp_path: Path) -> None:
    pypi = {
        "requests": {"info": {"version": "2.32.3"}, "releases": {"2.19.0": [{"yanked": False}], "2.32.3": [{}]}},
        "urllib3": {"info": {"version": "2.2.3"}, "releases": {"1.23": [{"yanked": True, "yanked_reason": "broken"}]}},
        "jinja2": {"info": {"version": "5.0.0"}, "releases": {"2.10": [{"yanked": False}]}},
    }
    npm = {
        "mkdirp": {"dist-tags": {"latest": "3.0.1"}, "versions": {"0.5.1": {
            "deprecated": "Legacy versions of mkdirp are no longer supported. Please update to mkdirp 1.x."}}},
        "lodash": {"dist-tags": {"latest": "4.17.21"}, "versions": {"4.17.15": {}}},
    }
    with serve(OsvApp({})) as (api, _), serve(RegistryApp(pypi, npm)) as (registry, _):
        env = {"OPSKIT_OSV_API": api, "OPSKIT_PYPI_URL": registry, "OPSKIT_NPM_REGISTRY": registry}
        python = _findings(LOCKFILES / "uv", env=env)
        node = _findings(LOCKFILES / "npm", env=env)
    got = {(f["rule_id"], f["properties"]["package"], f["severity"]) for f in python + node}
    assert got == {("deps-yanked", "urllib3", "low"), ("deps-outdated", "jinja2", "low"),
                   ("deps-outdated", "mkdirp", "low"), ("deps-deprecated", "mkdirp", "low")}
    # requests is 0 majors behind; lodash is current: nothing for them.


def test_offline_mode_never_asks_registries(osv_records: Path) -> None:
    with serve(RegistryApp({}, {})) as (registry, hits):
        _findings(LOCKFILES / "npm", "--vuln-db", str(osv_records), env={"OPSKIT_NPM_REGISTRY": registry})
    assert hits == []


def test_malformed_records_are_skipped_and_a_bad_db_path_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "db"
    db.mkdir()
    (db / "broken.json").write_text("{not json")
    (db / "GHSA-p6mc-m468-83gw.json").write_text((Path(__file__).resolve().parents[3] / "examples" / "osv" / "npm" /
                                                  "GHSA-p6mc-m468-83gw.json").read_text())
    assert {f["rule_id"] for f in _findings(LOCKFILES / "npm", "--vuln-db", str(db))} == {"GHSA-p6mc-m468-83gw"}
    (tmp_path / "bad.zip").write_bytes(b"PK not a zip")
    result = CliRunner().invoke(cli, ["audit", "--only", "deps", "--vuln-db", str(tmp_path / "bad.zip"),
                                      str(LOCKFILES / "npm")])
    assert result.exit_code == 2 and "bad.zip" in result.output


class _Flaky(OsvApp):
    """Answers 503 to the first request of each kind, as an overloaded API does."""

    def __init__(self) -> None:
        super().__init__(load_records())
        self.failed: set[str] = set()

    def _once(self, kind: str) -> bool:
        first = kind not in self.failed
        self.failed.add(kind)
        return first

    def get(self, path: str) -> tuple[int, bytes]:
        return (503, b"{}") if self._once("get") else super().get(path)

    def post(self, path: str, payload: dict) -> tuple[int, bytes]:  # type: ignore[override]
        return (503, b"{}") if self._once("post") else super().post(path, payload)


def test_api_errors_are_retried(osv_records: Path) -> None:
    offline = _findings(LOCKFILES / "npm", "--vuln-db", str(osv_records))
    with serve(_Flaky()) as (api, hits), serve(RegistryApp({}, {})) as (registry, _):
        online = _findings(LOCKFILES / "npm", env={"OPSKIT_OSV_API": api, "OPSKIT_NPM_REGISTRY": registry})
    assert online == offline
    # a 503, the answer, then the next page (lodash has 3 advisories, the server pages by 2)
    assert [h for h in hits if h[0] == "POST"] == [("POST", "/v1/querybatch")] * 3
