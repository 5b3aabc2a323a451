"""Load and validate a deploy playbook (YAML), applying one environment's overlay.

Every error names the file, the line and the key (``playbooks/web.yml:12: image.context: ...``),
because a playbook mistake found halfway through a deploy is the worst kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from opskit.core.errors import InputError
from opskit.core.inputs import kind_of
from opskit.core.yamlfile import load_yaml
from opskit.deploy.interface import (
    DEFAULT_GATE,
    Hooks,
    HttpCheck,
    ImageSpec,
    Playbook,
    PrometheusGateSpec,
    RegistrySpec,
    RollbackPolicy,
    TerraformSpec,
)
from opskit.monitor.checks_file import LINE_KEY, load_checks, parse_checks
from opskit.monitor.connection import Connection
from opskit.monitor.interface import AnyCheck, GateSettings

DEFAULT_ENV = "default"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ENV_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TF_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ROLLBACK_VERIFY = ("http", "full", "none")

_TOP_KEYS = {
    "service",
    "image",
    "registry",
    "terraform",
    "checks",
    "hooks",
    "rollback",
    "state_dir",
    "environments",
}


class _Reader:
    """Typed access to one YAML mapping, with errors that carry file, line and dotted key."""

    def __init__(self, source: Path, lines: Mapping[str, int], data: Any, path: str) -> None:
        self.source = source
        self.lines = lines
        self.path = path
        if not isinstance(data, dict):
            self.fail(path, f"must be a mapping, got {_kind(data)}")
        self.data: dict[str, Any] = data

    def fail(self, key: str, message: str) -> NoReturn:
        line = self.lines.get(key)
        where = f"{self.source}:{line}" if line else str(self.source)
        raise InputError(f"{where}: {key or 'playbook'}: {message}")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def only(self, allowed: set[str] | frozenset[str]) -> None:
        for name in self.data:
            if name not in allowed:
                self.fail(self.key(str(name)), f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        if name not in self.data or self.data[name] is None:
            if required:
                self.fail(self.path, f"missing required key {name!r}")
            return default
        value = self.data[name]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            self.fail(self.key(name), f"must be a number, got {_kind(value)}")
        if not isinstance(value, kind):
            expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.fail(self.key(name), f"must be {expected}, got {_kind(value)}")
        return value

    def number(self, name: str, default: float, minimum: float = 0.0) -> float:
        value = float(self.get(name, (int, float), default))
        if value < minimum:
            self.fail(self.key(name), f"must be at least {minimum:g}, got {value:g}")
        return value

    def integer(self, name: str, default: int, minimum: int = 0) -> int:
        value = int(self.get(name, int, default))
        if value < minimum:
            self.fail(self.key(name), f"must be at least {minimum}, got {value}")
        return value

    def env_name(self, name: str) -> str | None:
        value = self.get(name, str)
        if value is not None and not _ENV_VAR.match(value):
            self.fail(self.key(name), f"{value!r} is not an environment variable name")
        return value

    def section(self, name: str, required: bool = False) -> _Reader:
        return _Reader(self.source, self.lines, self.get(name, dict, {}, required), self.key(name))

    def path_value(self, name: str, base: Path, must_be_dir: bool = False, required: bool = True) -> Path:
        raw = self.get(name, str, required=required)
        try:
            path = (base / raw).resolve() if raw is not None else base
            is_dir, is_file, exists = path.is_dir(), path.is_file(), path.exists()
        except (OSError, ValueError) as exc:  # ENAMETOOLONG, ELOOP, an embedded NUL
            reason = getattr(exc, "strerror", None) or str(exc)
            self.fail(self.key(name), f"unusable path ({len(raw or '')} characters): {reason}")
        if must_be_dir and not is_dir:
            self.fail(self.key(name), f"{path} is not a directory" if exists else f"directory {path} does not exist")
        if not must_be_dir and not is_file:
            kind = kind_of(path.stat().st_mode) if exists else None
            problem = f"{path} is {kind}, not a regular file" if kind else f"file {path} does not exist"
            self.fail(self.key(name), problem)
        return path


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _overlay(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``extra`` over ``base``: mappings merge, everything else is replaced."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _overlay(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_lines(lines: Mapping[str, int], env: str) -> dict[str, int]:
    """Line numbers for the merged playbook: an environment's own keys point into its overlay."""
    prefix = f"environments.{env}."
    merged = dict(lines)
    merged.update({k[len(prefix) :]: v for k, v in lines.items() if k.startswith(prefix)})
    return merged


def read_yaml(source: Path) -> tuple[Any, dict[str, int]]:
    """Parse ``source`` and return its data and key line numbers; InputError names file and line."""
    document = load_yaml(source, "playbook")
    return document.data, dict(document.lines)


