"""Every example of every rule in rules.yml: true positives are reported by their rule, false ones not."""

from __future__ import annotations

import re

import pytest

from opskit.audit.secrets.detector import KeywordDetector
from opskit.audit.secrets.interface import Example, Rule, RuleKind
from opskit.audit.secrets.rules import default_ruleset, parse_ruleset
from opskit.core.errors import ConfigError

RULESET = default_ruleset()
DETECTOR = KeywordDetector(RULESET)


def _cases(kind: str) -> list[object]:
    cases = []
    for rule in RULESET.rules:
        examples = rule.true_positives if kind == "tp" else rule.false_positives
        cases += [pytest.param(rule, example, id=f"{rule.id}-{kind}{n}") for n, example in enumerate(examples)]
    return cases


@pytest.mark.parametrize(("rule", "example"), _cases("tp"))
def test_true_positive_is_reported_by_its_rule(rule: Rule, example: Example) -> None:
    found = [m for m in DETECTOR.find(example.text, example.path) if m.rule.id == rule.id]
    assert found, f"{rule.id} missed {example.text!r}"
    assert all(m.secret and m.secret in example.text or m.encoding for m in found)


@pytest.mark.parametrize(("rule", "example"), _cases("fp"))
def test_false_positive_is_not_reported_by_its_rule(rule: Rule, example: Example) -> None:
    found = [m.secret for m in DETECTOR.find(example.text, example.path) if m.rule.id == rule.id]
    assert not found, f"{rule.id} wrongly reported {found} in {example.text!r}"


def test_ruleset_covers_at_least_400_providers_with_complete_metadata() -> None:
    providers = {rule.id.split("-")[0] for rule in RULESET.rules if rule.kind is not RuleKind.GENERIC}
    assert len(providers) >= 400, len(providers)
    assert RULESET.cwe == 798
    for rule in RULESET.rules:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.id), rule.id
        assert rule.description and (rule.keywords or rule.files), rule.id
        assert rule.true_positives and rule.false_positives, f"{rule.id} needs tp and fp examples"
        assert all(k == k.lower() for k in rule.keywords), rule.id
        # The prefilter only runs a rule near its keywords, so each true positive must contain one.
        for example in rule.true_positives:
            assert any(k in example.text.lower() for k in rule.keywords) or (
                rule.files and rule.files.search(example.path)), f"{rule.id}: no keyword in {example.text!r}"


def test_issue_credential_families_are_all_present() -> None:
    ids = {rule.id for rule in RULESET.rules}
    wanted = {
        "aws-access-key-id",
        "aws-secret-access-key-pair",
        "aws-secret-access-key",
        "gcp-service-account-key",
        "azure-storage-connection-string",
        "github-pat",
        "github-fine-grained-pat",
        "gitlab-pat",
        "bitbucket-app-password",
        "npm-access-token",
        "pypi-upload-token",
        "dockerhub-pat",
        "stripe-live-secret-key",
        "slack-bot-token",
        "slack-webhook-url",
        "twilio-api-key",
        "sendgrid-api-key",
        "mailgun-api-key",
        "openai-api-key",
        "anthropic-api-key",
        "datadog-api-key",
        "newrelic-user-api-key",
        "shopify-access-token",
        "heroku-api-key",
        "hashicorp-vault-service-token",
        "terraform-cloud-token",
        "private-key",
        "openssh-private-key",
        "pgp-private-key-block",
        "pkcs12-keystore-password",
        "jwt",
        "jwt-signing-secret",
        "database-url-password",
        "url-basic-auth",
        "generic-password",
        "generic-secret",
        "generic-api-key",
        "generic-token",
        # issue 11: shapes and providers that were missed
        "jenkins-encrypted-secret",
        "kubernetes-secret-data",
        "nuget-cleartext-password",
        "curl-basic-auth",
        "authorization-header",
        "http-basic-auth-header",
        "facebook-app-access-token",
        "adobe-client-secret",
        "authress-service-client-key",
        "aws-bedrock-api-key",
        "bittrex-api-key",
        "cisco-meraki-api-key",
        "defined-networking-api-token",
        "finicity-api-token",
        "finnhub-access-token",
        "flickr-access-token",
        "freshbooks-access-token",
        "gitter-access-token",
        "intra42-client-secret",
        "kraken-access-token",
        "kucoin-access-token",
        "looker-client-secret",
        "mattermost-access-token",
        "maxmind-license-key",
        "nytimes-access-token",
        "privateai-api-token",
        "rapidapi-access-token",
        "sendbird-access-token",
        "settlemint-token",
        "freemius-secret-key",
        "sidekiq-secret",
        "sidekiq-sensitive-url",
        "squarespace-access-token",
    }
    assert wanted <= ids, sorted(wanted - ids)
    assert {r.kind for r in RULESET.rules} == set(RuleKind)


def test_broken_rules_file_is_a_config_error_naming_the_rule() -> None:
    bad = "rules:\n- id: broken\n  description: d\n  severity: high\n  keywords: [x]\n  regex: '(unclosed'\n"
    with pytest.raises(ConfigError, match="rule broken"):
        parse_ruleset(bad, "rules.yml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_ruleset("rules: [", "rules.yml")
    unknown = "rules:\n- {id: v, description: d, severity: low, keywords: [k], regex: k, validate: luhn}\n"
    with pytest.raises(ConfigError, match="rule v: ValueError: unknown validate 'luhn'"):
        parse_ruleset(unknown, "rules.yml")
    stray = "rules:\n- {id: s, description: d, severity: low, keywords: [k], regex: k, supersedes: [nope]}\n"
    with pytest.raises(ConfigError, match="rule s: supersedes unknown rule"):
        parse_ruleset(stray, "rules.yml")
    dup = "rules:\n" + "- {id: a, description: d, severity: low, keywords: [k], regex: k}\n" * 2
    with pytest.raises(ConfigError, match="duplicate rule id"):
        parse_ruleset(dup, "rules.yml")
    bare = "rules:\n- {id: b, description: d, severity: low, regex: k}\n"
    with pytest.raises(ConfigError, match="rule b: .*or give files"):
        parse_ruleset(bare, "rules.yml")
    file_rule = parse_ruleset("rules:\n- {id: f, description: d, severity: low, regex: k, files: 'x[.]key$'}\n")
    assert file_rule.rules[0].files is not None and not file_rule.rules[0].keywords
