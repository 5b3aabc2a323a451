"""``.dockerignore`` semantics the context-copy rule relies on."""

from __future__ import annotations

import pytest

from opskit.audit.iac.dockerignore import is_excluded, parse_dockerignore


@pytest.mark.parametrize(
    ("ignore", "path", "excluded"),
    [
        (".env", ".env", True),
        (".env", "app/.env", False),  # patterns are anchored at the context root
        ("**/.env", "app/.env", True),
        ("/.env*", ".env.production", True),
        ("*.pem", "server.pem", True),
        ("*.pem", "certs/server.pem", False),
        ("secrets", "secrets/id_rsa", True),  # a directory excludes what is inside it
        ("*\n!src", "src/app.py", False),  # allow-list style
        ("*\n!src", ".env", True),
        (".env*\n!.env.example", ".env.example", False),
        (".env*\n!.env.example", ".env.local", True),
        ("# .env\n\n", ".env", False),
        ("id_rsa?", "id_rsa2", True),
        ("[a-c].key", "b.key", True),
        ("[^a-c].key", "b.key", False),  # Go syntax: ^ negates a class
    ],
)
def test_is_excluded(ignore: str, path: str, excluded: bool) -> None:
    assert is_excluded(path, parse_dockerignore(ignore)) is excluded
