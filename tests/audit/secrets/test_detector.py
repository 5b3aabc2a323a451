"""The detector on realistic texts: decoding, placeholders, overlaps, offsets and severity in tests."""

from __future__ import annotations

import base64
from urllib.parse import quote

from opskit.audit.secrets import filters
from opskit.audit.secrets.detector import KeywordDetector
from opskit.audit.secrets.findings import to_findings
from opskit.audit.secrets.rules import default_ruleset
from opskit.core.findings import Severity
from tests.audit.secrets import fakes

DETECTOR = KeywordDetector(default_ruleset())


def rules_found(text: str, path: str = "app.cfg") -> list[tuple[str, str]]:
    return [(m.rule.id, m.secret) for m in DETECTOR.find(text, path)]


def test_specific_rule_wins_over_generic_assignment_and_url_credentials() -> None:
    token = fakes.github_token()
    assert rules_found(f'github_token = "{token}"') == [("github-pat", token)]
    assert rules_found(f"git clone https://ci:{token}@git.acme.io/shop.git") == [("github-pat", token)]
    password = fakes.password()
    assert rules_found(f"git clone https://ci:{password}@git.acme.io/shop.git") == [("url-basic-auth", password)]


def test_base64_hex_and_url_encoded_secrets_are_decoded() -> None:
    token = fakes.github_token()
    encoded = base64.b64encode(f"export GH={token}".encode()).decode()
    found = DETECTOR.find(f"data:\n  script: {encoded}\n", "secret.yaml")
    assert [(m.rule.id, m.secret, m.encoding) for m in found] == [("github-pat", token, "base64")]
    assert found[0].start == len("data:\n  script: ")
    hexed = token.encode().hex()
    assert [(m.rule.id, m.encoding) for m in DETECTOR.find(f"blob = {hexed}", "a.txt")] == [("github-pat", "hex")]
    url = "https://hooks.acme.io/run?cmd=" + quote(f"curl -H 'Authorization: token {token}'", safe="")
    assert [(m.rule.id, m.encoding) for m in DETECTOR.find(url, "a.txt")] == [("github-pat", "url")]


def test_nested_encoding_is_bounded_and_reported_as_a_chain() -> None:
    key_id = fakes.aws_key_id()
    once = base64.b64encode(f"aws_access_key_id = {key_id}".encode()).decode()
    twice = base64.b64encode(f"config: {once}".encode()).decode()
    assert [(m.rule.id, m.encoding) for m in DETECTOR.find(twice, "a.txt")] == [("aws-access-key-id", "base64/base64")]
    thrice = base64.b64encode(f"wrapped: {twice}".encode()).decode()
    assert DETECTOR.find(thrice, "a.txt") == []  # depth is bounded


def test_kubeconfig_client_key_data_reveals_a_private_key() -> None:
    pem = (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        + "\n".join(fakes.body(64) for _ in range(5))
        + "\n-----END RSA PRIVATE KEY-----\n"
    )
    text = f"users:\n- name: admin\n  user:\n    client-key-data: {base64.b64encode(pem.encode()).decode()}\n"
    assert [m.rule.id for m in DETECTOR.find(text, "kubeconfig")] == ["private-key"]


