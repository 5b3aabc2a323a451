"""Atomic writes, secret masking and config loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from opskit.core.atomic import atomic_write
from opskit.core.config import discover_config, load_config
from opskit.core.errors import ConfigError, InputError
from opskit.core.redact import mask_dsn, mask_secret, scrub


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    atomic_write(target, "first")
    atomic_write(target, "second")
    assert target.read_text() == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]


def test_atomic_write_into_unwritable_place_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write"):
        atomic_write(blocker / "report.json", "data")


@pytest.mark.parametrize(
    ("dsn", "secret"),
    [
        ("postgresql://app:s3cr3t-Pa55@db.internal:5432/shop", "s3cr3t-Pa55"),
        ("host=db user=app password=s3cr3t-Pa55 dbname=shop", "s3cr3t-Pa55"),
        ("host=db password='quoted pw here' dbname=shop", "quoted pw here"),
        ("error connecting to https://bob:hunter2hunter2@registry.local/v2/", "hunter2hunter2"),
    ],
)
def test_mask_dsn_hides_passwords(dsn: str, secret: str) -> None:
    masked = mask_dsn(dsn)
    assert secret not in masked
    assert "***" in masked


def test_mask_secret_keeps_short_prefix_and_length() -> None:
    secret = "ghp_" + "a1B2c3D4e5" * 3 + "zzzzzz"
    masked = mask_secret(secret)
    assert masked.startswith("ghp_") and f"({len(secret)} chars)" in masked
    assert secret not in masked
    assert mask_secret("abc") == "***(3 chars)"


def test_scrub_removes_every_known_secret() -> None:
    text = scrub("login failed for token tok-123456 and key key-abcdef", ["tok-123456", "key-abcdef"])
    assert "tok-123456" not in text and "key-abcdef" not in text


def test_config_from_pyproject_and_opskit_toml(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.opskit]\nformat = "json"\n[tool.opskit.audit]\nfail-on = "high"\n'
        '[tool.opskit.db.suggest-indexes]\nmax-indexes = 3\n'
    )
    sub = tmp_path / "src"
    sub.mkdir()
    config = discover_config(sub)
    assert config.source == tmp_path / "pyproject.toml"
    assert config.section(("audit",)) == {"format": "json", "fail-on": "high"}
    assert config.section(("db", "suggest-indexes")) == {"format": "json", "max-indexes": 3}
    (tmp_path / "opskit.toml").write_text('[audit]\nfail-on = "critical"\n')
    assert discover_config(sub).section(("audit",)) == {"fail-on": "critical"}


def test_config_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "opskit.toml"
    bad.write_text("[audit\n")
    with pytest.raises(ConfigError, match=str(bad)):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "opskit.toml").write_text('[audit]\nfail-on = "low"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert discover_config(repo).source is None
