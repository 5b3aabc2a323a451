"""The one adapter to a Prometheus server: prometheus-api-client for PromQL, requests for the rest.

Both share one ``requests.Session`` carrying the credentials, CA bundle, timeout and bounded
retries, so swapping the HTTP library means replacing this module only. Tokens and passwords
never reach a message: every error text goes through ``scrub``.

The server is not trusted: ``timeout`` bounds each whole request and bodies are capped
(``transport.BoundedAdapter``), and every answer is checked against the documented shape
(``answers``) before use; anything else is one ServiceError line naming the endpoint (exit 3).
"""

from __future__ import annotations

import ast
import json
import os
import statistics
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
import urllib3
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.exceptions import InsecureRequestWarning, ReadTimeoutError
from urllib3.util.retry import Retry

from opskit.core.errors import InputError, OpskitError, ServiceError, UsageError
from opskit.core.inputs import read_input_bytes
from opskit.core.redact import mask_dsn, scrub
from opskit.monitor.answers import Malformed, check_data, instant_samples, range_series
from opskit.monitor.durations import parse_duration
from opskit.monitor.interface import PrometheusClient, QueryError, Reducer, Sample
from opskit.monitor.transport import AnswerTooLarge, BoundedAdapter

T = TypeVar("T")

CONNECT_RETRIES = 2  # attempts after the first when the connection cannot be made
STATUS_RETRIES = 2  # attempts after the first on 502/503/504


def read_token(token_env: str | None, token_file: Path | None) -> str | None:
    if token_env and token_file:
        raise UsageError("give either --token-env or --token-file, not both")
    if token_env:
        token = os.environ.get(token_env, "").strip()
        if not token:
            raise UsageError(f"environment variable {token_env} (--token-env) is empty or unset")
        return token
    if token_file:
        try:
            token = read_input_bytes(token_file, "token file", 64 * 1024).decode("utf-8").strip()
        except UnicodeDecodeError:
            raise InputError(f"{token_file}: cannot read token file: not UTF-8 text") from None
        if not token:
            raise InputError(f"{token_file}: token file is empty")
        return token
    return None


def split_credentials(url: str, basic_auth: tuple[str, str] | None) -> tuple[str, tuple[str, str] | None]:
    """``https://user:pw@host`` becomes ``https://host`` plus basic auth, so no report shows the password."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--url {mask_dsn(url)!r}: expected an http:// or https:// URL")
    if parts.username is None:
        return url, basic_auth
    netloc = parts.netloc.rsplit("@", 1)[1]
    plain = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return plain, basic_auth or (unquote(parts.username), unquote(parts.password or ""))


def _error_body(raw: Any) -> tuple[str, str]:
    """errorType and error of a Prometheus error response body (bytes, text or parsed)."""
    try:
        body = json.loads(raw) if isinstance(raw, (bytes, str)) else raw
        return str(body.get("errorType", "error")), str(body.get("error", "")).strip()
    except (ValueError, AttributeError):
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return "error", text.strip()[:200]


class HttpPrometheusClient(PrometheusClient):
    """A Prometheus reached over HTTP(S) with optional bearer token or basic auth."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        ca_bundle: Path | None = None,
        verify: bool = True,
        timeout: float = 10.0,
    ) -> None:
        url, basic_auth = split_credentials(url, basic_auth)
        if token and basic_auth:
            raise UsageError("give either a bearer token or basic auth, not both")
        if ca_bundle is not None and not ca_bundle.is_file():
            raise InputError(f"{ca_bundle}: CA bundle not found")
        self.url = url.rstrip("/")
        self._secrets = [s for s in (token, basic_auth[1] if basic_auth else None) if s]
        # connect attempts share one timeout budget; a slow answer gets the whole timeout once.
        self._timeout = (timeout / (CONNECT_RETRIES + 1), timeout)
        self._session = requests.Session()
        self._session.verify = str(ca_bundle) if ca_bundle else verify
        if not verify:  # the user asked for it (--insecure); no multi-line warning per request
            urllib3.disable_warnings(InsecureRequestWarning)
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        if basic_auth:
            self._session.auth = basic_auth
        retry = Retry(
            total=CONNECT_RETRIES + STATUS_RETRIES,
            connect=CONNECT_RETRIES,
            read=0,
            other=0,
            status=STATUS_RETRIES,
            backoff_factor=0.1,
            status_forcelist=(502, 503, 504),
            allowed_methods=("GET", "POST"),
            raise_on_status=False,
        )
        self._prom = PrometheusConnect(url=self.url, session=self._session, retry=retry, timeout=timeout)
        self._prom._timeout = self._timeout  # the library passes it straight to requests
        # after the library, which mounts a plain HTTPAdapter for the URL: one deadline for connect,
        # retries, headers and body of every request, and a cap on every body
        bounded = BoundedAdapter(deadline=timeout, max_retries=retry)
        for prefix in ("http://", "https://", self.url):
            self._session.mount(prefix, bounded)

    def _scrub(self, text: str) -> str:
        return scrub(text, self._secrets)

    def _calling(self, endpoint: str) -> AbstractContextManager[None]:
        return failures_as_service_errors(f"{self.url}{endpoint}", self._timeout[1], self._secrets)

    def _check_status(self, endpoint: str, status: int, body: Any) -> None:
        where = f"{self.url}{endpoint}"
        if status in (401, 403):
            word = "unauthorized" if status == 401 else "forbidden"
            raise ServiceError(f"{where}: {status} {word} (check the token or basic auth credentials)")
        if status in (400, 422, 503) and endpoint.startswith("/api/v1/query"):
            kind, message = _error_body(body)
            raise QueryError(kind, self._scrub(message or f"HTTP {status}"))
        if status >= 400:
            kind, message = _error_body(body)
            raise ServiceError(self._scrub(f"{where}: HTTP {status} {message}".rstrip()))

    def _promql(self, endpoint: str, call: Callable[[], T]) -> T:
        with self._calling(endpoint):
            try:
                return call()
            except PrometheusApiClientException as exc:
                status, body = _parse_library_error(str(exc))
                self._check_status(endpoint, status, body)
                raise ServiceError(self._scrub(f"{self.url}{endpoint}: {exc}")) from None
            except (QueryError, OpskitError, Malformed, RecursionError):
                raise
            except (ValueError, KeyError, TypeError, AttributeError, IndexError):  # a 200 that is not Prometheus' JSON
                raise ServiceError(f"{self.url}{endpoint}: unexpected answer (is this a Prometheus?)") from None

    def query(self, promql: str) -> list[Sample]:
        return self._promql("/api/v1/query", lambda: instant_samples(self._prom.custom_query(promql)))

    def query_range(self, promql: str, seconds: float, step: str, reduce: Reducer) -> list[Sample]:
        end = datetime.now(UTC)
        start = end - timedelta(seconds=seconds)
        step_seconds = f"{parse_duration(step):g}"
        series = self._promql(
            "/api/v1/query_range",
            lambda: range_series(
                self._prom.custom_query_range(promql, start_time=start, end_time=end, step=step_seconds)
            ),
        )
        reducers: dict[str, Callable[[list[float]], float]] = {
            "max": max,
            "min": min,
            "avg": statistics.fmean,
            "last": lambda values: values[-1],
        }
        return [Sample(labels=labels, value=reducers[reduce](values)) for labels, values in series if values]

    def _get(self, endpoint: str, params: dict[str, str] | None = None) -> requests.Response:
        with self._calling(endpoint):
            # verify given per request: a session's own is overridden by $REQUESTS_CA_BUNDLE
            return self._session.get(
                f"{self.url}{endpoint}", params=params, timeout=self._timeout, verify=self._session.verify
            )

    def api(self, path: str, **params: str) -> Any:
        endpoint = f"/api/v1/{path}"
        resp = self._get(endpoint, params or None)
        self._check_status(endpoint, resp.status_code, resp.content)
        with self._calling(endpoint):
            try:
                body = resp.json()
            except ValueError:
                raise ServiceError(f"{self.url}{endpoint}: answer is not JSON (is this a Prometheus?)") from None
            if not isinstance(body, dict) or body.get("status") != "success":
                raise ServiceError(f"{self.url}{endpoint}: unexpected answer (is this a Prometheus?)")
            return check_data(path, body.get("data"))

    def probe(self, path: str) -> tuple[int, str]:
        resp = self._get(path)
        if resp.status_code in (401, 403):
            self._check_status(path, resp.status_code, resp.content)
        return resp.status_code, resp.text.strip()[:200]


