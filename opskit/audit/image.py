"""``opskit audit --image NAME``: the files of a local Docker image's layers as audit sources.

The image is read from the local engine (``docker save`` through the Docker SDK, honouring
``DOCKER_HOST``); every regular file of every layer becomes a ``SourceFile`` whose path is its
path in the image and whose origin names the layer, so findings report layer and path. A file
deleted by a later layer is still read: its bytes are still shipped in the image.
"""

from __future__ import annotations

import json
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from opskit.audit.content import SAMPLE_BYTES, binary_reason, to_text
from opskit.audit.files import FileFilter
from opskit.audit.interface import SourceFile
from opskit.core.errors import InputError, ServiceError

SPOOL_BYTES = 64 << 20  # image tarballs larger than this are spooled to a temp file
CHUNK_BYTES = 32 << 20  # text handed to the scanners at a time


def _save(name: str, sink: IO[bytes]) -> None:
    import docker
    import docker.errors

    try:
        client = docker.from_env(timeout=600)
        image = client.images.get(name)
        for chunk in image.save(named=False):
            sink.write(chunk)
    except docker.errors.ImageNotFound:
        raise InputError(f"--image {name}: no such image in the local Docker engine") from None
    except docker.errors.DockerException as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ServiceError(f"Docker engine unreachable or failing while saving {name}: {first}") from None


def _layers(outer: tarfile.TarFile) -> list[tuple[str, str]]:
    """(member name, layer id) per layer in order, from ``manifest.json`` and the image config.

    The id is the layer's diff id, as ``docker inspect`` lists it under ``RootFS.Layers``.
    """
    manifest: Any = _json_member(outer, "manifest.json")[0]
    members = [str(layer) for layer in manifest.get("Layers") or ()]
    diff_ids = list((_json_member(outer, str(manifest["Config"])).get("rootfs") or {}).get("diff_ids") or ())
    if len(diff_ids) != len(members):
        raise InputError("image archive: layer list and config disagree")
    return list(zip(members, (str(d) for d in diff_ids), strict=True))


def _json_member(outer: tarfile.TarFile, name: str) -> Any:
    member = outer.extractfile(name)
    if member is None:
        raise InputError(f"image archive has no {name}")
    return json.load(member)


def _member_path(member: tarfile.TarInfo) -> str:
    return member.name.removeprefix("./").lstrip("/")


@dataclass
class _Changes:
    """What the layers above one layer do to its files: overwrite, delete (whiteouts), hide (opaque dirs)."""

    written: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    opaque: set[str] = field(default_factory=set)

    def add_layer(self, layer: tarfile.TarFile) -> None:
        for member in layer:
            path = _member_path(member)
            folder, _, base = path.rpartition("/")
            if base == ".wh..wh..opq":
                self.opaque.add(folder)
            elif base.startswith(".wh."):
                self.removed.add(f"{folder}/{base[4:]}" if folder else base[4:])
            elif not member.isdir():
                self.written.add(path)

    def shadows(self, path: str) -> bool:
        """Whether ``path`` of a lower layer is not in the final image (its bytes still ship)."""
        if path in self.written:
            return True
        parts = path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        return any(p in self.removed for p in prefixes) or any(p in self.opaque for p in ["", *prefixes[:-1]])


def _shadowing(outer: tarfile.TarFile, layers: list[tuple[str, str]]) -> list[_Changes]:
    """For each layer, the changes made by the layers above it (one pass over member headers)."""
    above: list[_Changes] = [_Changes() for _ in layers]
    for index in range(len(layers) - 1, 0, -1):
        changes = above[index - 1]
        changes.written |= above[index].written
        changes.removed |= above[index].removed
        changes.opaque |= above[index].opaque
        layer_file = outer.extractfile(layers[index][0])
        if layer_file is not None:
            with tarfile.open(fileobj=layer_file, mode="r:*") as layer:
                changes.add_layer(layer)
    return above


def iter_layer_files(
    archive: IO[bytes], name: str, keep: Callable[[str], bool], max_size: int,
) -> Iterator[tuple[SourceFile | None, str | None]]:
    """(source, note) for every kept regular text file of every layer. A file that a later layer
    overwrites or deletes carries ``origin["removed_later"]``: its bytes ship, but it is not installed."""
    with tarfile.open(fileobj=archive, mode="r:*") as outer:
        layers = _layers(outer)
        above = _shadowing(outer, layers)
        for (layer_name, layer_id), changes in zip(layers, above, strict=True):
            layer_file = outer.extractfile(layer_name)
            if layer_file is None:
                continue
            origin = {"image": name, "layer": layer_id}
            with tarfile.open(fileobj=layer_file, mode="r:*") as layer:
                for member in layer:
                    path = _member_path(member)
                    if not member.isfile() or path.rsplit("/", 1)[-1].startswith(".wh.") or not keep(path):
                        continue
                    if member.size > max_size:
                        yield None, f"{path} (layer {origin['layer'][:19]}): skipped, {member.size} bytes is over" \
                                    f" --max-file-size {max_size}"
                        continue
                    handle = layer.extractfile(member)
                    data = handle.read() if handle is not None else b""
                    if binary_reason(data[:SAMPLE_BYTES]) is None:
                        where = {**origin, "removed_later": "yes"} if changes.shadows(path) else origin
                        yield SourceFile(path=path, text=to_text(data), origin=where), None


def image_source_chunks(
    name: str, selection: FileFilter, also: Callable[[str], bool], notes: list[str], chunk_bytes: int | None = None,
) -> Iterator[list[SourceFile]]:
    """Text files of every layer that ``selection`` selects or ``also`` wants (installed-package
    metadata), in chunks of about ``chunk_bytes`` of text: an image of gigabytes is scanned in
    bounded memory. Notes about skipped files are appended to ``notes``."""
    limit = chunk_bytes or CHUNK_BYTES
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        _save(name, spool)
        spool.seek(0)
        chunk: list[SourceFile] = []
        size = 0
        try:
            for source, note in iter_layer_files(spool, name, lambda p: selection.selects(p) or also(p),
                                                 selection.max_size):
                if note:
                    notes.append(note)
                if source is None:
                    continue
                chunk.append(source)
                size += len(source.text)
                if size >= limit:
                    yield chunk
                    chunk, size = [], 0
        except (tarfile.TarError, KeyError, ValueError, IndexError) as exc:
            raise InputError(f"--image {name}: unreadable image archive: {exc}") from None
        if chunk:
            yield chunk
