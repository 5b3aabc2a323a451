"""``opskit audit --only code``: bandit plus opskit's taint analysis and pattern checks for Python and JS/TS."""

from opskit.audit.code.scanners import BanditScanner, RulesScanner

SCANNERS = [BanditScanner, RulesScanner]
