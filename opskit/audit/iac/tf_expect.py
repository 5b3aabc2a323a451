"""Rules as data: "this argument of these resources must (not) have this value", missing or set.

A rule's ``params.targets`` lists, per group of resource types, a dotted ``path`` (nested block
names, then the argument or block) and what it must be: ``expect`` (one of these values),
``forbid`` (none of these), ``min`` (at least this number) or ``present`` (the block must exist).
``missing`` says whether leaving it out is a failure (the provider's default is unsafe: the
default) or fine; ``when`` narrows the target to resources meeting the same kind of conditions.
A value that cannot be known statically never fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opskit.audit.iac.interface import Rule
from opskit.audit.iac.tf_module import Body, Module, Resource, ResourceHit
from opskit.audit.iac.tf_values import as_bool, is_known


@dataclass(frozen=True)
class Found:
    """What a path leads to in one block: the value (or block) and where it was set."""

    value: Any
    line: int
    origins: tuple[str, ...]
    present: bool


def resolve(body: Body, path: str) -> list[Found]:
    """Each place ``path`` leads to (one per nested block instance); missing gives present=False.

    Names lead through nested blocks, then an argument, then keys of a map value
    (``metadata.block-project-ssh-keys``)."""
    names = path.split(".")
    bodies = [body]
    while len(names) > 1 and any(b.children(names[0]) for b in bodies):
        bodies = [child for b in bodies for child in b.children(names[0])]
        names = names[1:]
    found = []
    for inner in bodies:
        setting = inner.settings.get(names[0])
        if setting is not None:
            value, present = setting.value, setting.value is not None
            for key in names[1:]:
                present = present and isinstance(value, dict) and key in value
                value = value.get(key) if present else None
            found.append(Found(value, setting.line, setting.origins, present and value is not None))
        elif len(names) == 1 and inner.children(names[0]):
            found.append(Found(inner.children(names[0]), inner.children(names[0])[0].line, (), True))
        else:
            found.append(Found(None, inner.line, (), False))
    return found


def _same(value: Any, wanted: Any) -> bool | None:
    """Whether ``value`` equals ``wanted`` the way Terraform converts; None when not known."""
    if not is_known(value):
        return None
    if isinstance(wanted, bool):
        flag = as_bool(value)
        return None if flag is None else flag is wanted
    if isinstance(wanted, (int, float)):
        try:
            return float(value) == float(wanted)
        except (TypeError, ValueError):
            return False
    return str(value).lower() == str(wanted).lower()


def verdict(found: Found, target: Mapping[str, Any]) -> bool | None:
    """True when the place meets the target, False when it fails, None when it cannot be known."""
    if "absent" in target:
        return not found.present
    if not found.present:
        return target.get("missing", "fail") != "fail"
    if target.get("present"):
        return True
    value = found.value
    if "includes" in target:
        if not isinstance(value, list) or not all(is_known(v) for v in value):
            return None
        return all(wanted in value for wanted in target["includes"])
    if "expect" in target:
        answers = [_same(value, wanted) for wanted in target["expect"]]
        return True if any(answers) else None if None in answers else False
    if "forbid" in target:
        answers = [_same(value, banned) for banned in target["forbid"]]
        return False if any(answers) else None if None in answers else True
    if "forbid_suffix" in target:
        if not is_known(value):
            return None
        return not str(value).lower().endswith(tuple(s.lower() for s in target["forbid_suffix"]))
    if "min" in target or "max" in target:
        if isinstance(value, bool) or not is_known(value):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        return number >= float(target.get("min", number)) and number <= float(target.get("max", number))
    return True


def applies(resource: Resource, target: Mapping[str, Any]) -> bool:
    if resource.type not in target["resources"]:
        return False
    for condition in target.get("when", ()):
        if not all(verdict(found, condition) is True for found in resolve(resource.body, condition["path"])):
            return False
    for condition in target.get("unless", ()):
        if all(verdict(found, condition) is True for found in resolve(resource.body, condition["path"])):
            return False
    return True


def _shown(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _describe(found: Found, target: Mapping[str, Any]) -> str:
    path = target["path"]
    if not found.present:
        return f"does not set {path} (missing means {_shown(target.get('default', 'off'))})"
    if isinstance(found.value, list) and all(isinstance(v, Body) for v in found.value):
        return f"has a {path} block"
    return f"sets {path} = {_shown(found.value)}"


def check_targets(module: Module, rule: Rule) -> Iterator[ResourceHit]:
    targets: Sequence[Mapping[str, Any]] = rule.params.get("targets", ())
    for resource in module.resources:
        if resource.mode != "resource":
            continue
        for target in targets:
            if not applies(resource, target):
                continue
            if "linked" in target:
                link = target["linked"]
                if not module.attached(resource, link["types"], link["argument"]):
                    what = target.get("what", rule.title[0].lower() + rule.title[1:])
                    yield ResourceHit(rule.id, resource, resource.line, f"{resource.full_address} has no "
                                      f"{' or '.join(link['types'])}: {what}.", detail=f"no {link['types'][0]}")
                continue
            for found in resolve(resource.body, target["path"]):
                if verdict(found, target) is False:
                    line = found.line if found.present else resource.line
                    what = target.get("what", rule.title[0].lower() + rule.title[1:])
                    yield ResourceHit(rule.id, resource, line,
                                      f"{resource.full_address} {_describe(found, target)}: {what}.",
                                      detail=f"{target['path']}", origins=found.origins)
                    break
