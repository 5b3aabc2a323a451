"""Secrets scanner: 660+ credential rules as data, keyword-prefiltered, with decoding of encoded blobs."""

from opskit.audit.secrets.scanner import SecretsScanner

SCANNERS = [SecretsScanner]
