"""End to end: every output format, the cache, stdin and errors; no full secret without --show-secrets."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.audit.secrets import fakes
from tests.audit.secrets.cli import audit


@pytest.fixture
def service(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "svc"
    (root / "config").mkdir(parents=True)
    token, key_id, stripe, pw = fakes.github_token(), fakes.aws_key_id(), fakes.stripe_key(), fakes.password()
    (root / "deploy.py").write_text(f'import os\nGITHUB_TOKEN = "{token}"\nregion = os.environ["REGION"]\n')
    (root / "config" / "app.yaml").write_text(f"aws:\n  access_key_id: {key_id}\ndb:\n  password: {pw}\n")
    (root / ".env").write_text(f"STRIPE_KEY={stripe}\nDEBUG=false\n")
    hidden = fakes.github_token()
    blob = base64.b64encode(f"git clone https://ci:{hidden}@git.acme.io/shop.git".encode()).decode()
    (root / "config" / "job.yaml").write_text(f"script: {blob}\n")
    return root, [token, key_id, stripe, pw, hidden, blob]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_output_format_contains_a_full_secret(service: tuple[Path, list[str]], tmp_path: Path, fmt: str) -> None:
    root, secrets = service
    run = audit("--format", fmt, "-v", str(root), cache=tmp_path / "cache")
    assert run.code == 0, run.stderr
    assert "github-pat" in run.stdout and "stripe-live-secret-key" in run.stdout
    for secret in secrets:
        assert secret not in run.stdout and secret not in run.stderr
    for cached in (tmp_path / "cache").iterdir():
        text = cached.read_text()
        assert "github-pat" in text and not [s for s in secrets if s in text]


def test_show_secrets_prints_them_and_skips_the_cache(service: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, secrets = service
    run = audit("--show-secrets", "--format", "json", str(root), cache=tmp_path / "cache")
    assert all(secret in run.stdout for secret in secrets)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_json_findings_carry_rule_metadata_and_exit_1_at_fail_on(
    service: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = service
    run = audit("--format", "json", "--fail-on", "critical", str(root), cache=tmp_path / "c")
    assert run.code == 1
    report = json.loads(run.stdout)
    found = {(f["location"]["path"], f["location"]["line"], f["rule_id"]) for f in report["findings"]}
    assert found == {
        ("deploy.py", 2, "github-pat"),
        ("config/app.yaml", 2, "aws-access-key-id"),
        ("config/app.yaml", 4, "generic-password"),
        ("config/job.yaml", 1, "github-pat"),
        (".env", 1, "stripe-live-secret-key"),
    }
    assert all(f["cwe"] == ["CWE-798"] and f["properties"]["secret_length"] > 8 for f in report["findings"])
    assert (
        audit(
            "--fail-on",
            "critical",
            "--exclude",
            "*.py",
            "--exclude",
            ".env",
            "--exclude",
            "config/*",
            str(root),
            cache=tmp_path / "c",
        ).code
        == 0
    )


def test_second_run_answers_from_the_cache_with_identical_findings(
    service: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = service
    first = audit("--format", "json", str(root), cache=tmp_path / "c")
    second = audit("--format", "json", str(root), cache=tmp_path / "c")
    assert json.loads(first.stdout)["findings"] == json.loads(second.stdout)["findings"]


def test_stdin_is_scanned(tmp_path: Path) -> None:
    token = fakes.github_token()
    run = audit("--format", "json", "-", cache=tmp_path / "c", stdin=f"curl -H 'Authorization: token {token}'\n")
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["location"]["path"] == "<stdin>" and finding["rule_id"] == "github-pat"
    assert token not in run.stdout


def test_missing_path_is_one_line_usage_error(tmp_path: Path) -> None:
    run = audit(str(tmp_path / "nope"), cache=tmp_path / "c")
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0 and "no such file or directory" in run.stderr


def test_binary_and_oversized_files_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    token = fakes.github_token()
    (root / "blob.dat").write_bytes(bytes(range(32)) * 8 + token.encode())  # binary: mostly control bytes
    (root / "big.txt").write_text(f"t = '{token}'\n" + "x" * 5000)
    run = audit("--format", "json", "--max-file-size", "1000", str(root), cache=tmp_path / "c")
    report = json.loads(run.stdout)
    assert report["findings"] == []
    assert any("big.txt: skipped" in note for note in report["notes"])
    assert any("blob.dat: skipped, binary content" in note for note in report["notes"])


def test_a_single_file_can_be_scanned(service: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = service
    run = audit("--format", "json", str(root / "config" / "app.yaml"), cache=tmp_path / "c")
    found = [(f["location"]["line"], f["rule_id"]) for f in json.loads(run.stdout)["findings"]]
    assert found == [(2, "aws-access-key-id"), (4, "generic-password")]
