"""The Terraform evaluator gives what ``terraform console`` would for what can be known statically,
and Unknown (or a resource reference) for what only apply time knows."""

from __future__ import annotations

from typing import Any

import pytest

from opskit.audit.iac.hcl_parser import parse_hcl
from opskit.audit.iac.tf_eval import Budget, Scope, Value, evaluate
from opskit.audit.iac.tf_values import UNKNOWN, Ref, Unknown, as_bool

VARIABLES = {
    "env": Value("prod", 'variable "env" default (variables.tf:1)'),
    "ports": Value([22, 443], "terraform.tfvars:2"),
    "tags": Value({"team": "data"}, ""),
    "flag": Value("true", ""),
    "unset": Value(UNKNOWN, ""),
}
LOCALS = 'locals {\n  prefix = "shop-${var.env}"\n  loop = local.loop\n}\n'


def value_of(expression: str) -> tuple[Any, set[str]]:
    top = parse_hcl(LOCALS + f"x = {expression}\n")
    definitions = {a.name: a for b in top.blocks if b.type == "locals" for a in b.attributes.values()}

    def local(name: str, outer: Scope) -> Any:
        if name == "loop" or name not in definitions:
            return UNKNOWN
        return evaluate(definitions[name].expr, outer)

    scope = Scope(VARIABLES, local, Budget(10_000))
    return evaluate(top.attributes["x"].expr, scope), scope.origins


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"plain"', "plain"),
        ('"a-${var.env}-${1 + 2}"', "a-prod-3"),
        ('"${var.ports}"', [22, 443]),
        ('"escaped $${var.env} and \\"quotes\\""', 'escaped ${var.env} and "quotes"'),
        ("local.prefix", "shop-prod"),
        ('var.env == "prod" ? 0 : 7', 0),
        ("!tobool(var.flag)", False),
        ("var.ports[1]", 443),
        ('var.tags["team"]', "data"),
        ('lookup(var.tags, "owner", "nobody")', "nobody"),
        ('merge(var.tags, { env = var.env })', {"team": "data", "env": "prod"}),
        ("[for p in var.ports : p * 2 if p > 100]", [886]),
        ("{ for k, v in var.tags : upper(k) => v }", {"TEAM": "data"}),
        ('format("%s-%d", var.env, 5)', "prod-5"),
        ('join(",", concat(["a"], ["b"]))', "a,b"),
        ('coalesce("", var.env)', "prod"),
        ("try(var.unset, 5)", 5),
        ("length(var.ports) > 1 && true", True),
        ("-var.ports[0]", -22),
        ('jsonencode({ Action = "s3:*" })', '{"Action": "s3:*"}'),
        ('base64decode(base64encode("export DB_PASSWORD=x"))', "export DB_PASSWORD=x"),
        ('replace(var.env, "od", "e")', "pre"),
        ('zipmap(["a", "b"], range(2))', {"a": 0, "b": 1}),
        ("range(100000000)", UNKNOWN),
        ('compact(split(",", "a,,b"))', ["a", "b"]),
    ],
)
def test_known_values(expression: str, expected: Any) -> None:
    assert value_of(expression)[0] == expected


def test_unknown_values_stay_unknown() -> None:
    assert value_of("var.unset")[0] is UNKNOWN
    assert isinstance(value_of('"x-${var.unset}"')[0], Unknown)
    assert value_of("local.loop")[0] is UNKNOWN  # a local that refers to itself
    assert value_of("var.unset ? 1 : 2")[0] == Unknown(frozenset())
    assert value_of('var.unset ? "a" : "a"')[0] == "a"  # both branches agree
    assert value_of("false && var.unset")[0] is False


def test_references_keep_their_resource() -> None:
    assert value_of("aws_s3_bucket.logs.id")[0] == Ref("aws_s3_bucket.logs")
    assert value_of('aws_s3_bucket.logs["a"].arn')[0] == Ref("aws_s3_bucket.logs", "a")
    assert value_of("data.aws_iam_policy_document.admin.json")[0] == Ref("data.aws_iam_policy_document.admin")
    refs = value_of('"${aws_s3_bucket.logs.arn}/*"')[0]
    assert isinstance(refs, Unknown) and refs.refs == {Ref("aws_s3_bucket.logs")}


def test_origins_name_the_variables_read() -> None:
    assert value_of('var.env == "prod"')[1] == {'variable "env" default (variables.tf:1)'}
    assert value_of("local.prefix")[1] == {'variable "env" default (variables.tf:1)'}
    assert value_of("var.ports[0]")[1] == {"terraform.tfvars:2"}


def test_heredocs_keep_text_and_trim_indentation() -> None:
    top = parse_hcl('a = <<EOT\n  one\n    two\nEOT\nb = <<-EOT\n    one\n      two\n    EOT\n')
    scope = Scope({}, lambda name, outer: UNKNOWN, Budget(100))
    assert evaluate(top.attributes["a"].expr, scope) == "  one\n    two"
    assert evaluate(top.attributes["b"].expr, scope) == "one\n  two"


def test_string_booleans_convert_like_terraform() -> None:
    assert (as_bool("true"), as_bool("FALSE"), as_bool(True), as_bool("yes"), as_bool(1)) == (
        True, False, True, None, None)


def test_a_spent_budget_gives_unknown() -> None:
    top = parse_hcl("x = 1 + 2\n")
    assert evaluate(top.attributes["x"].expr, Scope({}, lambda n, s: UNKNOWN, Budget(1))) is UNKNOWN
