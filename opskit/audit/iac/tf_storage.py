"""Storage buckets: S3 controls that may sit in separate resources of any file of the module
(encryption, public access block, ACL, versioning, logging, policy), and public GCS grants."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opskit.audit.iac.interface import Rule
from opskit.audit.iac.tf_module import Module, Resource, ResourceHit
from opskit.audit.iac.tf_values import as_bool

PUBLIC_ACCESS_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def _buckets(module: Module) -> Iterator[Resource]:
    return module.of_type("aws_s3_bucket")


def check_unencrypted(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    for bucket in _buckets(module):
        if bucket.body.children("server_side_encryption_configuration") or \
                module.attached(bucket, ["aws_s3_bucket_server_side_encryption_configuration"]):
            continue
        yield ResourceHit(rule.id, bucket, bucket.line, f"{bucket.full_address} has no server-side encryption "
                          "configuration in its module.", detail="")


def check_public_access_block(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    """Flags of a public access block that are off (missing means false)."""
    for guard in module.of_type("aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"):
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if as_bool(guard.body.get(flag, False)) is False]
        if not off:
            continue
        settings = [guard.body.settings[f] for f in off if f in guard.body.settings]
        line = settings[0].line if settings else guard.line
        origins = tuple(sorted({o for s in settings for o in s.origins}))
        subject = next((b for b in _buckets(module) if b.module == guard.module
                        and b.named_by(guard.body.get("bucket"))), None)
        yield ResourceHit(rule.id, guard, line, f"{guard.full_address} leaves {', '.join(off)} off (missing "
                          "means false), so public ACLs or policies can expose the bucket.",
                          detail=" ".join(off), origins=origins, subject=subject)


def check_missing_public_access_block(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    if any(module.of_type("aws_s3_account_public_access_block")):
        return
    for bucket in _buckets(module):
        if not module.attached(bucket, ["aws_s3_bucket_public_access_block"]):
            yield ResourceHit(rule.id, bucket, bucket.line, f"{bucket.full_address} has no "
                              "aws_s3_bucket_public_access_block, so a public ACL or policy added later "
                              "exposes it.", detail="no public access block")


def check_public_acl(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    public = set(rule.params["public_acls"])
    for bucket in _buckets(module):
        for holder in [bucket, *module.attached(bucket, ["aws_s3_bucket_acl"])]:
            setting = holder.body.settings.get("acl")
            if setting is not None and setting.value in public:
                yield ResourceHit(rule.id, holder, setting.line, f"{bucket.full_address} gets the canned ACL "
                                  f"{setting.value}, so anyone can read its objects"
                                  f"{' and write to it' if 'write' in str(setting.value) else ''}.",
                                  detail=f"acl {setting.value}", origins=setting.origins, subject=bucket)
    for orphan in module.of_type("aws_s3_bucket_acl"):  # an ACL for a bucket defined elsewhere
        setting = orphan.body.settings.get("acl")
        if setting is not None and setting.value in public and \
                not any(b.named_by(orphan.body.get("bucket")) for b in _buckets(module)):
            yield ResourceHit(rule.id, orphan, setting.line, f"{orphan.full_address} sets the canned ACL "
                              f"{setting.value}, so anyone can read the bucket's objects.",
                              detail=f"acl {setting.value}", origins=setting.origins)


def _enabled(value: Any) -> bool | None:
    flag = as_bool(value)
    if flag is not None:
        return flag
    return None if not isinstance(value, str) else value.lower() == "enabled"


def check_versioning(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    for bucket in _buckets(module):
        states = [_enabled(b.get("enabled")) for b in bucket.body.children("versioning")]
        for versioning in module.attached(bucket, ["aws_s3_bucket_versioning"]):
            states.extend(_enabled(c.get("status")) for c in versioning.body.children("versioning_configuration"))
        if True in states or None in states:
            continue
        settings = [s for v in module.attached(bucket, ["aws_s3_bucket_versioning"])
                    for c in v.body.children("versioning_configuration") for s in c.settings.values()]
        origins = tuple(sorted({o for s in settings for o in s.origins}))
        yield ResourceHit(rule.id, bucket, bucket.line, f"{bucket.full_address} does not enable versioning, so "
                          "an overwritten or deleted object cannot be recovered.", detail="versioning off",
                          origins=origins)


def check_access_logging(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    loggings = list(module.of_type("aws_s3_bucket_logging"))
    targets = [logging.body.get("target_bucket") for logging in loggings]
    targets += [block.get("target_bucket") for b in _buckets(module) for block in b.body.children("logging")]
    for bucket in _buckets(module):
        if bucket.body.children("logging") or module.attached(bucket, ["aws_s3_bucket_logging"]) or \
                any(bucket.named_by(target) for target in targets):
            continue  # logged, or itself the log bucket
        yield ResourceHit(rule.id, bucket, bucket.line, f"{bucket.full_address} has no server access logging, "
                          "so reads and deletions of its objects leave no trace.", detail="no access logging")


def check_public_gcs(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    public = set(rule.params["public_values"])
    for grant in module.of_type(*rule.params["resources"]):
        for setting in grant.body.settings.values():
            values = setting.value if isinstance(setting.value, list) else [setting.value]
            # "allUsers", "publicRead", or an entity such as "READER:allUsers"
            found = sorted(str(v) for v in values if isinstance(v, str) and v.rsplit(":", 1)[-1] in public)
            if setting.name in rule.params["attributes"] and found:
                yield ResourceHit(rule.id, grant, setting.line, f"{grant.full_address} grants {found[0]} access, "
                                  "making it readable by anyone.", detail=f"{setting.name} {found[0]}",
                                  origins=setting.origins)
