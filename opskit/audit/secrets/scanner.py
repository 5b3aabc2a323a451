"""``SecretsScanner``: the audit framework's entry point to the secrets detector."""

from __future__ import annotations

from collections.abc import Sequence

from opskit.audit.interface import Scanner, ScanResult, ScanSettings, SourceFile
from opskit.audit.secrets.detector import KeywordDetector
from opskit.audit.secrets.findings import to_findings
from opskit.audit.secrets.rules import default_ruleset
from opskit.core.findings import Finding


class SecretsScanner(Scanner):
    """Hardcoded credentials in any text file, staged change or historical commit."""

    name = "secrets"
    streams = True

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        self.ruleset = default_ruleset()
        self.detector = KeywordDetector(self.ruleset)

    def wants(self, path: str) -> bool:
        return True  # credentials end up in every kind of text file

    def scan(self, files: Sequence[SourceFile]) -> ScanResult:
        findings: list[Finding] = []
        for source in files:
            matches = self.detector.find(source.text, source.path)
            findings.extend(
                to_findings(matches, source.path, source.text, cwe=self.ruleset.cwe,
                            show_secrets=self.settings.show_secrets, origin=source.origin)
            )
        return ScanResult(findings=findings)
