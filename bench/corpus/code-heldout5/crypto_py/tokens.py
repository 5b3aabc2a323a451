import hashlib
import random
import secrets
import string
import tempfile

import jwt
import requests
import yaml

ALPHABET = string.ascii_letters + string.digits


def password_digest(password):
    return hashlib.md5(password.encode()).hexdigest()  # bad: 328


def password_digest_strong(password, salt):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000).hex()  # ok: 328


def etag(body):
    return hashlib.md5(body, usedforsecurity=False).hexdigest()  # ok: 328


def reset_token():
    return "".join(random.choice(ALPHABET) for _ in range(32))  # bad: 330


def reset_token_strong():
    return "".join(secrets.choice(ALPHABET) for _ in range(32))  # ok: 330


def shuffle_tiles(tiles):
    random.shuffle(tiles)  # ok: 330
    return tiles


def claims(token, key):
    return jwt.decode(token, key, algorithms=["HS256"], options={"verify_signature": False})  # bad: 347


def claims_verified(token, key):
    return jwt.decode(token, key, algorithms=["HS256"])  # ok: 347


def fetch_profile(url):
    return requests.get(url, verify=False, timeout=5).json()  # bad: 295


def fetch_profile_pinned(url):
    return requests.get(url, verify="/etc/ssl/internal-ca.pem", timeout=5).json()  # ok: 295


def scratch_file():
    return open(tempfile.mktemp(suffix=".csv"), "w")  # bad: 377


def scratch_file_safe():
    return tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)  # ok: 377


def load_settings(text):
    return yaml.load(text, Loader=yaml.UnsafeLoader)  # bad: 502


def load_settings_safe(text):
    return yaml.load(text, Loader=yaml.SafeLoader)  # ok: 502
