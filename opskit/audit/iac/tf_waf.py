"""WAFv2 web ACLs that leave out the managed rule groups against known exploit payloads (Log4Shell's
``${jndi:...}`` lookups and other known-bad inputs), reported on the CloudFront distributions that use
them, or on the ACL when no distribution in the module does."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.audit.iac.interface import Rule
from opskit.audit.iac.tf_module import Module, ResourceHit


def check_known_bad_inputs(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    wanted: list[str] = rule.params["rule_groups"]
    for acl in module.of_type("aws_wafv2_web_acl"):
        rules = acl.body.children("rule")
        if any(r.find("statement", "rule_group_reference_statement") for r in rules):
            continue  # a rule group of its own: its rules are not known here
        names = [s.get("name") for r in rules for s in r.find("statement", "managed_rule_group_statement")]
        if not all(isinstance(name, str) for name in names):
            continue
        missing = [group for group in wanted if group not in names]
        if not missing:
            continue
        what = f"{acl.full_address} does not use the managed rule group {missing[0]}, so requests carrying " \
            "known exploit payloads such as Log4Shell's ${jndi:...} lookups pass the firewall."
        users = module.attached(acl, ["aws_cloudfront_distribution"], "web_acl_id")
        for user in users:
            yield ResourceHit(rule.id, user, user.body.settings["web_acl_id"].line, f"{user.full_address} is "
                              f"filtered by {what[0].lower()}{what[1:]}", detail=f"{acl.local_address} {missing[0]}")
        if not users:
            yield ResourceHit(rule.id, acl, acl.line, what, detail=missing[0])