def test_placeholders_references_uuids_and_documented_examples_are_quiet() -> None:
    quiet = [
        'password = "changeme"',
        "api_key: ${API_KEY}",
        "token: {{ vault_token }}",
        'secret = os.environ["SECRET"]',
        "const token = process.env.GITHUB_TOKEN;",
        'password = "****************"',
        "token = <your-token>",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "request_token = 6f1c7a52-3b0e-4c7e-9d1a-2f4b8e6c0a91",
        'GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    ]
    for line in quiet:
        assert rules_found(line) == [], line


def test_lock_file_integrity_hashes_are_not_secrets() -> None:
    digest = base64.b64encode(bytes(range(64))).decode()
    text = (
        f'"node_modules/left-pad": {{"resolved": "https://registry.npmjs.org/x.tgz", "integrity": "sha512-{digest}"}}\n'
    )
    text += 'token = "' + fakes.body(40) + '"\n'  # generic rules never fire in lock files
    assert rules_found(text, "package-lock.json") == []


def test_unquoted_generic_value_counts_in_config_but_not_in_code() -> None:
    value = fakes.password()
    assert rules_found(f"db_password = {value}", "settings.ini") == [("generic-password", value)]
    assert rules_found(f"db_password = {value}", "settings.py") == []
    assert rules_found(f'db_password = "{value}"', "settings.py") == [("generic-password", value)]


def test_offsets_survive_non_ascii_text_before_the_secret() -> None:
    token = fakes.github_token()
    text = f"# İstanbul ﬁle — ünïcode\nGH = '{token}'\n"
    (match,) = DETECTOR.find(text, "a.py")
    assert text[match.start : match.end] == token


def test_long_minified_line_finds_every_secret() -> None:
    tokens = [fakes.github_token() for _ in range(3)]
    filler = "var a=1;" * 20000
    text = filler + f'x="{tokens[0]}";' + filler + f'y="{tokens[1]}";z="{tokens[2]}"'
    assert [s for _, s in rules_found(text, "bundle.js")] == tokens
    snippets = [f.location.snippet or "" for f in to_findings(DETECTOR.find(text, "bundle.js"), "b.js", text, cwe=798)]
    assert [s.count("ghp_***(40 chars)") for s in snippets] == [1, 2, 2]  # each cut around its own secret
    assert all(s.startswith("…") and len(s) < 250 for s in snippets)


def test_findings_are_masked_and_lowered_in_tests() -> None:
    token, key_id = fakes.github_token(), fakes.aws_key_id()
    text = f"creds = ['{token}', '{key_id}']\n"
    matches = DETECTOR.find(text, "x")
    findings = to_findings(matches, "tests/fixtures/creds.py", text, cwe=798)
    assert [f.severity for f in findings] == [Severity.MEDIUM, Severity.MEDIUM]  # critical, two steps down
    for finding in findings:
        rendered = repr(finding.to_dict())
        assert token not in rendered and key_id not in rendered  # the snippet masks both secrets on the line
        assert finding.properties["test_path"] is True
    shown = to_findings(matches, "src/creds.py", text, cwe=798, show_secrets=True)
    assert shown[0].severity is Severity.CRITICAL and token in shown[0].message


def test_fingerprint_depends_on_secret_rule_and_path_not_line() -> None:
    token = fakes.github_token()
    first = to_findings(DETECTOR.find(f"a = '{token}'", "x.py"), "x.py", f"a = '{token}'", cwe=798)[0]
    moved_text = f"\n\n\nb = '{token}'"
    moved = to_findings(DETECTOR.find(moved_text, "x.py"), "x.py", moved_text, cwe=798)[0]
    assert first.location.line == 1 and moved.location.line == 4
    assert first.fingerprint == moved.fingerprint
    other = to_findings(DETECTOR.find(f"a = '{token}'", "y.py"), "y.py", f"a = '{token}'", cwe=798)[0]
    assert other.fingerprint != first.fingerprint
    assert token not in first.fingerprint


def test_location_columns_span_exactly_the_secret() -> None:
    token = fakes.github_token()
    text = f"[deploy]\n  token = {token}  ; rotated monthly\n"
    (finding,) = to_findings(DETECTOR.find(text, "deploy.ini"), "deploy.ini", text, cwe=798)
    line = text.splitlines()[finding.location.line - 1]
    assert line[finding.location.column - 1 : finding.location.end_column - 1] == token


def test_adversarial_lines_are_scanned_in_linear_time_without_false_alarms() -> None:
    # Each would take minutes with per-hit windows or backtracking keys; merged windows and
    # possessive identifiers keep them linear.
    adversarial = [
        "password" * 100_000,
        "token=" * 100_000,
        "-----BEGIN RSA PRIVATE KEY-----\n" * 2_000,
        "x_secret_" * 50_000 + " = 1",
        ("A" * 23 + " ") * 40_000,
    ]
    for text in adversarial:
        assert DETECTOR.find(text, "blob.txt") == []


def test_a_dump_of_many_key_pairs_reports_every_pair_masked() -> None:
    rows = [(fakes.aws_key_id(), fakes.body(40, fakes.ALNUM + "+/")) for _ in range(2000)]
    text = "user,access key id,secret access key\n" + "".join(f"u{n},{k},{s}\n" for n, (k, s) in enumerate(rows))
    findings = to_findings(DETECTOR.find(text, "dump.csv"), "dump.csv", text, cwe=798)
    by_rule = {rule: sum(f.rule_id == rule for f in findings) for rule in {f.rule_id for f in findings}}
    assert by_rule == {"aws-access-key-id": 2000, "aws-secret-access-key-pair": 2000}
    rendered = repr([f.to_dict() for f in findings])
    assert not [s for _, s in rows if s in rendered] and not [k for k, _ in rows if k in rendered]


def test_a_secret_repeated_on_another_findings_line_is_masked_there_too() -> None:
    password, token = fakes.password(), fakes.github_token()
    text = f'db_password = "{password}"\nGH = "{token}"  # was {password} before the rotation\n'
    findings = to_findings(DETECTOR.find(text, "settings.py"), "settings.py", text, cwe=798)
    assert [f.rule_id for f in findings] == ["generic-password", "github-pat"]
    assert all(password not in (f.location.snippet or "") for f in findings)


def test_escaped_pem_is_found_and_a_service_account_key_is_reported_once() -> None:
    body = "\\n".join(fakes.body(64, fakes.ALNUM + "+/") for _ in range(6))
    pem = f"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n"
    assert [m.rule.id for m in DETECTOR.find(f'KEY = "{pem}"', "tls.py")] == ["private-key"]
    account = f'{{"type": "service_account", "project_id": "shop", "private_key": "{pem}"}}'
    assert [m.rule.id for m in DETECTOR.find(account, "sa.json")] == ["gcp-service-account-key"]


def test_a_whole_value_that_is_a_variable_is_no_secret_for_any_rule() -> None:
    for value in ("%GITHUB_PACKAGES_TOKEN%", "%nuget.password%", "$TOKEN", "${DB_PASSWORD}", "$(DB_PASSWORD)"):
        assert filters.is_variable(value), value
    for value in ("%Qm7vX2kLr9Tz4%Wn8", "Qm7v$Xk2Lr9T", "$2b$12$IimnIcugn3T9pMqgbB9gYU", "%%", "pa%ss%"):
        assert not filters.is_variable(value), value
