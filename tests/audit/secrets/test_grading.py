"""Where a credential sits decides how loud it is: docs, examples and docstrings are graded like tests."""

from __future__ import annotations

from opskit.audit.secrets.detector import KeywordDetector
from opskit.audit.secrets.filters import docstring_spans, is_doc_path
from opskit.audit.secrets.findings import to_findings
from opskit.audit.secrets.rules import default_ruleset
from opskit.core.findings import Severity
from tests.audit.secrets import fakes

DETECTOR = KeywordDetector(default_ruleset())


def severities(text: str, path: str) -> list[tuple[str, Severity]]:
    return [(f.rule_id, f.severity) for f in to_findings(DETECTOR.find(text, path), path, text, cwe=798)]


def test_docs_examples_and_readmes_are_lowered_like_tests() -> None:
    token = fakes.github_token()
    line = f'GH = "{token}"\n'
    assert severities(line, "src/app.py") == [("github-pat", Severity.CRITICAL)]
    for path in ("docs/setup.py", "examples/client.py", "README.md", "guide/intro.rst", "notebooks/a.ipynb",
                 "data/waf/examples-1.json"):
        assert is_doc_path(path), path
        assert severities(line, path) == [("github-pat", Severity.MEDIUM)], path
    assert not is_doc_path("src/docstring.py") and not is_doc_path("config/credentials.txt")


def test_a_docstring_is_lowered_but_an_assigned_triple_quoted_value_is_not() -> None:
    token = fakes.github_token()
    text = (
        f'def connect():\n    """Connect.\n\n    >>> connect(token="{token}")\n    """\n'
        f'TEMPLATE = """\nGH={token}\n"""\n'
    )
    assert severities(text, "lib/client.py") == [("github-pat", Severity.MEDIUM), ("github-pat", Severity.CRITICAL)]
    findings = to_findings(DETECTOR.find(text, "lib/client.py"), "lib/client.py", text, cwe=798)
    assert findings[0].properties.get("docstring") is True and "docstring" not in findings[1].properties


def test_docstring_spans_are_found_in_one_pass_even_when_unbalanced() -> None:
    text = 'x = """a"""\n    """doc"""\n"""unclosed\n' + "'''" * 1000
    spans = docstring_spans(text)
    assert [text[a:b] for a, b in spans[:1]] == ['"""doc"""']
    assert all(b <= len(text) for _, b in spans)


def test_kubernetes_secret_values_are_found_in_every_document_and_decoded() -> None:
    password, token = fakes.password(), fakes.body(32)
    import base64

    encoded = base64.b64encode(password.encode()).decode()
    text = (
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  token: " + fakes.body(30) + "\n---\n"
        f"apiVersion: v1\ndata:\n  db-password: {encoded}\n  username: YWRtaW4=\nkind: Secret\n---\n"
        f"kind: Secret\nstringData:\n  config.yaml: |\n    nested: value\n  API_TOKEN: '{token}'\n"
    )
    found = [(m.rule.id, m.secret, m.encoding) for m in DETECTOR.find(text, "k8s/all.yaml")
             if m.rule.id == "kubernetes-secret-data"]
    assert found == [("kubernetes-secret-data", password, "base64"), ("kubernetes-secret-data", token, None)]
    match = next(m for m in DETECTOR.find(text, "k8s/all.yaml") if m.secret == token)
    assert text[match.start : match.end] == token


def test_a_token_whose_checksum_fails_is_reported_with_low_confidence() -> None:
    import zlib

    from opskit.audit.secrets.filters import base62, crc32_base62_ok
    from opskit.core.findings import Confidence

    body = fakes.body(30)
    valid = "ghp_" + body + base62(zlib.crc32(body.encode()), 6)
    invalid = "ghp_" + body + ("000000" if not valid.endswith("000000") else "111111")
    assert crc32_base62_ok(valid) and not crc32_base62_ok(invalid)
    text = f'a = "{valid}"\nb = "{invalid}"\n'
    findings = to_findings(DETECTOR.find(text, "src/app.py"), "src/app.py", text, cwe=798)
    assert [(f.confidence, f.properties["checksum"]) for f in findings] == [
        (Confidence.HIGH, "valid"), (Confidence.LOW, "invalid")]
    assert all(f.severity is Severity.CRITICAL for f in findings)


def test_grafana_service_account_checksum_is_the_little_endian_crc32_of_the_token() -> None:
    import zlib

    from opskit.audit.secrets.filters import crc32_hex_le_ok

    body = "glsa_" + fakes.body(32)
    checksum = zlib.crc32(body.encode()).to_bytes(4, "little").hex()
    assert crc32_hex_le_ok(f"{body}_{checksum}")
    assert not crc32_hex_le_ok(f"{body}_{checksum[::-1]}") or checksum == checksum[::-1]
    assert not crc32_hex_le_ok(f"{body}_zzzzzzzz")


def test_atlassian_token_checksum_is_the_crc32_of_the_rest_in_hex() -> None:
    import zlib

    from opskit.audit.secrets.filters import crc32_hex_ok

    head = "ATATT3xFfGF0" + fakes.body(171) + "="
    token = head + format(zlib.crc32(head.encode()), "08X")
    assert crc32_hex_ok(token) and crc32_hex_ok(token[:-8] + token[-8:].lower())
    assert not crc32_hex_ok(token[:-8] + format(zlib.crc32(head.encode()) ^ 1, "08X"))
    assert not crc32_hex_ok(token[:-8] + "ZZZZZZZZ")