def load_playbook(source: Path, env: str | None = None) -> Playbook:
    """Read, overlay ``env`` and validate a playbook; the result has absolute paths only."""
    source = Path(source)
    data, lines = read_yaml(source)
    top = _Reader(source, lines, data, "")
    top.only(_TOP_KEYS)
    environments = top.section("environments")
    chosen = env or DEFAULT_ENV
    if environments.data:
        if chosen not in environments.data:
            names = ", ".join(sorted(environments.data))
            top.fail("environments", f"no environment {chosen!r} (defined: {names}); pass --env")
        overlay = environments.section(chosen)
        overlay.only(_TOP_KEYS - {"service", "environments"})
        data = _overlay({k: v for k, v in data.items() if k != "environments"}, overlay.data)
        lines = _env_lines(lines, chosen)
    elif env not in (None, DEFAULT_ENV):
        top.fail("", f"no environments are defined, so --env {env!r} cannot be used")
    reader = _Reader(source, lines, data, "")
    return _build(reader, source.parent.resolve(), chosen)


def _build(top: _Reader, base: Path, env: str) -> Playbook:
    service = top.get("service", str, required=True)
    if not _NAME.match(service):
        top.fail("service", f"{service!r} must be letters, digits, '.', '_' or '-'")
    checks = top.section("checks")
    checks.only({"http", "prometheus"})
    state_dir = top.get("state_dir", str, ".opskit/deploy")
    return Playbook(
        source=top.source.resolve(),
        service=service,
        env=env,
        image=_image(top.section("image", required=True), base),
        registry=_registry(top.section("registry")),
        terraform=_terraform(top.section("terraform", required=True), base),
        http_checks=_http_checks(checks),
        gate=_gate(checks.section("prometheus"), base) if checks.data.get("prometheus") else None,
        hooks=_hooks(top.section("hooks")),
        rollback=_rollback(top.section("rollback")),
        state_dir=(base / state_dir).resolve(),
    )


def _image(r: _Reader, base: Path) -> ImageSpec:
    r.only({"repository", "context", "dockerfile", "build_args", "tag", "network_mode"})
    repository = r.get("repository", str, required=True)
    if "@" in repository or re.search(r":[^/]*$", repository):
        r.fail(r.key("repository"), f"{repository!r} must not carry a tag or digest (set image.tag)")
    context = r.path_value("context", base, must_be_dir=True)
    dockerfile = r.get("dockerfile", str, "Dockerfile")
    if not (context / dockerfile).is_file():
        r.fail(r.key("dockerfile"), f"{context / dockerfile} does not exist")
    build_args = r.get("build_args", dict, {})
    for key, value in build_args.items():
        if isinstance(value, (dict, list)) or value is None:
            r.fail(r.key(f"build_args.{key}"), "must be a string or number")
    tag = r.get("tag", str, "{commit}")
    try:
        tag.format(commit="0" * 12, env="env")
    except (KeyError, IndexError, ValueError) as exc:
        r.fail(r.key("tag"), f"unknown placeholder {exc} (use {{commit}} and {{env}})")
    return ImageSpec(
        repository=repository,
        context=context,
        dockerfile=dockerfile,
        build_args={str(k): str(v) for k, v in build_args.items()},
        tag=tag,
        network_mode=r.get("network_mode", str),
    )


def _registry(r: _Reader) -> RegistrySpec:
    r.only({"username_env", "password_env"})
    username, password = r.env_name("username_env"), r.env_name("password_env")
    if bool(username) != bool(password):
        r.fail(r.path, "set both username_env and password_env, or neither")
    return RegistrySpec(username_env=username, password_env=password)


def _terraform(r: _Reader, base: Path) -> TerraformSpec:
    r.only({"dir", "image_variable", "variables", "secret_variables", "binary"})
    variables = r.get("variables", dict, {})
    secrets = r.get("secret_variables", dict, {})
    for name in [*variables, *secrets]:
        if not _TF_VAR.match(str(name)):
            r.fail(r.key(f"variables.{name}"), f"{name!r} is not a Terraform variable name")
    for name, env_name in secrets.items():
        if not isinstance(env_name, str) or not _ENV_VAR.match(env_name):
            r.fail(r.key(f"secret_variables.{name}"), "must name the environment variable holding the value")
        if name in variables:
            r.fail(r.key(f"secret_variables.{name}"), "is also set in terraform.variables")
    image_variable = r.get("image_variable", str, "image")
    if image_variable in variables:
        r.fail(r.key(f"variables.{image_variable}"), "is set by opskit to the image digest; remove it")
    return TerraformSpec(
        directory=r.path_value("dir", base, must_be_dir=True),
        image_variable=image_variable,
        variables=dict(variables),
        secret_variables=dict(secrets),
        binary=r.get("binary", str, "terraform"),
    )


