"""Terraform checks: open security groups, public or unencrypted buckets and databases, wildcard IAM,
hardcoded credentials. Pure functions over the blocks of one file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from opskit.audit.iac.hcl_parser import Attribute, Block, parse_hcl
from opskit.audit.iac.interface import Checker, Hit, Rule
from opskit.audit.iac.secret_names import SecretNames

ALL_PROTOCOLS = frozenset({"-1", "all"})
POLICY_RESOURCES = frozenset({"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy",
                              "aws_iam_group_policy"})
_BUCKET_REF = re.compile(r"aws_s3_bucket\.([\w-]+)\.")
# A .tf file mentioning none of these has nothing to check: it is not parsed (parsing is the slow part).
CHECKED_WORDS = ("provider", "aws_security_group", "aws_vpc_security_group", "aws_s3_", "google_storage_",
                 "aws_db_instance", "aws_rds_", "aws_iam_")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _is_literal(value: Any) -> bool:
    """A plain string written in the file, not a variable, reference or function call."""
    return isinstance(value, str) and value != "" and "${" not in value


def _resources(blocks: Sequence[Block], *types: str) -> Iterator[Block]:
    for block in blocks:
        if block.type == "resource" and len(block.labels) == 2 and block.labels[0] in types:
            yield block


def address(block: Block) -> str:
    return ".".join(block.labels) if block.type == "resource" else ".".join((block.type, *block.labels))


class TerraformChecker(Checker):
    kind = "terraform"

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        super().__init__(rules)
        self._secret_names = SecretNames.from_params(self.rules["tf-hardcoded-credentials"].params)

    def wants(self, path: str) -> bool:
        return path.endswith((".tf", ".tfvars"))

    def check(self, path: str, text: str, siblings: Mapping[str, str | None]) -> list[Hit]:
        if path.endswith(".tf") and not any(word in text for word in CHECKED_WORDS):
            return []
        blocks = parse_hcl(text)
        lines = text.splitlines()
        if path.endswith(".tfvars"):
            top = blocks[0] if blocks and blocks[0].type == "" else None
            return list(self._credentials(top.attributes.values(), "tfvars", lines)) if top else []
        hits: list[Hit] = []
        for check in (self._open_security_groups, self._public_buckets, self._unencrypted_buckets,
                      self._databases, self._wildcard_policies):
            hits.extend(check(blocks, lines))
        for block in blocks:
            if block.type == "provider":
                hits.extend(self._credentials(block.attributes.values(), f"provider {block.labels[0]}", lines))
        for block in _resources(blocks, "aws_db_instance", "aws_rds_cluster"):
            creds = [a for a in block.attributes.values() if a.name in ("password", "master_password")]
            hits.extend(self._credentials(creds, address(block), lines))
        return hits

    # -- security groups ----------------------------------------------------------------------

    def _open_security_groups(self, blocks: Sequence[Block], lines: Sequence[str]) -> Iterator[Hit]:
        for group in _resources(blocks, "aws_security_group"):
            for ingress in [*group.children("ingress"), *_attribute_blocks(group.attributes.get("ingress"))]:
                yield from self._open_rule(address(group), ingress, "protocol",
                                           ("cidr_blocks", "ipv6_cidr_blocks"), lines)
        for rule in _resources(blocks, "aws_security_group_rule"):
            if rule.value("type") == "ingress":
                yield from self._open_rule(address(rule), rule, "protocol", ("cidr_blocks", "ipv6_cidr_blocks"),
                                           lines)
        for rule in _resources(blocks, "aws_vpc_security_group_ingress_rule"):
            yield from self._open_rule(address(rule), rule, "ip_protocol", ("cidr_ipv4", "cidr_ipv6"), lines)

    def _open_rule(self, where: str, block: Block, protocol_key: str, cidr_keys: Sequence[str],
                   lines: Sequence[str]) -> Iterator[Hit]:
        rule = self.rules["tf-sg-open-admin-port"]
        open_cidrs = rule.params["open_cidrs"]
        admin_ports: Mapping[int, str] = rule.params["admin_ports"]
        for key in cidr_keys:
            attribute = block.attributes.get(key)
            wide = [c for c in _as_list(attribute.value if attribute else None) if c in open_cidrs]
            if attribute is None or not wide:
                continue
            protocol = str(block.value(protocol_key, "")).lower()
            if protocol in ALL_PROTOCOLS:
                exposed, what = list(admin_ports), "all ports"
            else:
                low, high = _as_int(block.value("from_port")), _as_int(block.value("to_port"))
                if protocol not in ("tcp", "udp", "6", "17") or low is None or high is None:
                    continue
                exposed = [port for port in admin_ports if low <= port <= high]
                what = f"port {low}" if low == high else f"ports {low}-{high}"
            if not exposed:
                continue
            services = ", ".join(f"{port} ({admin_ports[port]})" for port in exposed[:6])
            more = f" and {len(exposed) - 6} more" if len(exposed) > 6 else ""
            yield Hit(rule.id, attribute.line, f"{where} allows ingress from {wide[0]} on {what}, exposing "
                      f"{services}{more} to the internet.", offending=f"{where} {key} {wide[0]} {what}",
                      snippet=_line(lines, attribute.line))

    # -- storage buckets ----------------------------------------------------------------------

    def _public_buckets(self, blocks: Sequence[Block], lines: Sequence[str]) -> Iterator[Hit]:
        acl_rule = self.rules["tf-s3-public-acl"]
        for bucket in _resources(blocks, "aws_s3_bucket", "aws_s3_bucket_acl"):
            acl = bucket.attributes.get("acl")
            if acl is not None and acl.value in acl_rule.params["public_acls"]:
                yield Hit(acl_rule.id, acl.line, f"{address(bucket)} grants the canned ACL {acl.value}, so "
                          "anyone can read its objects.", offending=f"{address(bucket)} acl {acl.value}",
                          snippet=_line(lines, acl.line))
        block_rule = self.rules["tf-s3-public-access-block-disabled"]
        for guard in _resources(blocks, "aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"):
            # off when false or missing; a variable or expression is not known to be off
            off = [flag for flag in block_rule.params["flags"] if guard.value(flag, False) is False]
            if not off:
                continue
            explicit = [guard.attributes[f] for f in off if f in guard.attributes]
            line = explicit[0].line if explicit else guard.line
            yield Hit(block_rule.id, line, f"{address(guard)} leaves {', '.join(off)} off (missing means "
                      "false), so public ACLs or policies can expose the bucket.",
                      offending=f"{address(guard)} {' '.join(off)}", snippet=_line(lines, line))
        gcs_rule = self.rules["tf-gcs-public"]
        public = set(gcs_rule.params["public_values"])
        for grant in _resources(blocks, *gcs_rule.params["resources"]):
            for attribute in grant.attributes.values():
                # "allUsers", "publicRead", or an entity such as "READER:allUsers"
                found = sorted(str(v) for v in _as_list(attribute.value) if str(v).rsplit(":", 1)[-1] in public)
                if attribute.name in gcs_rule.params["attributes"] and found:
                    yield Hit(gcs_rule.id, attribute.line, f"{address(grant)} grants {found[0]} access, "
                              "making the bucket or its objects public.",
                              offending=f"{address(grant)} {attribute.name} {found[0]}",
                              snippet=_line(lines, attribute.line))

    def _unencrypted_buckets(self, blocks: Sequence[Block], lines: Sequence[str]) -> Iterator[Hit]:
        rule = self.rules["tf-s3-unencrypted"]
        configs = list(_resources(blocks, "aws_s3_bucket_server_side_encryption_configuration"))
        covered = {m for c in configs for m in _BUCKET_REF.findall(str(c.value("bucket", "")))}
        if any(not _BUCKET_REF.search(str(c.value("bucket", ""))) for c in configs):
            return  # a configuration for a bucket we cannot name: assume it is this file's bucket
        for bucket in _resources(blocks, "aws_s3_bucket"):
            if bucket.children("server_side_encryption_configuration") or bucket.labels[1] in covered:
                continue
            yield Hit(rule.id, bucket.line, f"{address(bucket)} has no server-side encryption configuration "
                      "in this file.", offending=address(bucket), snippet=_line(lines, bucket.line))

    # -- databases ----------------------------------------------------------------------------

    def _databases(self, blocks: Sequence[Block], lines: Sequence[str]) -> Iterator[Hit]:
        public_rule = self.rules["tf-db-public"]
        for db in _resources(blocks, "aws_db_instance", "aws_rds_cluster_instance", "aws_rds_cluster"):
            public = db.attributes.get("publicly_accessible")
            if public is not None and public.value is True:
                yield Hit(public_rule.id, public.line, f"{address(db)} is publicly accessible, so the "
                          "database endpoint resolves to a public address.",
                          offending=f"{address(db)} publicly_accessible", snippet=_line(lines, public.line))
        encrypt_rule = self.rules["tf-db-unencrypted"]
        for db in _resources(blocks, "aws_db_instance", "aws_rds_cluster"):
            if db.value("replicate_source_db") or db.value("snapshot_identifier") or \
                    db.value("engine_mode") == "serverless" or \
                    (db.labels[0] == "aws_db_instance" and str(db.value("engine", "")).startswith("aurora")):
                continue  # encryption follows the source database, the snapshot or the cluster
            encrypted = db.attributes.get("storage_encrypted")
            if encrypted is not None and encrypted.value is not False:
                continue
            line = encrypted.line if encrypted else db.line
            state = "storage_encrypted = false" if encrypted else "no storage_encrypted (defaults to false)"
            yield Hit(encrypt_rule.id, line, f"{address(db)} has {state}, so its storage, backups and "
                      "snapshots are not encrypted at rest.", offending=f"{address(db)} storage_encrypted",
                      snippet=_line(lines, line))

    # -- IAM ----------------------------------------------------------------------------------

    def _wildcard_policies(self, blocks: Sequence[Block], lines: Sequence[str]) -> Iterator[Hit]:
        rule = self.rules["tf-iam-wildcard-policy"]
        documents: list[tuple[str, Attribute]] = []
        for resource in _resources(blocks, *POLICY_RESOURCES):
            if "policy" in resource.attributes:
                documents.append((address(resource), resource.attributes["policy"]))
        for role in _resources(blocks, "aws_iam_role"):
            documents.extend((address(role), inline.attributes["policy"])
                             for inline in role.children("inline_policy") if "policy" in inline.attributes)
        for where, attribute in documents:
            if any(_grants_everything(s) for s in _statements(attribute)):
                line = _span_line(lines, attribute, r"(?i)\"?action\"?\s*[:=]\s*\[?\s*\"\*")
                yield self._wildcard_hit(rule, where, line, lines)
        for document in blocks:
            if document.type == "data" and document.labels[:1] == ("aws_iam_policy_document",):
                for statement in document.children("statement"):
                    plain = {"Effect": statement.value("effect", "Allow"), "Action": statement.value("actions"),
                             "Resource": statement.value("resources")}
                    if _grants_everything(plain):
                        actions = statement.attributes.get("actions")
                        yield self._wildcard_hit(rule, address(document),
                                                 actions.line if actions else statement.line, lines)

    @staticmethod
    def _wildcard_hit(rule: Rule, where: str, line: int, lines: Sequence[str]) -> Hit:
        return Hit(rule.id, line, f"{where} allows every action (\"*\") on every resource (\"*\"): full "
                   "administrator rights.", offending=f"{where} *:*", snippet=_line(lines, line))

    # -- credentials --------------------------------------------------------------------------

    def _credentials(self, attributes: Iterable[Attribute], where: str, lines: Sequence[str]) -> Iterator[Hit]:
        rule = self.rules["tf-hardcoded-credentials"]
        for attribute in attributes:
            if attribute.name in self._secret_names and _is_literal(attribute.value):
                yield Hit(rule.id, attribute.line, f"{where} sets {attribute.name} to a literal value "
                          f"{attribute.value}.", offending=f"{where} {attribute.name}={attribute.value}",
                          snippet=_line(lines, attribute.line), secrets=(attribute.value,))


def _attribute_blocks(attribute: Attribute | None) -> list[Block]:
    """``ingress = [{...}, ...]`` (attribute syntax) as blocks, every value at the attribute's line."""
    if attribute is None:
        return []
    return [Block(attribute.name, (), attribute.line, attribute.end_line,
                  {k: Attribute(k, v, attribute.line, attribute.end_line) for k, v in item.items()})
            for item in _as_list(attribute.value) if isinstance(item, dict)]


def _statements(attribute: Attribute) -> list[Mapping[str, Any]]:
    """Statements of an IAM policy written as jsonencode(...) or as a JSON string (heredoc or quoted)."""
    document = attribute.encoded
    if document is None and isinstance(attribute.value, str) and attribute.value.lstrip().startswith("{"):
        try:
            document = json.loads(attribute.value)
        except ValueError:
            return []
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement", [])
    return [s for s in _as_list(statements) if isinstance(s, dict)]


def _grants_everything(statement: Mapping[str, Any]) -> bool:
    actions = {str(a) for a in _as_list(statement.get("Action"))}
    resources = {str(r) for r in _as_list(statement.get("Resource"))}
    return statement.get("Effect", "Allow") == "Allow" and bool(actions & {"*", "*:*"}) and "*" in resources


def _span_line(lines: Sequence[str], attribute: Attribute, pattern: str) -> int:
    regex = re.compile(pattern)
    for number in range(attribute.line, min(attribute.end_line, len(lines)) + 1):
        if regex.search(lines[number - 1]):
            return number
    return attribute.line


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""

