"""The deploy flow with in-memory adapters: outcomes, automatic rollback, hooks, history and reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opskit.core.command import Output, emit
from opskit.core.errors import Failure, InputError, ServiceError
from opskit.deploy.engine import Deployer
from opskit.deploy.history import StatePaths, read_history
from opskit.deploy.interface import (
    Adapters,
    DeployOptions,
    Hooks,
    ImageSpec,
    Playbook,
    RegistrySpec,
    RollbackPolicy,
    TerraformSpec,
)
from opskit.deploy.report import deploy_report
from tests.deploy.fakes import FakeBuilder, FakeHealth, FakeInfra

REPO = Path(__file__).resolve().parents[2]


def make_playbook(tmp_path: Path, version: str, **changes: object) -> Playbook:
    fields: dict[str, object] = {
        "source": tmp_path / "web.yml",
        "service": "web",
        "env": "prod",
        "image": ImageSpec(
            repository="127.0.0.1:5000/web",
            context=REPO / "examples" / "deploy-service",
            build_args={"VERSION": version},
        ),
        "registry": RegistrySpec(),
        "terraform": TerraformSpec(directory=REPO / "terraform" / "local-docker"),
        "state_dir": tmp_path / "state",
    }
    fields.update(changes)
    return Playbook(**fields)  # type: ignore[arg-type]


class World:
    """One fake registry, infrastructure and health shared by successive deploys."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.builder = FakeBuilder()
        self.infra = FakeInfra()
        self.bad: set[str] = set()
        self.health = FakeHealth(self.infra, self.bad)
        self.log: list[str] = []

    def deployer(self, playbook: Playbook) -> Deployer:
        adapters = Adapters(self.builder, self.infra, self.health, git_commit=lambda pb: ("c0ffee" * 7, "git@x"))
        return Deployer(playbook, adapters, self.log.append)

    def deploy(self, version: str, broken: bool = False, **changes: object) -> dict:
        playbook = make_playbook(self.tmp_path, version, **changes)
        if broken:
            digest = FakeBuilder().build_and_push(playbook.image, "t", {}, lambda line: None).digest_ref
            self.bad.add(digest)
        return self.deployer(playbook).deploy(DeployOptions())

    @property
    def paths(self) -> StatePaths:
        return StatePaths.of(self.tmp_path / "state", "web", "prod")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_first_deploy_is_verified_and_recorded(world: World) -> None:
    record = world.deploy("v1")
    assert record.outcome == "successful"
    assert record.running == world.infra.running == record.image
    assert record.running_verified is True
    assert record.commit == "c0ffee" * 7
    assert record.gate_verdict == "successful"
    assert record.plan.describe() == "1 to add, 0 to change, 0 to destroy"
    assert set(record.timings) >= {"build_push", "deploy_plan", "deploy_apply", "deploy_verify", "total"}
    history = read_history(world.paths.history)
    assert [r.id for r in history] == [record.id]
    assert json.loads(world.paths.report(record.id).read_text()) == record.to_dict()
    assert (world.tmp_path / "state" / ".gitignore").read_text().endswith("*\n")


def test_broken_deploy_rolls_back_to_the_last_good_image(world: World) -> None:
    good = world.deploy("v1").image
    record = world.deploy("v2", broken=True)
    assert record.outcome == "rolled_back"
    assert record.verdict == "failed"
    assert world.infra.applied == [good, record.image, good]
    assert record.running == world.infra.running == good
    assert record.rollback.verified is True
    assert record.failed == ("http http://svc/health: answered 503",)
    # the rollback is proven by HTTP checks only (policy verify=http): no gate after rollback
    assert world.health.calls[-1] == (good, False)
    report = deploy_report(record, "r.json")
    assert report.verdict == "failed"
    assert [f.rule_id for f in report.findings] == ["deploy.verify.http"]
    assert f"running now: {good} (verified)" in report.notes
    assert emit(report, Output(fmt="json", quiet=True)) == 1


