"""The one wrapper around the Docker SDK: build with streamed output, push, return the registry digest;
or find the digest of an image already pushed under the tag.

The engine comes from the environment (``DOCKER_HOST`` etc., as the docker CLI). Registry
credentials come from the env vars the playbook names and are scrubbed from every line this
module emits or raises. A push reports failures in-band (``error``/``errorDetail`` keys in the
JSON stream, with HTTP 200), so every chunk is checked, and no digest means no success.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions

from opskit.core.errors import InputError, ServiceError
from opskit.core.progress import progress
from opskit.core.redact import scrub
from opskit.deploy.interface import BuiltImage, ImageBuilder, ImageSpec, LineSink, RegistrySpec

_TRANSPORT_ERRORS = (
    docker.errors.DockerException,
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
)
_STEP = re.compile(r"^Step (\d+)/(\d+) :")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


class DockerImageBuilder(ImageBuilder):
    """Builds with the engine's classic builder and pushes to the playbook's registry."""

    def __init__(self, registry: RegistrySpec, show_progress: bool, timeout: float = 600.0) -> None:
        self.registry = registry
        self.show_progress = show_progress
        self.timeout = timeout
        self.secrets = tuple(os.environ.get(n, "") for n in (registry.password_env,) if n)

    def _client(self) -> docker.APIClient:
        host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        try:
            client = docker.from_env(timeout=int(self.timeout)).api
            client.ping()
        except _TRANSPORT_ERRORS as exc:
            raise ServiceError(
                f"docker engine {host} unreachable: {self._clean(str(exc))} "
                "(start the engine, or set DOCKER_HOST to one that runs, e.g. unix:///run/docker.sock)"
            ) from None
        return client

    def check_ready(self) -> None:
        self._client()

    def _clean(self, text: str) -> str:
        return scrub(text, self.secrets).strip()

    def _auth(self) -> dict[str, str] | None:
        if not self.registry.username_env or not self.registry.password_env:
            return None
        missing = [n for n in (self.registry.username_env, self.registry.password_env) if n not in os.environ]
        if missing:
            raise InputError(f"registry credentials: environment variable(s) {', '.join(missing)} not set")
        return {
            "username": os.environ[self.registry.username_env],
            "password": os.environ[self.registry.password_env],
        }

    def build_and_push(self, spec: ImageSpec, tag: str, labels: Mapping[str, str], log: LineSink) -> BuiltImage:
        client = self._client()
        image_id = self._build(client, spec, tag, labels, log)
        digest = self._push(client, spec.repository, tag, log)
        return BuiltImage(
            repository=spec.repository, tag=tag, digest_ref=f"{spec.repository}@{digest}", image_id=image_id
        )

    def pushed_image(self, spec: ImageSpec, tag: str) -> BuiltImage | None:
        ref = f"{spec.repository}:{tag}"
        try:
            found = self._client().inspect_distribution(ref, auth_config=self._auth())
        except docker.errors.NotFound:
            return None
        except docker.errors.APIError as exc:
            raise ServiceError(f"registry lookup of {ref} failed: {self._clean(exc.explanation or str(exc))}") from None
        except _TRANSPORT_ERRORS as exc:
            raise ServiceError(f"registry lookup of {ref} failed: {self._clean(str(exc))}") from None
        digest = found.get("Descriptor", {}).get("digest") if isinstance(found, dict) else None
        if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
            raise ServiceError(f"registry lookup of {ref} answered no sha256 digest")
        return BuiltImage(repository=spec.repository, tag=tag, digest_ref=f"{spec.repository}@{digest}", image_id="")

    def _stream(self, chunks: Iterable[Any], what: str) -> Iterator[dict[str, Any]]:
        """Decoded chunks; engine errors become ServiceError, in-band errors are left to the caller."""
        try:
            for chunk in chunks:
                if isinstance(chunk, dict):
                    yield chunk
        except _TRANSPORT_ERRORS as exc:
            raise ServiceError(f"docker {what} failed: {self._clean(str(exc))}") from None

    def _build(
        self, client: docker.APIClient, spec: ImageSpec, tag: str, labels: Mapping[str, str], log: LineSink
    ) -> str:
        where = spec.context / spec.dockerfile
        try:
            chunks = client.build(
                path=str(spec.context),
                dockerfile=spec.dockerfile,
                tag=f"{spec.repository}:{tag}",
                buildargs=dict(spec.build_args),
                labels=dict(labels),
                network_mode=spec.network_mode,
                rm=True,
                forcerm=True,
                decode=True,
            )
        except docker.errors.APIError as exc:
            raise InputError(f"{where}: build failed: {self._clean(exc.explanation or str(exc))}") from None
        except _TRANSPORT_ERRORS as exc:
            raise ServiceError(f"docker build failed: {self._clean(str(exc))}") from None
        image_id = ""
        with progress(f"build {spec.repository}:{tag}", None, enabled=self.show_progress) as bar:
            for chunk in self._stream(chunks, "build"):
                if "error" in chunk:
                    detail = chunk.get("errorDetail", {}).get("message") or chunk["error"]
                    raise InputError(f"{where}: build failed: {self._clean(str(detail))}")
                image_id = chunk.get("aux", {}).get("ID", image_id)
                for line in str(chunk.get("stream", "")).splitlines():
                    step = _STEP.match(line)
                    if step:
                        bar.set_total(int(step.group(2)))
                        bar.advance()
                    if line.strip() and not self.show_progress:
                        log(self._clean(line))
        if not image_id:
            raise ServiceError(f"docker build of {where} finished without an image id")
        return image_id

    def _push(self, client: docker.APIClient, repository: str, tag: str, log: LineSink) -> str:
        try:
            chunks = client.push(repository, tag=tag, stream=True, decode=True, auth_config=self._auth())
        except _TRANSPORT_ERRORS as exc:
            raise ServiceError(f"docker push {repository}:{tag} failed: {self._clean(str(exc))}") from None
        digest = None
        layers_done: set[str] = set()
        with progress(f"push {repository}:{tag}", None, enabled=self.show_progress) as bar:
            for chunk in self._stream(chunks, "push"):
                if "error" in chunk or "errorDetail" in chunk:
                    detail = chunk.get("errorDetail", {}).get("message") or chunk.get("error")
                    raise ServiceError(f"docker push {repository}:{tag} failed: {self._clean(str(detail))}")
                digest = chunk.get("aux", {}).get("Digest", digest)
                status, layer = str(chunk.get("status", "")), str(chunk.get("id", ""))
                if status.startswith(("Pushed", "Layer already exists", "Mounted from")) and layer not in layers_done:
                    layers_done.add(layer)
                    bar.advance()
                if status and not chunk.get("progressDetail") and not self.show_progress:
                    log(self._clean(f"{layer}: {status}" if layer else status))
        if not digest:
            raise ServiceError(f"docker push {repository}:{tag} reported no digest; the registry did not accept it")
        return str(digest)
