"""A labelled corpus for ``secrets_bench.py``: generated from a seed, never committed as files.

Positives are credentials built from providers' documented token formats (prefix, alphabet,
length; GitHub's and npm's CRC32 checksum) and the generic shapes real code holds (keyed
assignments in many syntaxes, bare quoted values, Jenkins and nuget XML, Kubernetes Secrets,
curl lines, log lines, URLs with credentials, PEM keys). Negatives are what scanners wrongly
flag: placeholders, references, documented example keys, hashes and digests, IDs, translated
UI strings, publishable keys, Maven coordinates, dummy sequences, credential words inside
unrelated identifiers. Each is rendered into a file of a varied type (source in many languages,
YAML, JSON, XML, .env, INI, properties, TOML, shell, Dockerfile, Terraform, logs, Markdown).
Every value is random and fake; the corpus is written to a temporary directory at bench time.

The held-out corpora are committed files instead (``secrets_heldout.py``).
"""

# ruff: noqa: E501  (sample templates are one line each, so each reads as the file it renders)
from __future__ import annotations

import base64
import random
import string
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


@dataclass(frozen=True)
class Sample:
    path: str
    text: str
    lines: tuple[int, int] | None  # 1-based first and last line labelled; None: the whole file
    shape: str
    positive: bool = True  # a secret to find; else a negative: any finding on its lines is a false alarm


class _Random:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def s(self, size: int, alphabet: str = ALNUM) -> str:
        while True:
            value = "".join(self.rng.choice(alphabet) for _ in range(size))
            lowered = value.lower()
            if not any(w in lowered for w in ("xxxx", "test", "abcdef", "123456", "example")):
                return value

    def digits(self, size: int) -> str:
        return str(self.rng.randrange(1, 10)) + self.s(size - 1, string.digits)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)


def _checksummed(prefix: str, r: _Random) -> str:
    body = r.s(30)
    number, digits = zlib.crc32(body.encode()), ""
    while number:
        number, digit = divmod(number, 62)
        digits = BASE62[digit] + digits
    return prefix + body + digits.rjust(6, "0")