def _http_checks(checks: _Reader) -> tuple[HttpCheck, ...]:
    items = checks.get("http", list, [])
    result = []
    for index, item in enumerate(items):
        r = _Reader(checks.source, checks.lines, item, checks.key(f"http.{index}"))
        r.only({"url", "expect_status", "timeout", "retries", "interval"})
        url = r.get("url", str, required=True)
        if not url.startswith(("http://", "https://")):
            r.fail(r.key("url"), f"{url!r} must start with http:// or https://")
        status = r.integer("expect_status", 200, minimum=100)
        if status > 599:
            r.fail(r.key("expect_status"), f"{status} is not an HTTP status")
        result.append(
            HttpCheck(
                url=url,
                expect_status=status,
                timeout=r.number("timeout", 5.0, minimum=0.1),
                retries=r.integer("retries", 10, minimum=1),
                interval=r.number("interval", 1.0),
            )
        )
    return tuple(result)


_CONNECTION_KEYS = {"url", "token_env", "token_file", "username", "password_env", "ca_bundle", "insecure", "timeout"}
_GATE_KEYS = {"checks", "interval", "count", "failure_limit", "consecutive_error_limit", "inconclusive_limit"}


def _gate(r: _Reader, base: Path) -> PrometheusGateSpec:
    """The gate: monitor's ``Connection`` (TLS CA, basic auth, token) and ``GateSettings`` from the playbook."""
    r.only(_CONNECTION_KEYS | _GATE_KEYS)
    url = r.get("url", str, required=True)
    if not url.startswith(("http://", "https://")):
        r.fail(r.key("url"), f"{url!r} must start with http:// or https://")
    if r.get("token_env", str) and r.get("username", str):
        r.fail(r.key("username"), "give either token_env or username (basic auth), not both")
    connection = Connection(
        url=url,
        token_env=r.env_name("token_env"),
        token_file=r.path_value("token_file", base, required=False) if r.data.get("token_file") else None,
        username=r.get("username", str),
        password_env=r.env_name("password_env") or "PROMETHEUS_PASSWORD",
        ca_bundle=r.path_value("ca_bundle", base, required=False) if r.data.get("ca_bundle") else None,
        verify=not r.get("insecure", bool, False),
        timeout=r.number("timeout", 10.0, minimum=0.1),
    )
    defaults = DEFAULT_GATE
    settings = GateSettings(
        interval=r.number("interval", defaults.interval),
        count=r.integer("count", defaults.count, minimum=1),
        failure_limit=r.integer("failure_limit", defaults.failure_limit),
        consecutive_error_limit=r.integer("consecutive_error_limit", defaults.consecutive_error_limit, minimum=1),
        inconclusive_limit=r.integer("inconclusive_limit", defaults.inconclusive_limit),
    )
    return PrometheusGateSpec(connection=connection, checks=_gate_checks(r, base), settings=settings)


def _gate_checks(r: _Reader, base: Path) -> tuple[AnyCheck, ...]:
    """The gate's checks and SLOs: a monitor checks file, or the same items inline (with their lines)."""
    value = r.get("checks", (str, list), required=True)
    if isinstance(value, str):
        return tuple(load_checks(r.path_value("checks", base)))
    if not value:
        r.fail(r.key("checks"), "needs at least one check or SLO")
    key = r.key("checks")
    items = [
        {**item, LINE_KEY: r.lines.get(f"{key}.{index}", 0)} if isinstance(item, dict) else item
        for index, item in enumerate(value)
    ]
    return tuple(parse_checks(items, r.source))


def _hooks(r: _Reader) -> Hooks:
    r.only({"pre_deploy", "post_deploy", "timeout"})
    commands = {}
    for name in ("pre_deploy", "post_deploy"):
        value = r.get(name, (list, str), [])
        value = [value] if isinstance(value, str) else value
        for index, command in enumerate(value):
            if isinstance(command, dict):
                r.fail(r.key(f"{name}.{index}"), "is a mapping, not a command; quote commands containing ': '")
            if not isinstance(command, str) or not command.strip():
                r.fail(r.key(f"{name}.{index}"), "must be a non-empty shell command")
        commands[name] = tuple(value)
    return Hooks(
        pre_deploy=commands["pre_deploy"],
        post_deploy=commands["post_deploy"],
        timeout=r.number("timeout", 300.0, minimum=1.0),
    )


def _rollback(r: _Reader) -> RollbackPolicy:
    r.only({"automatic", "verify"})
    verify = r.get("verify", str, "http")
    if verify not in _ROLLBACK_VERIFY:
        r.fail(r.key("verify"), f"{verify!r} must be one of: {', '.join(_ROLLBACK_VERIFY)}")
    return RollbackPolicy(automatic=r.get("automatic", bool, True), verify=verify)
