"""The Kubernetes and compose part of ``bench/iac_bench.py``: pairing opskit's findings with checkov's
(``--framework kubernetes``) and scoring compose files against their ``# planted:`` labels.

* Kubernetes: every (file, object, check) triple checkov reports, except the checks in
  ``CHECKOV_K8S_NOT_SECURITY`` (with their reason) and pairs on kustomize patch fragments
  (``FRAGMENTS``: not objects the API server would accept). checkov reports a workload's pod
  template as a ``Pod`` named after it, and RBAC graph checks on the binding; both are paired with
  the object of that name in the same file. A pair is covered when opskit reports one of the
  rules whose ``checkov`` list (in ``opskit/audit/iac/rules/kubernetes.yaml``) or
  ``CHECKOV_K8S_EXTRA`` names the check, on the same object.
* compose: checkov has no compose framework, so each weakness planted in ``bench/corpus/iac/compose``
  carries a ``# planted: RULE`` comment on its line; recall is labels found at their line, and every
  other finding is listed for review.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opskit.audit.iac.catalog import load_rules  # noqa: E402 (the bench runs as a script)

HARDENED = "hardened"
FRAGMENTS = ("kustomize-shop/overlays/",)  # strategic-merge patches: partial objects, merged by kustomize
_CONTEXT = ("k8s-runs-as-root", "k8s-privilege-escalation", "k8s-capabilities-not-dropped",
            "k8s-writable-root-filesystem", "k8s-seccomp-unset")
_WILDCARD = ("k8s-rbac-wildcard",)
# checkov checks whose weakness opskit reports through other rules, with why.
CHECKOV_K8S_EXTRA: Mapping[str, tuple[str, ...]] = {
    "CKV_K8S_29": _CONTEXT, "CKV_K8S_30": _CONTEXT,  # no securityContext: opskit reports what it leaves open
    # RBAC escalation paths (bind, escalate, impersonate, pods/exec, webhooks, CSRs) granted by a '*'
    **dict.fromkeys(("CKV2_K8S_1", "CKV2_K8S_2", "CKV2_K8S_3", "CKV2_K8S_4", "CKV_K8S_155", "CKV_K8S_156",
                     "CKV_K8S_157", "CKV_K8S_158"), _WILDCARD),
    "CKV2_K8S_5": ("k8s-rbac-read-secrets", "k8s-rbac-wildcard"),
}
CHECKOV_K8S_NOT_SECURITY: Mapping[str, str] = {
    **dict.fromkeys(("CKV_K8S_8", "CKV_K8S_9"), "availability (liveness and readiness probes)"),
    **dict.fromkeys(("CKV_K8S_10", "CKV_K8S_12"), "scheduling (resource requests)"),
    "CKV_K8S_11": "CPU limits (a throttling trade-off; requests bound a noisy neighbour, opskit reports missing "
                  "memory limits)",
    "CKV_K8S_15": "housekeeping (imagePullPolicy)",
    **dict.fromkeys(("CKV_K8S_21", "CKV_K8S_35"), "governance choice without a weakness of its own (default "
                                                   "namespace, secrets as files rather than env references)"),
    "CKV_K8S_40": "UID above 10000 (host user clash), hardening beyond runAsNonRoot",
    "CKV_K8S_43": "digest pinning (opskit reports untagged and latest images)",
}
_PLANTED = re.compile(r"#\s*planted:\s*([\w-]+)")


def checkov_to_opskit() -> dict[str, set[str]]:
    mapping: dict[str, set[str]] = {check: set(rules) for check, rules in CHECKOV_K8S_EXTRA.items()}
    for rule in load_rules("kubernetes").values():
        for check in rule.checkov:
            mapping.setdefault(check, set()).add(rule.id.removeprefix("iac."))
    return mapping


def _name(resource: str) -> str:
    """``Deployment/web`` (opskit) -> ``web``."""
    return resource.split("/", 1)[-1]


def _checkov_object(resource: str, names: Sequence[str]) -> str:
    """``Pod.ns.web.app-web`` (a pod template's labels appended) -> ``web`` when opskit knows ``web``."""
    rest = resource.split(".", 2)[-1]
    known = [n for n in names if rest == n or rest.startswith(f"{n}.")]
    return max(known, key=len) if known else rest


def kubernetes_coverage(checkov: list[dict[str, Any]], opskit: list[dict[str, Any]]) -> dict[str, Any]:
    mapping = checkov_to_opskit()
    ours: dict[tuple[str, str], set[str]] = {}
    for finding in opskit:
        resource = finding.get("properties", {}).get("resource")
        if resource and finding["rule_id"].startswith("iac.k8s-"):
            key = (finding["location"]["path"], _name(resource))
            ours.setdefault(key, set()).add(finding["rule_id"].removeprefix("iac."))
    names_in: dict[str, list[str]] = {}
    for path, name in ours:
        names_in.setdefault(path, []).append(name)
    pairs: dict[tuple[str, str, str], str] = {}
    excluded: dict[str, int] = {}
    for check in checkov:
        path = check["file_path"].lstrip("/")
        reason = CHECKOV_K8S_NOT_SECURITY.get(check["check_id"]) or \
            ("kustomize patch fragment" if path.startswith(FRAGMENTS) else None)
        if reason:
            excluded[reason] = excluded.get(reason, 0) + 1
            continue
        pairs[(path, _checkov_object(check["resource"], names_in.get(path, [])), check["check_id"])] = \
            check["check_name"]
    covered, missed = [], []
    for (path, name, check_id), title in sorted(pairs.items()):
        hit = mapping.get(check_id, set()) & ours.get((path, name), set())
        (covered if hit else missed).append(f"{path} {name} {check_id} ({title})")
    mapped = {(p, n, rule) for p, n, c in pairs for rule in mapping.get(c, ())}
    beyond = sorted(f"{p} {n} {rule}" for (p, n), rules in ours.items() for rule in rules
                    if (p, n, rule) not in mapped and not p.startswith(HARDENED))
    hardened = sorted(f"{f['location']['path']}:{f['location']['line']} {f['rule_id']}" for f in opskit
                      if f["location"]["path"].startswith(f"{HARDENED}/"))
    checkov_hardened = sorted({c["check_id"] for c in checkov if c["file_path"].lstrip("/").startswith(HARDENED)})
    return {"security_pairs": len(pairs), "covered": len(covered), "missed": missed,
            "coverage": round(len(covered) / len(pairs), 4) if pairs else None, "excluded": excluded,
            "false_positives_on_hardened": hardened, "beyond_checkov": beyond,
            "checkov_on_hardened": {"findings": sum(c["file_path"].lstrip("/").startswith(HARDENED)
                                                    for c in checkov), "checks": checkov_hardened}}


def planted_labels(path: Path) -> list[tuple[int, str]]:
    """(line, rule) of each ``# planted: RULE``: a trailing comment labels its own line, a comment line
    (Dockerfiles allow no other) labels the next line that is neither blank nor a comment."""
    labels, pending = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _PLANTED.search(line)
        if line.lstrip().startswith("#") or not line.strip():
            pending += [match[1]] if match else []
            continue
        labels += [(number, rule) for rule in pending] + ([(number, match[1])] if match else [])
        pending = []
    return labels


def planted_coverage(opskit: list[dict[str, Any]], base: Path, paths: Sequence[Path],
                     spans: Mapping[tuple[str, int], int] | None = None) -> dict[str, Any]:
    """Labels found by a finding of their rule in their line's span (``spans``: (path, first line) -> last
    line of a multi-line instruction; a single line otherwise); every other finding is listed for review."""
    planted = {(str(path.relative_to(base)), number, rule) for path in paths for number, rule in planted_labels(path)}
    found = {(f["location"]["path"], f["location"]["line"], f["rule_id"].removeprefix("iac.")) for f in opskit}
    hits = {(p, n, r) for p, n, r in planted
            if any((p, line, r) in found for line in range(n, (spans or {}).get((p, n), n) + 1))}
    matched = {(p, line, r) for p, n, r in hits for line in range(n, (spans or {}).get((p, n), n) + 1)}
    hardened = sorted(f"{p}:{n} {r}" for p, n, r in found if p.startswith(HARDENED))
    return {"planted": len(planted), "found": len(hits),
            "recall": round(len(hits) / len(planted), 4) if planted else None,
            "missed": sorted(f"{p}:{n} {r}" for p, n, r in planted - hits),
            "unlabelled_findings": sorted(f"{p}:{n} {r}" for p, n, r in found - matched - planted
                                          if not p.startswith(HARDENED)),
            "false_positives_on_hardened": hardened}


def compose_coverage(opskit: list[dict[str, Any]], base: Path) -> dict[str, Any]:
    return planted_coverage(opskit, base, sorted(base.rglob("*.y*ml")))


def print_left_out_and_missed(excluded: Mapping[str, int], missed: Sequence[str], left_out: str) -> None:
    for reason, number in sorted(excluded.items()):
        print(f"  {left_out}: {number:3d}  {reason}")
    for line in missed:
        print(f"  missed: {line}")


def print_kubernetes(k8s: Mapping[str, Any]) -> None:
    print(f"Kubernetes: {k8s['covered']}/{k8s['security_pairs']} of checkov's security (object, check) pairs "
          f"covered ({k8s['coverage']:.1%}); false positives on the hardened files: "
          f"{len(k8s['false_positives_on_hardened'])} (checkov: {k8s['checkov_on_hardened']['findings']}); "
          f"opskit pairs beyond checkov: {len(k8s['beyond_checkov'])}")
    print_left_out_and_missed(k8s["excluded"], k8s["missed"], "left out")
    speed = k8s.get("speed")
    if speed:
        print(f"  speed, {speed['files']} files: opskit {speed['opskit_seconds']:.2f} s wall / "
              f"{speed['opskit_cpu']:.2f} s CPU, checkov {speed['checkov_seconds']:.2f} / {speed['checkov_cpu']:.2f} "
              f"({speed['wall_ratio']}x / {speed['cpu_ratio']}x)")


def print_compose(compose: Mapping[str, Any], name: str = "compose") -> None:
    print(f"{name}: {compose['found']}/{compose['planted']} planted weaknesses found at their line; "
          f"unlabelled findings: {len(compose['unlabelled_findings'])}; false positives on the hardened files: "
          f"{len(compose['false_positives_on_hardened'])}")
    for line in compose["missed"] + compose["unlabelled_findings"]:
        print(f"  review: {line}")
