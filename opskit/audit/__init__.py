"""opskit audit: hardcoded secrets and OWASP Top 10 issues in code and config."""
