"""Kubernetes manifest checks: recognised by content (``apiVersion`` and ``kind``), multi-document
streams and ``kind: List`` read, workloads' pod specs and RBAC roles checked; other kinds (CRDs and
custom resources among them) are left alone."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping

from opskit.audit.iac.containers import ContainerPolicy
from opskit.audit.iac.interface import Checker, Hit, Rule
from opskit.audit.iac.k8s_pod import Pod, PodChecks
from opskit.audit.iac.yaml_tree import Node, Reporter, read_documents
from opskit.audit.interface import FileTree

YAML_SUFFIXES = (".yaml", ".yml")
MAX_DEPTH = 128  # CRD schemas nest deeper than the core loader's default
_MANIFEST = re.compile(r"\bapiVersion\b")
_KIND = re.compile(r"\bkind\b")
# kind -> the keys leading from the object to its pod spec
POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    **dict.fromkeys(("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"),
                    ("spec", "template", "spec")),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
WORKLOAD_GROUPS = frozenset({"", "apps", "extensions", "batch"})  # apiVersion groups of the built-in workloads
RBAC_GROUP = "rbac.authorization.k8s.io"
SECRET_READS = frozenset({"get", "list", "watch", "*"})


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


class KubernetesChecker(Checker):
    kind = "kubernetes"

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        super().__init__(rules)
        self._policy = ContainerPolicy.from_rules(rules)

    def wants(self, path: str) -> bool:
        return posixpath.basename(path).lower().endswith(YAML_SUFFIXES)

    def check(self, path: str, text: str, tree: FileTree) -> list[Hit]:
        if not (_MANIFEST.search(text) and _KIND.search(text)):
            return []
        objects = [obj for root in read_documents(path, text, MAX_DEPTH) for obj in _objects(root)]
        if not objects:
            return []
        report = Reporter(text.splitlines())
        pods = PodChecks(self._policy, report)
        tokenless = {obj.get("metadata", "name").text() for obj in objects
                     if obj.get("kind").value == "ServiceAccount" and obj.get("automountServiceAccountToken").value
                     is False}
        hits: list[Hit] = []
        for obj in objects:
            kind, group = obj.get("kind").value, group_of(obj.get("apiVersion").value)
            owner = f"{kind}/{obj.get('metadata', 'name').value or '?'}"
            if kind in POD_SPEC_PATHS and group in WORKLOAD_GROUPS:
                keys = POD_SPEC_PATHS[kind]
                spec = obj.get(*keys)
                if isinstance(spec.value, dict):
                    account = spec.get("serviceAccountName").text() or spec.get("serviceAccount").text() or "default"
                    template = obj.get(*keys[:-1], "metadata")  # a Pod's own metadata, else its template's
                    hits.extend(pods.check(Pod(spec, template, owner, account in tokenless)))
            elif kind in ("Role", "ClusterRole") and group == RBAC_GROUP:
                hits.extend(rbac_hits(report, obj, owner))
        return hits


def _objects(root: Node) -> Iterator[Node]:
    """The Kubernetes objects of one document: itself, or the items of a ``kind: List``."""
    if not (isinstance(root.value, dict) and isinstance(root.get("apiVersion").value, str)
            and isinstance(root.get("kind").value, str)):
        return
    if root.get("kind").value.endswith("List") and isinstance(root.get("items").value, list):
        yield from (item for item in root.get("items").items()
                    if isinstance(item.get("apiVersion").value, str) and isinstance(item.get("kind").value, str))
    else:
        yield root


def rbac_hits(report: Reporter, role: Node, owner: str) -> Iterator[Hit]:
    """Wildcard grants and reads of every Secret in a Role's or ClusterRole's rules."""
    for rule in role.get("rules").items():
        verbs = [item for item in rule.get("verbs").items() if isinstance(item.value, str)]
        resources = [item for item in rule.get("resources").items() if isinstance(item.value, str)]
        wildcard = next((item for item in (*verbs, *resources) if item.value == "*"), None)
        if wildcard is not None:
            on = "verb" if wildcard.path.startswith(rule.get("verbs").path) else "resource"
            yield report.hit("iac.k8s-rbac-wildcard", wildcard, f"{owner}: a rule grants every {on} ('*').",
                             offending=f"{owner} *{on} {' '.join(str(r.value) for r in resources)}", resource=owner)
        secrets = next((item for item in resources if item.value == "secrets"), None)
        reads = sorted({str(item.value) for item in verbs} & SECRET_READS)
        if secrets is not None and reads and not rule.get("resourceNames").value:
            yield report.hit("iac.k8s-rbac-read-secrets", secrets, f"{owner}: a rule lets its subjects "
                             f"{'/'.join(reads)} every Secret in its scope.", offending=f"{owner} secrets "
                             f"{'/'.join(reads)}", resource=owner)
