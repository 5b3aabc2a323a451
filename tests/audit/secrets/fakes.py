"""Fake credentials built at test time: realistic shapes, random bodies, never real secrets."""

from __future__ import annotations

import random
import string

_RANDOM = random.Random(7)
ALNUM = string.ascii_letters + string.digits


def body(size: int, alphabet: str = ALNUM) -> str:
    while True:
        value = "".join(_RANDOM.choice(alphabet) for _ in range(size))
        if "xxxx" not in value.lower() and "test" not in value.lower():
            return value


def github_token() -> str:
    return "ghp_" + body(36)


def aws_key_id() -> str:
    return "AKIA" + body(16, string.ascii_uppercase + "234567")


def stripe_key() -> str:
    return "sk_live_" + body(24)


def password() -> str:
    return body(18)
