"""Terraform checks over whole modules: a file's findings come from evaluating every file of its
directory (and the local modules it calls) together, as ``terraform plan`` would see them.

A weakness of a resource in a called module that depends on the caller's inputs is reported at
the ``module`` block of the caller, naming the resource and the file it is defined in; one that
does not is reported where the resource is, when that directory is scanned.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from functools import partial

from opskit.audit.iac import tf_iam, tf_network, tf_secrets, tf_storage, tf_waf
from opskit.audit.iac.catalog import load_rules
from opskit.audit.iac.containers import ContainerPolicy
from opskit.audit.iac.interface import Checker, Hit, Rule
from opskit.audit.iac.secret_names import SecretNames
from opskit.audit.iac.tf_eval import Budget, Scope, evaluate
from opskit.audit.iac.tf_expect import check_targets
from opskit.audit.iac.tf_files import CONFIG_SUFFIXES, VARS_SUFFIXES, is_auto_vars
from opskit.audit.iac.tf_json import parse_terraform
from opskit.audit.iac.tf_kubernetes import check_kubernetes_objects
from opskit.audit.iac.tf_module import Module, ResourceHit, load_module
from opskit.audit.iac.tf_secrets import is_literal
from opskit.audit.interface import FileTree

Check = Callable[[Module, Rule], Iterator[ResourceHit]]

CHECKS: Mapping[str, Check] = {
    "iac.tf-sg-open-admin-port": tf_network.check_open_admin_ports,
    "iac.tf-sg-open-http": tf_network.check_open_admin_ports,  # the same check with port 80 as its list
    "iac.tf-sg-open-egress": tf_network.check_open_egress,
    "iac.tf-default-sg-in-use": tf_network.check_default_security_group,
    "iac.tf-s3-public-acl": tf_storage.check_public_acl,
    "iac.tf-s3-public-access-block-disabled": tf_storage.check_public_access_block,
    "iac.tf-s3-no-public-access-block": tf_storage.check_missing_public_access_block,
    "iac.tf-s3-unencrypted": tf_storage.check_unencrypted,
    "iac.tf-s3-no-versioning": tf_storage.check_versioning,
    "iac.tf-s3-no-access-logging": tf_storage.check_access_logging,
    "iac.tf-gcs-public": tf_storage.check_public_gcs,
    "iac.tf-gcp-public-dataset": tf_storage.check_public_gcs,
    "iac.tf-iam-wildcard-policy": tf_iam.check_admin,
    "iac.tf-iam-service-wildcard": tf_iam.check_service_wildcard,
    "iac.tf-iam-passrole-wildcard": tf_iam.check_pass_role,
    "iac.tf-policy-public-principal": tf_iam.check_public_principal,
    "iac.tf-iam-user-policy": tf_iam.check_user_policy,
    "iac.tf-no-tls-in-transit": tf_network.check_force_ssl_off,
    "iac.tf-container-privileged": tf_secrets.check_privileged_containers,
    "iac.tf-db-insecure-flag": tf_network.check_database_flags,
    "iac.tf-waf-no-known-bad-inputs": tf_waf.check_known_bad_inputs,
}
CREDENTIALS = "iac.tf-hardcoded-credentials"


def _bound(check: Check, rule: Rule) -> Callable[[Module], Iterator[ResourceHit]]:
    return lambda module: check(module, rule)


class TerraformChecker(Checker):
    kind = "terraform"
    context_globs = ("*.tf", "*.tfvars", "*.tf.json", "*.tfvars.json")

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        kubernetes = load_rules("kubernetes")  # the provider's pods and roles are judged by the manifest rules
        super().__init__({**rules, **kubernetes})
        self._secret_names = SecretNames.from_params(self.rules[CREDENTIALS].params)
        custom: dict[str, Check] = {**CHECKS, CREDENTIALS: partial(tf_secrets.check_credentials,
                                                                   names=self._secret_names)}
        self._checks: list[Callable[[Module], Iterator[ResourceHit]]] = [
            partial(check_kubernetes_objects, policy=ContainerPolicy.from_rules(kubernetes))]
        for rule_id, rule in rules.items():  # a rule's own check, its targets, or both
            self._checks.extend(_bound(check, rule) for check in (custom.get(rule_id),
                                                                  check_targets if "targets" in rule.params else None)
                                if check is not None)
            if rule_id not in custom and "targets" not in rule.params:
                raise ValueError(f"terraform rule {rule_id} has neither a check nor targets")
        self._memo: dict[tuple[FileTree, str], list[ResourceHit]] = {}

    def wants(self, path: str) -> bool:
        return path.endswith((*CONFIG_SUFFIXES, *VARS_SUFFIXES))

    def reset(self) -> None:
        self._memo.clear()

    def check(self, path: str, text: str, tree: FileTree) -> list[Hit]:
        name = posixpath.basename(path)
        if name.endswith(VARS_SUFFIXES) and not is_auto_vars(name):
            return self._loose_tfvars(path, text)
        directory = posixpath.dirname(path)
        lines = text.splitlines()
        hits = []
        for found in self._module_hits(tree, directory, {path: text}):
            where = found.resource.call or (found.resource.path, found.line)
            if where[0] != path or self._repeats_standalone(tree, found):
                continue
            hits.append(self._to_hit(found, where[1], lines))
        return hits

    def _module_hits(self, tree: FileTree, directory: str, override: Mapping[str, str]) -> list[ResourceHit]:
        key = (tree, directory)
        if key not in self._memo:
            module = load_module(tree, directory, override)
            self._memo[key] = [hit for check in self._checks for hit in check(module)]
        return self._memo[key]

    def _repeats_standalone(self, tree: FileTree, found: ResourceHit) -> bool:
        """Whether a hit in a called module is found without the caller's inputs too (reported there)."""
        if found.resource.call is None:
            return False
        standalone = self._module_hits(tree, posixpath.dirname(found.resource.path), {})
        return any(h.rule_id == found.rule_id and h.resource.call is None and h.detail == found.detail
                   and h.resource.local_address == found.resource.local_address for h in standalone)

    def _to_hit(self, found: ResourceHit, line: int, lines: list[str]) -> Hit:
        resource = found.resource
        message = found.message
        if resource.call is not None:
            message += f" The resource is defined in {resource.path}:{found.line}."
        if found.origins:
            message += f" Value from {'; '.join(found.origins)}."
        label = f"provider {resource.type}" if resource.mode == "provider" else resource.full_address
        return Hit(found.rule_id, line, message, offending=f"{label} {found.detail}".strip(),
                   snippet=lines[line - 1].strip() if 0 < line <= len(lines) else "",
                   secrets=found.secrets, resource=(found.subject or resource).full_address, origins=found.origins)

    def _loose_tfvars(self, path: str, text: str) -> list[Hit]:
        """A tfvars file Terraform does not load by itself (``-var-file``): its secret-named values."""
        top = parse_terraform(path, text)
        lines = text.splitlines()
        rule = self.rules[CREDENTIALS]
        scope = Scope({}, lambda name, outer: None, Budget(10_000 + 20 * len(text)))
        hits = []
        for attribute in top.attributes.values():
            value = evaluate(attribute.expr, scope)
            if attribute.name in self._secret_names and is_literal(value):
                hits.append(Hit(rule.id, attribute.line, f"tfvars sets {attribute.name} to a literal value {value}.",
                                offending=f"tfvars {attribute.name}={value}",
                                snippet=lines[attribute.line - 1].strip(), secrets=(str(value),)))
        return hits
