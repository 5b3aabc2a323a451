"""Credentials written into Terraform: provider keys, resource passwords, Lambda environment variables,
EC2 user data, and variable defaults or tfvars values with secret names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from opskit.audit.iac.interface import Rule
from opskit.audit.iac.secret_names import SecretNames
from opskit.audit.iac.tf_module import Module, Resource, ResourceHit
from opskit.audit.iac.tf_values import is_known

_ASSIGNMENT = re.compile(r"(?:^|[\s;'\"])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=[\"']?([^\s\"';]+)")
_AWS_KEY = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
USER_DATA = ("aws_instance", "aws_launch_template", "aws_launch_configuration")


def is_literal(value: object) -> bool:
    """A plain string known statically, not a reference or an expression's leftover text."""
    return isinstance(value, str) and len(value) >= 4 and "${" not in value and is_known(value)


@dataclass(frozen=True)
class SecretCheck:
    names: SecretNames
    rule: Rule

    def hit(self, resource: Resource, line: int, where: str, value: str, origins: tuple[str, ...]) -> ResourceHit:
        return ResourceHit(self.rule.id, resource, line, f"{resource.full_address} sets {where} to a literal "
                           f"value {value}.", detail=f"{where}={value}", origins=origins, secrets=(value,))


def check_credentials(module: Module, rule: Rule, names: SecretNames) -> Iterator[ResourceHit]:
    check = SecretCheck(names, rule)
    secret_values = rule.params.get("secret_values", {})
    reported_origins: set[str] = set()
    for resource in module.resources:
        if resource.mode not in ("resource", "provider"):
            continue
        for setting in resource.body.settings.values():
            holds_secret = setting.name in names or secret_values.get(resource.type) == setting.name and \
                (resource.type != "aws_ssm_parameter" or resource.body.get("type") == "SecureString")
            if holds_secret and is_literal(setting.value):
                reported_origins.update(setting.origins)
                yield check.hit(resource, setting.line, setting.name, setting.value, setting.origins)
        if resource.type == "aws_lambda_function":
            for environment in resource.body.children("environment"):
                variables = environment.settings.get("variables")
                if variables is not None and isinstance(variables.value, dict):
                    for key, value in sorted(variables.value.items()):
                        if key in names and is_literal(value):
                            reported_origins.update(variables.origins)
                            yield check.hit(resource, variables.line, f"environment variable {key}", value,
                                            variables.origins)
        if resource.type == "aws_ecs_task_definition":
            definitions = resource.body.settings.get("container_definitions")
            for container in container_definitions(resource):
                for variable in container.get("environment") or []:
                    key, value = (variable.get("name"), variable.get("value")) if isinstance(variable, dict) \
                        else ("", "")
                    if isinstance(key, str) and key in names and isinstance(value, str) and is_literal(value) \
                            and definitions is not None:
                        reported_origins.update(definitions.origins)
                        yield check.hit(resource, definitions.line, f"container environment variable {key}", value,
                                        definitions.origins)
        if resource.type in USER_DATA:
            user_data = resource.body.settings.get("user_data")
            if user_data is not None and isinstance(user_data.value, str):
                for key, value in _user_data_secrets(user_data.value, names):
                    reported_origins.update(user_data.origins)
                    yield check.hit(resource, user_data.line, f"{key} in user_data", value, user_data.origins)
    for assigned in module.resources:
        if assigned.mode not in ("variable", "tfvars") or assigned.name not in names:
            continue
        setting = assigned.body.settings["value"]
        if is_literal(setting.value) and not set(setting.origins) & reported_origins:
            where = "the default of variable" if assigned.mode == "variable" else "the tfvars value of"
            yield ResourceHit(rule.id, assigned, assigned.line, f"{where} {assigned.name} is a literal value "
                              f"{setting.value}.", detail=f"var.{assigned.name}={setting.value}",
                              secrets=(setting.value,))


def container_definitions(resource: Resource) -> list[dict[str, Any]]:
    """The containers of an ECS task definition (``container_definitions`` is JSON text)."""
    setting = resource.body.settings.get("container_definitions")
    if setting is None or not isinstance(setting.value, str):
        return []
    try:
        containers = json.loads(setting.value)
    except ValueError:
        return []
    return [c for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []


def check_privileged_containers(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    for task in module.of_type("aws_ecs_task_definition"):
        privileged = [c.get("name", "?") for c in container_definitions(task) if c.get("privileged") is True]
        if privileged:
            setting = task.body.settings["container_definitions"]
            yield ResourceHit(rule.id, task, setting.line, f"{task.full_address} runs container {privileged[0]} "
                              "privileged: it has every capability and the host's devices.",
                              detail=f"privileged {privileged[0]}", origins=setting.origins)


def _user_data_secrets(script: str, names: SecretNames) -> Iterator[tuple[str, str]]:
    for match in _ASSIGNMENT.finditer(script):
        if match[1] in names and is_literal(match[2]) and not match[2].startswith("$"):
            yield match[1], match[2]
    for key in _AWS_KEY.findall(script):
        yield "AWS access key", key
