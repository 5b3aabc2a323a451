"""Deps scanner: vulnerable and outdated Python and npm components (OWASP A06) from OSV data."""

from opskit.audit.deps.scanner import DepsScanner

SCANNERS = [DepsScanner]