@contextmanager
def failures_as_service_errors(
    where: str, timeout: float, secrets: Sequence[str], server: str = "Prometheus"
) -> Iterator[None]:
    """Turn transport failures of a request to ``where`` into one ServiceError line naming it.

    Shared by the Prometheus and Alertmanager clients, which speak through the same bounded transport."""
    try:
        yield
    except requests.exceptions.SSLError:
        hint = "give the CA: --ca-bundle, or ca_bundle in a playbook's gate"
        raise ServiceError(f"{where}: TLS verification failed ({hint})") from None
    except requests.exceptions.ConnectTimeout:
        raise ServiceError(f"{where}: unreachable (connect timed out after {timeout:g}s)") from None
    except requests.exceptions.Timeout:
        raise ServiceError(f"{where}: no complete answer within {timeout:g}s") from None
    except AnswerTooLarge as exc:
        raise ServiceError(f"{where}: {exc}") from None
    except Malformed as exc:
        raise ServiceError(f"{where}: malformed answer: {exc} (is this a {server}?)") from None
    except RecursionError:
        raise ServiceError(f"{where}: malformed answer: JSON nested too deeply (is this a {server}?)") from None
    except requests.exceptions.ConnectionError as exc:
        cause = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(cause, ReadTimeoutError):  # read retries off: urllib3 wraps the timeout
            raise ServiceError(f"{where}: no answer within {timeout:g}s") from None
        text = str(exc)
        if "refused" in text.lower():
            reason = "connection refused"
        elif "NameResolutionError" in text or "Failed to resolve" in text:
            reason = "host name not found"
        else:
            reason = "cannot connect"
        raise ServiceError(f"{where}: unreachable ({reason})") from None
    except requests.exceptions.RequestException as exc:
        raise ServiceError(scrub(f"{where}: request failed: {type(exc).__name__}", secrets)) from None


def _parse_library_error(text: str) -> tuple[int, Any]:
    """prometheus-api-client reports ``HTTP Status Code 422 (b'{...}')``; recover code and body."""
    head, _, rest = text.partition(" (")
    try:
        status = int(head.rsplit(" ", 1)[-1])
    except ValueError:
        return 0, text
    try:
        body = ast.literal_eval(rest[:-1]) if rest.endswith(")") else rest
    except (ValueError, SyntaxError):
        body = rest
    return status, body


def connect(
    url: str,
    *,
    token_env: str | None = None,
    token_file: Path | None = None,
    basic_auth: tuple[str, str] | None = None,
    ca_bundle: Path | None = None,
    verify: bool = True,
    timeout: float = 10.0,
) -> PrometheusClient:
    """A client for ``url`` that has answered once: ServiceError if unreachable or refusing us."""
    client = HttpPrometheusClient(
        url,
        token=read_token(token_env, token_file),
        basic_auth=basic_auth,
        ca_bundle=ca_bundle,
        verify=verify,
        timeout=timeout,
    )
    client.api("status/buildinfo")
    return client
