"""Every example playbook under playbooks/: valid ones load to the expected facts, invalid ones fail
with the expected one-line error naming file, line and key (the ``# expect:`` header of each file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from opskit.core import yamlfile
from opskit.core.errors import InputError
from opskit.deploy.playbook import load_playbook

HERE = Path(__file__).parent / "playbooks"
REPO = Path(__file__).resolve().parents[2]


def _header(path: Path, key: str) -> str | None:
    for line in path.read_text().splitlines():
        if line.startswith(f"# {key}: "):
            return line.split(": ", 1)[1]
    return None


def _summary(path: Path) -> str:
    pb = load_playbook(path, _header(path, "env"))
    port = pb.terraform.variables.get("port", "-")
    return (
        f"service={pb.service} env={pb.env} image.tag={pb.image.tag} http={len(pb.http_checks)} "
        f"gate={'yes' if pb.gate else 'no'} port={port} rollback={pb.rollback.verify}"
    )


@pytest.mark.parametrize("path", sorted((HERE / "valid").glob("*.yml")), ids=lambda p: p.stem)
def test_valid_playbook_loads(path: Path) -> None:
    assert _summary(path) == _header(path, "expect")


@pytest.mark.parametrize("path", sorted((HERE / "invalid").glob("*.yml")), ids=lambda p: p.stem)
def test_invalid_playbook_names_file_line_and_key(path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_playbook(path, _header(path, "env"))
    expected = _header(path, "expect")
    assert expected is not None and expected in err.value.message
    assert "\n" not in err.value.message


def test_paths_resolve_against_the_playbook_and_env_overlays_merge() -> None:
    pb = load_playbook(HERE / "valid" / "full.yml", "staging")
    assert pb.image.context == REPO / "examples" / "deploy-service"
    assert pb.terraform.directory == REPO / "terraform" / "local-docker"
    assert dict(pb.terraform.variables) == {"name": "web", "port": 9001}  # name kept, port overridden
    assert pb.image.build_args == {"VERSION": "2", "DEBUG": "0"}
    assert pb.hooks.pre_deploy == ("echo pre",)
    assert pb.secret_env_names == ("REGISTRY_PASSWORD", "WEB_SECRET_ENV")
    assert pb.gate is not None and [c.name for c in pb.gate.checks] == ["demo-error-ratio"]


def test_inline_gate_checks_and_slos() -> None:
    pb = load_playbook(HERE / "valid" / "inline-gate.yml")
    assert pb.gate is not None
    assert [(type(c).__name__, c.name) for c in pb.gate.checks] == [
        ("CheckSpec", "error-ratio"),
        ("SloSpec", "availability"),
    ]


def test_env_given_without_environments_is_an_error() -> None:
    with pytest.raises(InputError, match="no environments are defined"):
        load_playbook(HERE / "valid" / "minimal.yml", "prod")


def test_missing_playbook_file() -> None:
    with pytest.raises(InputError, match="nope.yml: playbook not found"):
        load_playbook(HERE / "nope.yml")


SHIPPED = sorted(p for p in (REPO / "playbooks").glob("*.yml") if not p.stem.endswith("-checks"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_example_playbooks_are_valid(path: Path) -> None:
    environments = yaml.safe_load(path.read_text())["environments"]
    for env in environments:
        assert load_playbook(path, env).service.startswith("demo")


def test_a_fifo_as_playbook_is_a_one_line_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "playbook.yml"
    os.mkfifo(fifo)  # nobody writes: opening it for reading the usual way would block forever
    try:
        with pytest.raises(InputError) as err:
            load_playbook(fifo)
    finally:
        fifo.unlink()  # other tests walk /tmp
    assert err.value.message == f"{fifo}: playbook is a FIFO (named pipe), not a regular file"


def test_playbook_parsing_work_is_bounded_by_the_alias_expansion_limit(tmp_path: Path) -> None:
    """Counted, not timed: a billion-laughs playbook is refused after a linear pass over its nodes."""
    lines = ["service: api", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    bomb = tmp_path / "bomb.yml"
    bomb.write_text("\n".join(lines) + "\n")
    visits = 0
    real_children = yamlfile._children

    def counting(node: object) -> list:  # type: ignore[type-arg]
        nonlocal visits
        visits += 1
        return real_children(node)  # type: ignore[arg-type]

    yamlfile._children = counting  # type: ignore[assignment]
    try:
        with pytest.raises(InputError, match="YAML aliases repeating an anchor too often"):
            load_playbook(bomb)
    finally:
        yamlfile._children = real_children  # type: ignore[assignment]
    assert visits < 1000  # the document has ~330 nodes; expanded it would have 10**30


def test_a_fifo_as_the_gates_checks_file_is_named_as_such(tmp_path: Path) -> None:
    fifo = tmp_path / "checks.yml"
    os.mkfifo(fifo)
    playbook = tmp_path / "web.yml"
    playbook.write_text(
        f"service: web\nimage: {{repository: r/web, context: {REPO / 'examples' / 'deploy-service'}}}\n"
        f"terraform: {{dir: {REPO / 'terraform' / 'local-docker'}}}\n"
        f"checks: {{prometheus: {{url: 'http://127.0.0.1:9', checks: {fifo}}}}}\n"
    )
    try:
        with pytest.raises(InputError) as err:
            load_playbook(playbook)
    finally:
        fifo.unlink()  # other tests walk /tmp
    assert err.value.message.endswith(f"checks.prometheus.checks: {fifo} is a FIFO (named pipe), not a regular file")
