"""Kubernetes objects written as Terraform (the ``kubernetes`` provider's ``kubernetes_deployment``,
``kubernetes_cluster_role``...): their blocks turned into the manifest they create, so the manifest
checks (k8s_pod, RBAC) judge them under the same rules as YAML."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from opskit.audit.iac.containers import ContainerPolicy
from opskit.audit.iac.k8s_pod import Pod, PodChecks
from opskit.audit.iac.kubernetes import rbac_hits
from opskit.audit.iac.tf_module import Body, Module, ResourceHit
from opskit.audit.iac.yaml_tree import Node, Reporter

_WORKLOAD = ("spec", "template", "spec")
# resource type (its _v1 twin too) -> the keys from the resource to its pod spec
POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "kubernetes_pod": ("spec",),
    **dict.fromkeys(("kubernetes_deployment", "kubernetes_daemonset", "kubernetes_daemon_set",
                     "kubernetes_stateful_set", "kubernetes_replication_controller", "kubernetes_job"), _WORKLOAD),
    "kubernetes_cron_job": ("spec", "job_template", "spec", "template", "spec"),
}
ROLE_TYPES = ("kubernetes_role", "kubernetes_cluster_role")
SERVICE_ACCOUNT = "kubernetes_service_account"
# repeated blocks -> the manifest's list field; other blocks become a single mapping
LIST_BLOCKS: Mapping[str, str] = {"container": "containers", "init_container": "initContainers",
                                  "volume": "volumes", "volume_mount": "volumeMounts", "env": "env",
                                  "port": "ports", "rule": "rules", "toleration": "tolerations"}
FIELD_NAMES: Mapping[str, str] = {"host_pid": "hostPID", "host_ipc": "hostIPC"}
_SNAKE = re.compile(r"_([a-z0-9])")


def field_name(name: str) -> str:
    """``run_as_non_root`` -> ``runAsNonRoot``, as the provider maps its arguments to the API."""
    return FIELD_NAMES.get(name) or _SNAKE.sub(lambda m: m[1].upper(), name)


def manifest(body: Body, path: str = "", lines: dict[str, int] | None = None) -> tuple[dict[str, Any], dict[str, int]]:
    """A block as the API object it describes, and the line of every field path (``spec.containers.0``)."""
    lines = {} if lines is None else lines
    result: dict[str, Any] = {}
    for name, setting in body.settings.items():
        key = field_name(name)
        result[key] = setting.value
        lines[f"{path}.{key}" if path else key] = setting.line
    for block in body.blocks:
        key = LIST_BLOCKS.get(block.type) or field_name(block.type)
        if block.type in LIST_BLOCKS:
            items = result.setdefault(key, [])
            where = f"{path}.{key}.{len(items)}" if path else f"{key}.{len(items)}"
            items.append(manifest(block, where, lines)[0])
        else:
            where = f"{path}.{key}" if path else key
            result[key] = manifest(block, where, lines)[0]
        lines[where] = block.line
    return result, lines


def check_kubernetes_objects(module: Module, policy: ContainerPolicy) -> Iterator[ResourceHit]:
    """Pod specs and RBAC rules of the provider's resources, judged by the manifest checks."""
    tokenless = {name for account in module.resources if account.type.removesuffix("_v1") == SERVICE_ACCOUNT
                 and account.body.get("automount_service_account_token") is False
                 for metadata in account.body.children("metadata") for name in [metadata.get("name")]}
    for resource in module.resources:
        kind = resource.type.removesuffix("_v1") if resource.mode == "resource" else ""
        pod_keys = POD_SPEC_PATHS.get(kind)
        if pod_keys is None and kind not in ROLE_TYPES:
            continue
        data, lines = manifest(resource.body)
        root = Node(data, "", lines | {"": resource.line})
        if pod_keys is not None:
            spec = root.get(*(field_name(k) for k in pod_keys))
            metadata = root.get(*(field_name(k) for k in pod_keys[:-1]), "metadata")
            account = spec.get("serviceAccountName").value or "default"
            pod = Pod(spec, metadata, resource.full_address, token_off_by_account=account in tokenless)
            hits = list(PodChecks(policy, Reporter(())).check(pod)) if isinstance(spec.value, dict) else []
        else:
            hits = list(rbac_hits(Reporter(()), root, resource.full_address))
        for hit in hits:
            yield ResourceHit(hit.rule_id, resource, hit.line, hit.message, detail=hit.offending, secrets=hit.secrets)
