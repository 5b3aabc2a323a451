"""Reading a ``docker save`` archive: layer order and ids from the manifest and config, whiteouts,
opaque directories and overwrites (a file replaced later still ships, but is not installed)."""

from __future__ import annotations

import io
import json
import tarfile

from opskit.audit.image import iter_layer_files


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _image(layers: list[dict[str, bytes]]) -> io.BytesIO:
    """An OCI-layout ``docker save`` archive (blobs/sha256/..., manifest.json, config with diff ids)."""
    blobs = {f"blobs/sha256/{i:064x}": _tar(files) for i, files in enumerate(layers, 1)}
    config = {"rootfs": {"type": "layers", "diff_ids": [f"sha256:{i:064x}" for i in range(101, 101 + len(layers))]}}
    outer = {**blobs, "blobs/sha256/" + "c" * 64: json.dumps(config).encode(),
             "manifest.json": json.dumps([{"Config": "blobs/sha256/" + "c" * 64, "RepoTags": ["t:1"],
                                           "Layers": list(blobs)}]).encode()}
    return io.BytesIO(_tar(outer))


META = "usr/lib/python3.11/site-packages/requests-2.19.0.dist-info/METADATA"


def test_layers_in_order_with_diff_ids_and_later_removals_marked() -> None:
    archive = _image([
        {"app/.env": b"TOKEN=x\n", META: b"Name: requests\nVersion: 2.19.0\n", "etc/keep.conf": b"a=1\n",
         "opt/tool/readme.txt": b"old\n"},
        {"app/.env": b"TOKEN=\n", "usr/lib/python3.11/site-packages/.wh.requests-2.19.0.dist-info": b"",
         "opt/tool/.wh..wh..opq": b"", "opt/tool/new.txt": b"new\n"},
    ])
    got = [(s.path, s.origin["layer"][-3:], s.origin.get("removed_later"))
           for s, _ in iter_layer_files(archive, "t:1", lambda p: True, 1 << 20) if s is not None]
    assert got == [
        ("app/.env", "065", "yes"),  # overwritten above, and the path keeps its leading dot
        (META, "065", "yes"),  # its dist-info directory is whited out above
        ("etc/keep.conf", "065", None),
        ("opt/tool/readme.txt", "065", "yes"),  # the directory is opaque above
        ("app/.env", "066", None),
        ("opt/tool/new.txt", "066", None),
    ]


def test_big_files_are_a_note_naming_the_layer() -> None:
    archive = _image([{"big.txt": b"x" * 100}])
    results = list(iter_layer_files(archive, "t:1", lambda p: True, 10))
    assert results == [(None, "big.txt (layer sha256:000000000000): skipped, 100 bytes is over --max-file-size 10")]