# (name hint for the variable, token maker): providers' documented formats.
TOKENS: dict[str, tuple[str, Callable[[_Random], str]]] = {
    "github-pat": ("GITHUB_TOKEN", lambda r: _checksummed("ghp_", r)),
    "github-oauth": ("GH_OAUTH_TOKEN", lambda r: _checksummed("gho_", r)),
    "github-fine-grained": ("GH_PAT", lambda r: "github_pat_" + r.s(22) + "_" + r.s(59)),
    "gitlab-pat": ("GITLAB_TOKEN", lambda r: "glpat-" + r.s(20, URLSAFE)),
    "aws-key-id": ("AWS_ACCESS_KEY_ID", lambda r: "AKIA" + r.s(16, string.ascii_uppercase + "234567")),
    "aws-secret": ("AWS_SECRET_ACCESS_KEY", lambda r: r.s(40, B64)),
    "slack-bot": ("SLACK_BOT_TOKEN", lambda r: f"xoxb-{r.digits(11)}-{r.digits(13)}-{r.s(24)}"),
    "slack-webhook": ("SLACK_WEBHOOK", lambda r: f"https://hooks.slack.com/services/T{r.s(8, string.ascii_uppercase)}"
                                                 f"/B{r.s(10, string.ascii_uppercase)}/{r.s(24)}"),
    "stripe-secret": ("STRIPE_SECRET_KEY", lambda r: "sk_live_" + r.s(r.rng.randrange(24, 99))),
    "stripe-restricted": ("STRIPE_RESTRICTED_KEY", lambda r: "rk_live_" + r.s(r.rng.randrange(24, 99))),
    "twilio-api-key": ("TWILIO_API_KEY", lambda r: "SK" + r.s(32, HEX)),
    "sendgrid": ("SENDGRID_API_KEY", lambda r: f"SG.{r.s(22, URLSAFE)}.{r.s(43, URLSAFE)}"),
    "mailgun": ("MAILGUN_API_KEY", lambda r: "key-" + r.s(32, HEX)),
    "openai": ("OPENAI_API_KEY", lambda r: f"sk-proj-{r.s(56, URLSAFE)}T3BlbkFJ{r.s(56, URLSAFE)}"),
    "anthropic": ("ANTHROPIC_API_KEY", lambda r: f"sk-ant-api03-{r.s(93, URLSAFE)}AA"),
    "huggingface": ("HF_TOKEN", lambda r: "hf_" + r.s(34, string.ascii_letters)),
    "npm": ("NPM_TOKEN", lambda r: _checksummed("npm_", r)),
    "pypi": ("PYPI_TOKEN", lambda r: "pypi-AgEIcHlwaS5vcmc" + r.s(70, URLSAFE)),
    "google-api-key": ("GOOGLE_MAPS_KEY", lambda r: "AIza" + r.s(35, URLSAFE)),
    "digitalocean": ("DIGITALOCEAN_TOKEN", lambda r: "dop_v1_" + r.s(64, HEX)),
    "shopify": ("SHOPIFY_ACCESS_TOKEN", lambda r: "shpat_" + r.s(32, HEX)),
    "heroku": ("HEROKU_API_KEY", lambda r: r.uuid()),
    "datadog": ("DD_API_KEY", lambda r: r.s(32, HEX)),
    "telegram": ("TELEGRAM_BOT_TOKEN", lambda r: f"{r.digits(10)}:AA{r.s(33, URLSAFE)}"),
    "vault": ("VAULT_TOKEN", lambda r: "hvs." + r.s(95, URLSAFE)),
    "vault-legacy": ("VAULT_TOKEN", lambda r: "s." + r.s(24)),
    "terraform-cloud": ("TFE_TOKEN", lambda r: f"{r.s(14, string.ascii_lowercase)}.atlasv1.{r.s(67, URLSAFE)}"),
    "doppler": ("DOPPLER_TOKEN", lambda r: "dp.pt." + r.s(43)),
    "postman": ("POSTMAN_API_KEY", lambda r: f"PMAK-{r.s(24, HEX)}-{r.s(34, HEX)}"),
    "linear": ("LINEAR_API_KEY", lambda r: "lin_api_" + r.s(40)),
    "databricks": ("DATABRICKS_TOKEN", lambda r: "dapi" + r.s(32, HEX)),
    "pulumi": ("PULUMI_ACCESS_TOKEN", lambda r: "pul-" + r.s(40, HEX)),
    "newrelic": ("NEW_RELIC_API_KEY", lambda r: "NRAK-" + r.s(27, string.ascii_uppercase + string.digits)),
    "age": ("AGE_KEY", lambda r: "AGE-SECRET-KEY-1" + r.s(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")),
    "adobe": ("ADOBE_CLIENT_SECRET", lambda r: "p8e-" + r.s(32)),
    "bedrock": ("AWS_BEARER_TOKEN_BEDROCK", lambda r: "ABSK" + base64.b64encode(
        f"BedrockAPIKey-{r.s(4)}-at-{r.digits(12)}:{r.s(60, B64)}".encode()).decode()),
    "maxmind": ("MAXMIND_LICENSE_KEY", lambda r: f"{r.s(6)}_{r.s(29)}_mmk"),
    "settlemint": ("SETTLEMINT_TOKEN", lambda r: "sm_pat_" + r.s(16)),
    "defined-networking": ("DNKEY", lambda r: f"dnkey-{r.s(26, string.ascii_lowercase + string.digits)}-"
                                              f"{r.s(52, string.ascii_lowercase + string.digits)}"),
    "intra42": ("FT_SECRET", lambda r: "s-s4t2ud-" + r.s(64, HEX)),
    "facebook-app": ("FB_APP_TOKEN", lambda r: f"{r.digits(15)}|{r.s(32, HEX)}"),
    "mattermost": ("MATTERMOST_TOKEN", lambda r: r.s(26, string.ascii_lowercase + string.digits)),
    "finnhub": ("FINNHUB_TOKEN", lambda r: r.s(20, string.ascii_lowercase + string.digits)),
    "squarespace": ("SQUARESPACE_API_KEY", lambda r: r.uuid()),
    "bittrex": ("BITTREX_API_SECRET", lambda r: r.s(32, string.ascii_lowercase + string.digits)),
    "jwt": ("SESSION_JWT", lambda r: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + base64.urlsafe_b64encode(
        f'{{"sub":"{r.s(8)}","role":"admin","iat":{r.digits(10)}}}'.encode()).decode().rstrip("=") + "."
        + r.s(43, URLSAFE)),
}
# Keyed generic values: (variable name, value maker).
GENERIC: dict[str, tuple[list[str], Callable[[_Random], str]]] = {
    "password": (["DB_PASSWORD", "smtp_password", "adminPassword", "redisPass", "MYSQL_ROOT_PASSWORD", "passwd"],
                 lambda r: r.s(r.rng.randrange(10, 24), ALNUM + "!#%+-_")),
    "vendor-api-key": (["acme_api_key", "ACME_KEY", "acmeKey", "payments_apikey", "partner-api-key"],
                       lambda r: r.s(r.rng.randrange(24, 48))),
    "vendor-token": (["acme_token", "SERVICE_AUTH_TOKEN", "apiToken", "access_token", "refresh_token"],
                     lambda r: r.s(r.rng.randrange(24, 64), URLSAFE)),
    "client-secret": (["client_secret", "CLIENT_SECRET", "oauthClientSecret", "webhook_secret"],
                      lambda r: r.s(r.rng.randrange(24, 48), URLSAFE)),
    "short-hex-token": (["api_token", "AUTH_TOKEN"], lambda r: r.s(r.rng.choice([12, 16]), HEX)),
    "uuid-api-key": (["acme_api_key", "PARTNER_API_KEY"], lambda r: r.uuid()),
    "long-value": (["session_token", "SSO_TOKEN"], lambda r: r.s(r.rng.randrange(220, 400), URLSAFE)),
}

SERVICES = ["billing", "orders", "search", "ingest", "auth", "mailer", "reports", "gateway"]


def _camel(name: str) -> str:
    parts = name.replace("-", "_").lower().split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def _snake(name: str) -> str:
    out = "".join("_" + c.lower() if c.isupper() and i and name[i - 1].islower() else c.lower()
                  for i, c in enumerate(name))
    return out.replace("-", "_")


# Renderers: (name, value, random) -> (path, text with the value on one line). The value line is
# found by position, so surrounding lines can be anything.
Renderer = Callable[[str, str, _Random], tuple[str, str]]


def _py(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"src/{r.pick(SERVICES)}/settings.py", f'import os\n\nDEBUG = False\n{n} = "{v}"\nTIMEOUT = 30\n'


def _js(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"web/{r.pick(SERVICES)}/client.js", f"'use strict';\nconst {_camel(n)} = '{v}';\nmodule.exports = {{}};\n"


def _ts(n: str, v: str, r: _Random) -> tuple[str, str]:
    return (f"app/src/{r.pick(SERVICES)}.config.ts",
            f"export const config = {{\n  region: 'eu-west-1',\n  {_camel(n)}: \"{v}\",\n}};\n")


def _go(n: str, v: str, r: _Random) -> tuple[str, str]:
    return (f"cmd/{r.pick(SERVICES)}/main.go",
            f'package main\n\nfunc main() {{\n\t{_camel(n)} := "{v}"\n\trun({_camel(n)})\n}}\n')


def _java(n: str, v: str, r: _Random) -> tuple[str, str]:
    return (f"src/main/java/com/acme/{r.pick(SERVICES).capitalize()}Config.java",
            f'package com.acme;\n\npublic class Config {{\n    private static final String {n.upper().replace("-", "_")}'
            f' = "{v}";\n}}\n')


def _kotlin(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"android/app/src/{r.pick(SERVICES)}/Keys.kt", f'object Keys {{\n    const val {_camel(n)} = "{v}"\n}}\n'


def _ruby(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"config/initializers/{r.pick(SERVICES)}.rb", f"Acme.configure do |c|\n  c.{_snake(n)} = '{v}'\nend\n"


def _php(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"wp-content/{r.pick(SERVICES)}-config.php", f"<?php\ndefine( '{n.upper().replace('-', '_')}', '{v}' );\n"


def _csharp(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"src/{r.pick(SERVICES).capitalize()}/Startup.cs", f'var {_camel(n)} = "{v}";\nservices.AddClient();\n'


def _rust(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"src/{r.pick(SERVICES)}.rs", f'fn client() -> Client {{\n    let {_snake(n)} = "{v}";\n    Client::new()\n}}\n'


def _swift(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"ios/{r.pick(SERVICES).capitalize()}/Secrets.swift", f'enum Secrets {{\n    static let {_camel(n)} = "{v}"\n}}\n'


def _yaml(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"config/{r.pick(SERVICES)}.yaml", f"{r.pick(SERVICES)}:\n  enabled: true\n  {_snake(n)}: {v}\n  retries: 3\n"


def _json(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"config/{r.pick(SERVICES)}.json", f'{{\n  "service": "{r.pick(SERVICES)}",\n  "{_camel(n)}": "{v}"\n}}\n'


def _xml(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"conf/{r.pick(SERVICES)}.xml", f'<?xml version="1.0"?>\n<config>\n  <{_camel(n)}>{v}</{_camel(n)}>\n</config>\n'


def _env(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"deploy/{r.pick(SERVICES)}.env", f"APP_ENV=production\n{n.upper().replace('-', '_')}={v}\nLOG_LEVEL=info\n"


def _ini(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"etc/{r.pick(SERVICES)}.ini", f"[{r.pick(SERVICES)}]\nhost = db.internal\n{_snake(n)} = {v}\n"


def _properties(n: str, v: str, r: _Random) -> tuple[str, str]:
    return (f"src/main/resources/application-{r.pick(SERVICES)}.properties",
            f"server.port=8080\nacme.{_snake(n).replace('_', '.')}={v}\n")


def _toml(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"config/{r.pick(SERVICES)}.toml", f'[service]\nname = "{r.pick(SERVICES)}"\n{_snake(n)} = "{v}"\n'


def _shell(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"scripts/{r.pick(SERVICES)}-deploy.sh", f"#!/bin/sh\nset -eu\nexport {n.upper().replace('-', '_')}=\"{v}\"\n./run\n"


def _docker(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"docker/{r.pick(SERVICES)}/Dockerfile", f"FROM python:3.12-slim\nENV {n.upper().replace('-', '_')}={v}\nCMD [\"app\"]\n"


def _tf(n: str, v: str, r: _Random) -> tuple[str, str]:
    return (f"infra/{r.pick(SERVICES)}.tf",
            f'resource "acme_integration" "main" {{\n  name = "{r.pick(SERVICES)}"\n  {_snake(n)} = "{v}"\n}}\n')


def _compose(n: str, v: str, r: _Random) -> tuple[str, str]:
    return ("docker-compose.yml",
            f"services:\n  {r.pick(SERVICES)}:\n    image: acme/app\n    environment:\n      {n.upper().replace('-', '_')}: {v}\n")


def _log(n: str, v: str, r: _Random) -> tuple[str, str]:
    stamp = f"2024-0{r.rng.randrange(1, 9)}-1{r.rng.randrange(0, 9)}T10:0{r.rng.randrange(0, 9)}:00Z"
    line = r.pick([f"{stamp} INFO client: Using Key={v} for upload", f"{stamp} DEBUG auth {_snake(n)}={v}",
                   f"{stamp} WARN retrying with {_snake(n)}: {v}"])
    return f"logs/{r.pick(SERVICES)}.log", f"{stamp} INFO started\n{line}\n{stamp} INFO done\n"


def _go_bare(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"pkg/{r.pick(SERVICES)}/client.rb", f"client = Acme::Client.new\nclient.{_snake(n)} '{v}'\n"


def _dash(n: str, v: str, r: _Random) -> tuple[str, str]:
    return f"notes/{r.pick(SERVICES)}.txt", f"staging creds\nacme token - '{v}'\n"


CODE = [_py, _js, _ts, _go, _java, _kotlin, _ruby, _php, _csharp, _rust, _swift]
CONFIG = [_yaml, _json, _xml, _env, _ini, _properties, _toml, _shell, _docker, _tf, _compose]
OTHER = [_log, _go_bare, _dash]


def _special_positives(r: _Random) -> list[tuple[str, str, str, str]]:
    """(shape, path, text, secret) for the structural shapes of issue 11, item 1."""
    pw, user = r.s(16), r.pick(["deploy", "ci", "svc-build", "admin"])
    key_id, aws_secret = TOKENS["aws-key-id"][1](r), TOKENS["aws-secret"][1](r)
    jenkins = "AQAAABAAAAAQ" + r.s(44, B64) + "="
    k8s_value = base64.b64encode(r.s(20).encode()).decode()
    pem_body = "\n".join(r.s(64, B64) for _ in range(12))
    basic = base64.b64encode(f"{user}:{r.s(9)}".encode()).decode()
    h1, h2 = r.s(8, HEX), r.s(8, HEX)
    api_key, bearer = r.s(32, HEX), r.s(40)
    return [
        ("jenkins-xml", "jenkins/credentials.xml",
         f"<com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n  <username>{user}</username>\n"
         f"  <password>{{{jenkins}}}</password>\n</com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n",
         jenkins),
        ("k8s-secret", f"k8s/{r.pick(SERVICES)}-secret.yaml",
         f"apiVersion: v1\ndata:\n  password: {k8s_value}\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\n", k8s_value),
        ("k8s-stringdata", f"k8s/{r.pick(SERVICES)}-secret.yml",
         f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  API_TOKEN: {pw}\n", pw),
        ("nuget", "nuget.config",
         f'<configuration>\n <packageSourceCredentials>\n  <acme>\n   <add key="Username" value="{user}" />\n'
         f'   <add key="ClearTextPassword" value="{pw}" />\n  </acme>\n </packageSourceCredentials>\n</configuration>\n',
         pw),
        ("curl-user", f"scripts/{r.pick(SERVICES)}.sh", f"curl -fsS -u {user}:{pw} https://nexus.acme.io/repo/\n", pw),
        ("curl-continuation", f"scripts/{r.pick(SERVICES)}-upload.sh",
         f"curl https://registry.acme.io/v2/_catalog \\\n  -X GET \\\n  -u {user}:{pw}\n", pw),
        ("curl-hex-pair", f"scripts/{r.pick(SERVICES)}-sync.sh", f"curl -u {h1}:{h2} https://api.acme.io/v1/sync\n", h2),
        ("curl-header", f"docs/{r.pick(SERVICES)}-api.sh",
         f"curl -X POST https://api.acme.io/v2/jobs -H 'X-API-Key: {api_key}'\n", api_key),
        ("curl-bearer", f"scripts/{r.pick(SERVICES)}-call.sh",
         f'curl https://app.acme.io/api -H "Authorization: {bearer}"\n', bearer),
        ("basic-header", f"src/{r.pick(SERVICES)}/http.py", f'headers = {{"Authorization": "Basic {basic}"}}\n', basic),
        ("url-credentials", f"config/{r.pick(SERVICES)}.cfg", f"broker_url = amqp://{user}:{pw}@mq.internal:5672//\n", pw),
        ("db-url", f"config/{r.pick(SERVICES)}.env", f"DATABASE_URL=postgres://{user}:{pw}@db.internal:5432/shop\n", pw),
        ("aws-pair", "deploy/credentials.csv",
         f"User name,Access key ID,Secret access key\n{user},{key_id},{aws_secret}\n", key_id),
        ("pem-key", f"deploy/{r.pick(SERVICES)}.key",
         f"-----BEGIN RSA PRIVATE KEY-----\n{pem_body}\n-----END RSA PRIVATE KEY-----\n", "-----BEGIN RSA PRIVATE KEY-----"),
        ("sidekiq", "Gemfile.env", f"BUNDLE_ENTERPRISE__CONTRIBSYS__COM={h1}:{h2}\n", f"{h1}:{h2}"),
        ("netrc", ".netrc", f"machine api.acme.io\n  login {user}\n  password {pw}\n", pw),
    ]


def _negatives(r: _Random) -> list[tuple[str, str, str]]:
    """(shape, path, text) that hold no credential."""
    rand = r.s(40)
    return [
        ("placeholder", "config/app.yaml", f"db:\n  password: {r.pick(['changeme', '<your-password>', 'CHANGE_ME', 'xxxxxxxx'])}\n"),
        ("placeholder", "deploy/app.env", f"API_KEY={r.pick(['${API_KEY}', 'your-api-key-here', '********', 'REPLACE_ME'])}\n"),
        ("template", "charts/app/templates/secret.yaml",
         "apiVersion: v1\nkind: Secret\nstringData:\n  password: {{ .Values.db.password }}\n"),
        ("reference", "src/app/settings.py", "import os\nSECRET_KEY = os.environ['SECRET_KEY']\nDB_PASSWORD = config.get('db_password')\n"),
        ("reference", "web/client.js", "const apiKey = process.env.ACME_API_KEY;\nconst token = await getToken(user);\n"),
        ("reference", "cmd/main.go", 'token := os.Getenv("GITHUB_TOKEN")\npassword := cfg.Password\n'),
        ("documented-example", "docs/aws.md",
         "```\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n```\n"),
        ("documented-example", "README.md", "Connect with `postgresql://scott:tiger@localhost/test`.\n"),
        ("documented-example", "setup.cfg", "[db]\nurl = mysql://scott:tiger@localhost/test\n"),
        ("documented-example", "docs/jwt.md",
         "Example: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
         "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n"),
        ("hash", "checksums.txt", f"sha256: {r.s(64, HEX)}  app.tar.gz\nmd5: {r.s(32, HEX)}  app.zip\n"),
        ("hash", "deploy/release.yaml", f"image: acme/app@sha256:{r.s(64, HEX)}\ncommit: {r.s(40, HEX)}\n"),
        ("hash", "web/asset-manifest.json", f'{{"favicon.ico": "static/favicon.ico-{r.s(32, HEX)}"}}\n'),
        ("integrity", "web/deps.json", f'{{"integrity": "sha512-{r.s(86, B64)}=="}}\n'),
        ("uuid-id", "config/tracing.yaml", f"request_id: {r.uuid()}\ntenant_id: {r.uuid()}\n"),
        ("i18n", "locales/fr.json", '{\n  "password": "Mot de passe",\n  "passwordForgot": "Mot de passe oublié ?"\n}\n'),
        ("i18n", "locales/ru.json", '{\n  "password": "Пароль",\n  "token": "Токен доступа"\n}\n'),
        ("i18n", "src/main/resources/messages_de.properties", "login.password=Passwort\nlogin.token=Zugangstoken\n"),
        ("csrf", "templates/base.html", f'<meta name="csrf-token" content="{r.s(40, URLSAFE)}">\n'),
        ("csrf", "web/app.js", f'const csrfToken = "{r.s(32)}";\n'),
        ("publishable", "web/checkout.js", f"const stripe = Stripe('pk_live_{r.s(24)}');\n"),
        ("publishable", "deploy/web.env", f"STRIPE_PUBLISHABLE_KEY=pk_live_{r.s(24)}\n"),
        ("maven", "build.gradle", "implementation 'com.acme.sdk:api-key-client:2.1.0'\ntokenClient = 'com.acme:token-service:1.4.2'\n"),
        ("identifier", "web/grid.js", f'const rookTable = "{rand}";\nconst sumOfExposures = "{r.s(40)}";\n'),
        ("identifier", "src/app/limits.py", "password_reset_token_expiry = 3600\nmax_tokens = 4096\ntokenizer = 'bert-base'\n"),
        ("dummy", "config/dev.yaml", "api_key: 1234567890abcdef\ntoken: abcdefghijklmnopqrstuvwxyz\n"),
        ("dummy", "config/local.env", "SECRET=aaaaaaaaaaaaaaaaaaaa\nTOKEN=0000000000000000\n"),
        ("public-key", "deploy/id_rsa.pub", f"ssh-rsa AAAAB3NzaC1yc2E{r.s(200, B64)} deploy@ci\n"),
        ("public-key", "certs/ca.pem", f"-----BEGIN CERTIFICATE-----\n{r.s(64, B64)}\n-----END CERTIFICATE-----\n"),
        ("data-uri", "web/logo.css", f"background: url(data:image/png;base64,iVBORw0KGgo{r.s(120, B64)});\n"),
        ("url-no-password", "config/db.yaml", "url: postgres://app@db.internal:5432/shop\nredis: redis://cache:6379/0\n"),
        ("computed", "src/auth.py", "password = hashlib.sha256(raw).hexdigest()\ntoken = jwt.encode(claims, key)\n"),
        ("curl-variables", "scripts/call.sh", 'curl -u "$USER:$PASSWORD" -H "Authorization: Bearer $TOKEN" https://x\n'),
        ("log", "logs/app.log", "2024-01-01 INFO token refreshed for user 1234\n2024-01-01 INFO using key id 7\n"),
        ("configmap", "k8s/config.yaml",
         f"apiVersion: v1\nkind: ConfigMap\ndata:\n  mode: {r.s(30)}\n  token_url: https://auth.acme.io/token\n"),
        ("version", "package.json", '{"name": "shop", "version": "1.2.3", "dependencies": {"token-utils": "^2.0.1"}}\n'),
    ]


def build(seed: int = 11, per_token: int = 4, per_generic: int = 12, per_special: int = 6,
          per_negative: int = 8) -> list[Sample]:
    """The whole corpus; counts are samples per token type, generic shape, special shape and negative."""
    r = _Random(seed)
    samples: list[Sample] = []

    def add(shape: str, path: str, text: str, secret: str) -> None:
        at = text.index(secret)
        line = text.count("\n", 0, at) + 1
        last = line + (text.count("\n", at, text.index("-----END")) if shape == "pem-key" else 0)
        samples.append(Sample(f"pos/{len(samples):04d}/{path}", text, (line, last), shape))

    renderers = [*CODE, *CONFIG]
    for shape, (name, make) in TOKENS.items():
        for _ in range(per_token):
            value = make(r)
            path, text = r.rng.choice(renderers)(name, value, r)
            add(shape, path, text, value)
    for shape, (names, make) in GENERIC.items():
        for _ in range(per_generic):
            value = make(r)
            render = r.rng.choice([*renderers, *OTHER] if shape == "vendor-api-key" else renderers)
            path, text = render(r.pick(names), value, r)
            add(shape, path, text, value)
    for _ in range(per_special):
        for shape, path, text, secret in _special_positives(r):
            add(shape, path, text, secret)
    for _ in range(per_negative):
        for shape, path, text in _negatives(r):
            samples.append(Sample(f"neg/{len(samples):04d}/{path}", text, None, shape, positive=False))
    return samples


def write(samples: list[Sample], root: Path) -> None:
    for sample in {s.path: s for s in samples}.values():  # several labelled spans may share a file
        target = root / sample.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(sample.text, encoding="utf-8")
