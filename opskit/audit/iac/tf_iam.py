"""IAM: policies granting everything, a whole service or iam:PassRole on every resource, resource
policies open to any principal, and policies attached to users. Policies may be JSON strings,
``jsonencode(...)`` of locals, or ``aws_iam_policy_document`` data sources."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from opskit.audit.iac.interface import Rule
from opskit.audit.iac.tf_module import Body, Module, Resource, ResourceHit, Setting
from opskit.audit.iac.tf_values import Ref

IDENTITY_POLICIES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")
RESOURCE_POLICIES = {"aws_s3_bucket_policy": "policy", "aws_sqs_queue_policy": "policy",
                     "aws_sns_topic_policy": "policy", "aws_ecr_repository_policy": "policy",
                     "aws_secretsmanager_secret_policy": "policy", "aws_kms_key": "policy",
                     "aws_sqs_queue": "policy", "aws_sns_topic": "policy", "aws_iam_role": "assume_role_policy",
                     "aws_elasticsearch_domain_policy": "access_policies",
                     "aws_opensearch_domain_policy": "access_policies"}


@dataclass(frozen=True)
class Statement:
    allow: bool
    actions: frozenset[str]
    resources: frozenset[str]
    public_principal: bool
    conditional: bool
    line: int
    origins: tuple[str, ...]


def _strings(value: Any) -> frozenset[str]:
    items = value if isinstance(value, list) else [value]
    return frozenset(str(v) for v in items if isinstance(v, (str, Ref)))


def _public(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(v == "*" or (isinstance(v, list) and "*" in v) for v in principal.values())
    return False


def _from_json(setting: Setting) -> list[Statement]:
    document = setting.value
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, dict):
        return []
    raw = document.get("Statement", [])
    statements = raw if isinstance(raw, list) else [raw]
    return [Statement(s.get("Effect", "Allow") == "Allow", _strings(s.get("Action")), _strings(s.get("Resource")),
                      _public(s.get("Principal")), bool(s.get("Condition")), setting.line, setting.origins)
            for s in statements if isinstance(s, dict)]


def _from_document(body: Body) -> list[Statement]:
    statements = []
    for statement in body.children("statement"):
        principals = statement.children("principals")
        public = any(p.get("type") in ("*", "AWS") and "*" in _strings(p.get("identifiers")) for p in principals)
        actions = statement.settings.get("actions")
        statements.append(Statement(statement.get("effect", "Allow") == "Allow", _strings(statement.get("actions")),
                                    _strings(statement.get("resources")), public,
                                    bool(statement.children("condition")),
                                    actions.line if actions else statement.line,
                                    tuple(sorted({o for s in statement.settings.values() for o in s.origins}))))
    return statements


def identity_policies(module: Module) -> Iterator[tuple[Resource, list[Statement]]]:
    """Identity policies with their statements; a policy built from a policy document data source is
    reported on the data source (once), not on each policy that uses it."""
    for resource in module.resources:
        if resource.mode == "data" and resource.type == "aws_iam_policy_document":
            yield resource, _from_document(resource.body)
        elif resource.mode == "resource" and resource.type in IDENTITY_POLICIES:
            setting = resource.body.settings.get("policy")
            if setting is not None:
                yield resource, _from_json(setting)
        elif resource.mode == "resource" and resource.type == "aws_iam_role":
            for inline in resource.body.children("inline_policy"):
                if "policy" in inline.settings:
                    yield resource, _from_json(inline.settings["policy"])


def _hits(module: Module, rule: Rule, matches: Any, message: str, detail: str) -> Iterator[ResourceHit]:
    for resource, statements in identity_policies(module):
        for statement in statements:
            if statement.allow and "*" in statement.resources and matches(statement.actions):
                yield ResourceHit(rule.id, resource, statement.line, f"{resource.full_address} {message}",
                                  detail=detail, origins=statement.origins)
                break


def check_admin(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    yield from _hits(module, rule, lambda actions: bool(actions & {"*", "*:*"}),
                     'allows every action ("*") on every resource ("*"): full administrator rights.', "*:*")


def check_service_wildcard(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    def service_wide(actions: frozenset[str]) -> bool:
        return not actions & {"*", "*:*"} and any(a.endswith(":*") for a in actions)

    for resource, statements in identity_policies(module):
        for statement in statements:
            wide = sorted(a for a in statement.actions if a.endswith(":*") and a != "*:*")
            if statement.allow and "*" in statement.resources and service_wide(statement.actions):
                yield ResourceHit(rule.id, resource, statement.line, f"{resource.full_address} allows "
                                  f"{', '.join(wide)} on every resource: every action of the service, "
                                  "including deleting data and changing its permissions.",
                                  detail=" ".join(wide), origins=statement.origins)
                break


def check_pass_role(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    yield from _hits(module, rule, lambda actions: bool(actions & {"iam:PassRole", "iam:Pass*", "iam:passrole"}),
                     "allows iam:PassRole on every role, so its holder can hand any role (an admin one "
                     "included) to a service it controls.", "iam:PassRole *")


def check_public_principal(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    for resource in module.resources:
        attribute = RESOURCE_POLICIES.get(resource.type) if resource.mode == "resource" else None
        setting = resource.body.settings.get(attribute) if attribute else None
        if setting is None:
            continue
        statements = _from_json(setting)
        if isinstance(setting.value, Ref) and setting.value.address.startswith("data.aws_iam_policy_document."):
            document = next((r for r in module.resources if r.local_address == setting.value.address
                             and r.module == resource.module), None)
            statements = _from_document(document.body) if document else []
        if any(s.allow and s.public_principal and not s.conditional for s in statements):
            yield ResourceHit(rule.id, resource, setting.line, f"{resource.full_address} allows any principal "
                              '("*") without a condition, so anyone with an AWS account can use it.',
                              detail="principal *", origins=setting.origins)


def check_user_policy(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    for resource in module.of_type("aws_iam_user_policy", "aws_iam_user_policy_attachment",
                                   "aws_iam_policy_attachment"):
        users = resource.body.get("users") if resource.type == "aws_iam_policy_attachment" \
            else [resource.body.get("user")]
        if isinstance(users, list) and users:
            yield ResourceHit(rule.id, resource, resource.line, f"{resource.full_address} attaches a policy "
                              "directly to a user instead of a group or role.", detail="user policy")
