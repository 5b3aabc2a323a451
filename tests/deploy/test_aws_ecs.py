"""terraform/aws-ecs planned and applied through opskit against the moto AWS emulator: a deploy
creates the ECR repository, cluster, task definition and service; a new digest replaces the task
definition and updates the service. (Each terraform run starts the 700 MB AWS provider several
times, so this test keeps to two deploys; rollbacks are proven end to end with local-docker.)"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import boto3
import pytest

from tests.deploy.conftest import REPO, run_opskit

pytestmark = [pytest.mark.aws, pytest.mark.terraform]

IMAGE_A = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-demo@sha256:" + "a1" * 32
IMAGE_B = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-demo@sha256:" + "b2" * 32
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def _client(service: str, endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _image_in_service(endpoint: str, name: str) -> str:
    ecs = _client("ecs", endpoint)
    service = ecs.describe_services(cluster=name, services=[name])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    return str(task["containerDefinitions"][0]["image"])


def test_ecs_module_deploys_and_updates_the_service(
    tmp_path: Path, aws_endpoint: str, terraform_env: dict[str, str]
) -> None:
    ec2 = _client("ec2", aws_endpoint)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24")["Subnet"]["SubnetId"]
    name = f"opskit-ecs-{uuid.uuid4().hex[:10]}"  # moto outlives a test run: never reuse a name
    playbook = tmp_path / "ecs.yml"
    playbook.write_text(
        f"""\
service: ecs-demo
image:
  repository: 123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-demo
  context: {REPO / "examples" / "deploy-service"}
terraform:
  dir: {REPO / "terraform" / "aws-ecs"}
  variables: {{name: {name}, aws_endpoint: "{aws_endpoint}", subnets: ["{subnet}"]}}
state_dir: {tmp_path / "state"}
"""
    )
    env = {**terraform_env, **FAKE_AWS}
    base = ["deploy", "-p", str(playbook)]

    first = run_opskit([*base, "--image", IMAGE_A, "--commit", "a1"], env)
    assert first.returncode == 0, first.stderr
    assert "plan: 4 to add, 0 to change, 0 to destroy" in first.stdout
    assert _image_in_service(aws_endpoint, name) == IMAGE_A
    repo = _client("ecr", aws_endpoint).describe_repositories(repositoryNames=[name])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"

    second = run_opskit([*base, "--image", IMAGE_B, "--commit", "b2", "--format", "json"], env)
    assert second.returncode == 0, second.stderr
    plan = json.loads(second.stdout)["deploy"]["plan"]
    assert plan["replace"] == 1 and "aws_ecs_service.service: update" in plan["resources"]
    assert _image_in_service(aws_endpoint, name) == IMAGE_B

    for proc in (first, second):
        assert "testing" not in proc.stdout