def test_rollback_skips_images_that_failed_before(world: World) -> None:
    good = world.deploy("v1").image
    world.deploy("v2", broken=True)
    record = world.deploy("v3", broken=True)
    assert record.rollback.to == good


def test_failed_first_deploy_has_nothing_to_roll_back_to(world: World) -> None:
    record = world.deploy("v1", broken=True)
    assert record.outcome == "failed"
    assert record.running == record.image
    assert record.running_verified is False
    assert "not rolling back: no earlier good version in history" in "\n".join(world.log)


def test_automatic_rollback_can_be_switched_off(world: World) -> None:
    world.deploy("v1")
    record = world.deploy("v2", broken=True, rollback=RollbackPolicy(automatic=False))
    assert record.outcome == "failed"
    assert world.infra.running == record.image


def test_rollback_that_does_not_verify_either(world: World) -> None:
    good = world.deploy("v1").image
    world.bad.add(good)  # the old version broke too (say, a dependency went away)
    record = world.deploy("v2", broken=True)
    assert record.outcome == "rollback_failed"
    assert record.running == good and record.running_verified is False
    assert [f.rule_id for f in deploy_report(record, "r").findings] == [
        "deploy.verify.http",
        "deploy.rollback.verify",
    ]


def test_hooks_get_the_deploys_facts(world: World, tmp_path: Path) -> None:
    facts = tmp_path / "facts.txt"
    hooks = Hooks(
        pre_deploy=(f"echo pre $OPSKIT_SERVICE $OPSKIT_ENV >> {facts}",),
        post_deploy=(f"echo post $OPSKIT_OUTCOME $OPSKIT_IMAGE $OPSKIT_RUNNING >> {facts}",),
    )
    record = world.deploy("v1", hooks=hooks)
    image = record.image
    assert facts.read_text().splitlines() == ["pre web prod", f"post successful {image} {image}"]


def test_failing_pre_deploy_hook_stops_before_the_build(world: World) -> None:
    record = world.deploy("v1", hooks=Hooks(pre_deploy=("echo checking; exit 3",)))
    assert record.outcome == "failed"
    assert record.failed == ("pre_deploy hook exited 3: echo checking; exit 3",)
    assert world.builder.built == [] and world.infra.applied == []
    assert "  | checking" in world.log


def test_failing_post_deploy_hook_is_reported_without_changing_the_outcome(world: World) -> None:
    record = world.deploy("v1", hooks=Hooks(post_deploy=("false",)))
    assert record.outcome == "successful"
    assert record.hook_error == "post_deploy hook exited 1: false"


def test_error_halfway_is_recorded_then_raised(world: World) -> None:
    good = world.deploy("v1").image
    world.infra.fail_apply_of = (
        FakeBuilder().build_and_push(make_playbook(world.tmp_path, "v2").image, "t", {}, lambda line: None).digest_ref
    )
    with pytest.raises(ServiceError, match="terraform apply failed"):
        world.deploy("v2")
    last = read_history(world.paths.history)[-1]
    assert last.outcome == "error"
    assert last.error == "terraform apply failed (exit 1): Error: boom"
    assert last.running == good
    assert not world.paths.lock.exists()


def test_plan_only_changes_nothing_and_keeps_no_history(world: World) -> None:
    playbook = make_playbook(world.tmp_path, "v1")
    record = world.deployer(playbook).deploy(DeployOptions(plan_only=True))
    assert record.outcome == "planned" and record.plan.exit_code == 2
    assert world.infra.applied == []
    assert read_history(world.paths.history) == []


def test_deploy_of_a_given_digest_skips_the_build(world: World) -> None:
    image = "127.0.0.1:5000/web@sha256:" + "ab" * 32
    record = world.deployer(make_playbook(world.tmp_path, "v1")).deploy(DeployOptions(image=image, commit="abc"))
    assert world.builder.built == [] and world.infra.running == image and record.commit == "abc"
    with pytest.raises(InputError, match="must be a digest reference"):
        world.deployer(make_playbook(world.tmp_path, "v1")).deploy(DeployOptions(image="web:latest"))


def test_rollback_by_hand(world: World) -> None:
    v1 = world.deploy("v1").image
    v2 = world.deploy("v2").image
    deployer = world.deployer(make_playbook(world.tmp_path, "v2"))
    record = deployer.rollback(None, lock_timeout=0)
    assert record.outcome == "rolled_back_by_hand" and world.infra.running == v1
    digest_prefix = v2.split("@")[1][:15]
    assert deployer.rollback(digest_prefix, lock_timeout=0).running == v2 == world.infra.running
    with pytest.raises(InputError, match="no deployed image matches 'sha256:ffff'"):
        deployer.rollback("sha256:ffff", lock_timeout=0)


def test_rollback_by_hand_without_history(world: World) -> None:
    with pytest.raises(Failure, match="no earlier good version"):
        world.deployer(make_playbook(world.tmp_path, "v1")).rollback(None, lock_timeout=0)


def test_plan_only_and_deploy_of_one_commit_ask_for_the_same_image(world: World) -> None:
    seen: list[dict[str, str]] = []

    class Recording(FakeBuilder):
        def build_and_push(self, spec, tag, labels, log):  # type: ignore[no-untyped-def]
            seen.append(dict(labels))
            return super().build_and_push(spec, tag, labels, log)

    world.builder = Recording()
    playbook = make_playbook(world.tmp_path, "v1")
    world.deployer(playbook).deploy(DeployOptions(plan_only=True))
    world.deployer(playbook).deploy(DeployOptions())
    assert len(seen) == 2 and seen[0] == seen[1]
    assert not any("created" in key for key in seen[0])


def test_plan_files_are_private_and_removed_when_apply_fails(world: World) -> None:
    world.deploy("v1")
    bad = FakeBuilder().build_and_push(make_playbook(world.tmp_path, "v2").image, "t", {}, lambda line: None)
    world.infra.fail_apply_of = bad.digest_ref
    with pytest.raises(ServiceError, match="boom"):
        world.deploy("v2")
    plans = world.paths.plans
    assert oct(plans.stat().st_mode & 0o777) == "0o700"
    assert list(plans.iterdir()) == []
    assert not world.paths.journal.exists()
    last = read_history(world.paths.history)[-1]
    assert (last.outcome, last.running_verified) == ("error", False)


def test_a_dead_runs_plan_file_is_swept_and_its_journal_reconciled(world: World) -> None:
    world.deploy("v1")
    plans = world.paths.plans
    leftover = plans / "999999999-20260101T000000Z-dead00-deploy.tfplan"
    leftover.write_text("secrets in clear")
    world.paths.journal.write_text(
        json.dumps(
            {
                "deploy_id": "20260101T000000Z-dead00",
                "kind": "deploy",
                "image": "127.0.0.1:5000/web@sha256:" + "d" * 64,
                "previous": None,
                "pid": 999999999,
                "started_at": "2026-01-01T00:00:00+00:00",
            }
        )
    )
    world.deploy("v2")
    assert not leftover.exists() and not world.paths.journal.exists()
    outcomes = [(r.outcome, r.running_verified) for r in read_history(world.paths.history)]
    assert outcomes == [("successful", True), ("interrupted", False), ("successful", True)]
    assert any("recorded as interrupted, unverified" in line for line in world.log)


def test_a_failed_record_write_keeps_the_real_cause_first(world: World) -> None:
    world.deploy("v1")
    bad = FakeBuilder().build_and_push(make_playbook(world.tmp_path, "v2").image, "t", {}, lambda line: None)
    world.infra.fail_apply_of = bad.digest_ref
    reports = world.paths.root / "reports"
    for old in reports.iterdir():
        old.unlink()
    reports.rmdir()
    reports.write_text("a file where the reports directory should be (as a full disk would refuse it)")
    with pytest.raises(ServiceError) as err:
        world.deploy("v2")
    message = err.value.message
    assert message.startswith("terraform apply failed (exit 1): Error: boom (and the deploy record could not be")
    assert "Not a directory" in message and "\n" not in message
