"""Secrets that a document's structure, not a token's shape, identifies: every value under
``data:``/``stringData:`` of a Kubernetes ``kind: Secret`` is a credential whatever it looks like,
and so is every cell of a CSV export's column headed ``key``, ``password`` or ``Secret access key``,
every value an SQL ``INSERT`` puts in such a column, and every item of a YAML list under
``tokens:``, ``passwords:`` or ``api_keys:`` (a regex sees only the first).

Each extractor is a pure function over the whole text, linear in its size (one pass over its
lines), yielding the value's span and the secret itself (decoded when the format encodes it).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_KIND_SECRET = re.compile(r"""(?m)^kind:[ \t]*["']?Secret["']?[ \t]*(?:#.*)?$""")
_DOCUMENT = re.compile(r"(?m)^---[ \t]*$")
_LINE = re.compile(r"(?m)^([ \t]*)(?:([\w.-]{1,253}):[ \t]*(.*?))?[ \t]*\r?$")
# Keys in a Secret whose values are public or names, not credentials.
_PUBLIC_KEY = re.compile(r"(?i)(?:^|[._-])(?:crt|cert|certificate|ca|pub|pem-chain|user(?:name)?|host|port|url|"
                         r"database|db|namespace|region|email)$")


@dataclass(frozen=True)
class Extracted:
    start: int
    end: int
    secret: str
    key: str
    encoding: str | None = None


def _value(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def _decoded(value: str) -> str | None:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def kubernetes_secret_values(text: str) -> Iterator[Extracted]:
    """Values of ``data`` (base64) and ``stringData`` maps in YAML or JSON manifests of kind Secret."""
    if text.lstrip().startswith(("{", "[")):
        yield from _json_secret_values(text)
        return
    separators = list(_DOCUMENT.finditer(text))
    starts = [0, *(m.end() for m in separators)]
    ends = [*(m.start() for m in separators), len(text)]
    for start, end in zip(starts, ends, strict=True):
        document = text[start:end]
        if _KIND_SECRET.search(document):
            yield from _secret_document(document, start)


def _secret_document(document: str, base: int) -> Iterator[Extracted]:
    section: str | None = None
    section_indent = entry_indent = -1
    for line in _LINE.finditer(document):
        indent, key, raw = len(line.group(1)), line.group(2), line.group(3) or ""
        if key is None:
            continue
        if section is None or indent <= section_indent:
            section, section_indent, entry_indent = None, -1, -1
            if key in ("data", "stringData") and not raw:
                section, section_indent = key, indent
            continue
        if entry_indent < 0:
            entry_indent = indent
        value = _value(raw)
        if indent != entry_indent or not value or value[0] in "|>" or _PUBLIC_KEY.search(key):
            continue
        start = base + line.start(3) + (1 if value != raw else 0)
        if section == "data":
            decoded = _decoded(value)
            if decoded is not None:
                yield Extracted(start, start + len(value), decoded, key, "base64")
        else:
            yield Extracted(start, start + len(value), value, key)


def _json_secret_values(text: str) -> Iterator[Extracted]:
    """The same for JSON (``kubectl get secret -o json``, a List of them): each value is located
    after its key, searching forward only, so the pass stays linear."""
    try:
        document = json.loads(text)
    except ValueError:
        return
    items = document.get("items", [document]) if isinstance(document, dict) else document
    pos = 0
    for item in items if isinstance(items, list) else ():
        if not (isinstance(item, dict) and item.get("kind") == "Secret"):
            continue
        for section in ("data", "stringData"):
            values = item.get(section)
            for key, value in (values.items() if isinstance(values, dict) else ()):
                if not isinstance(value, str) or not value or _PUBLIC_KEY.search(key):
                    continue
                key_at = text.find(json.dumps(key), pos)
                at = text.find(json.dumps(value), key_at) if key_at >= 0 else -1
                if at < 0:
                    return  # written differently (escapes): stop rather than search the text again
                pos = at + len(json.dumps(value))
                decoded = _decoded(value) if section == "data" else value
                if decoded is not None:
                    yield Extracted(at + 1, pos - 1, decoded, key, "base64" if section == "data" else None)


_CSV_MIN_LENGTH = 8  # shorter cells under "key" are keymaps and flags (Ctrl+S, F5), not credentials
_CSV_HEADER_CELL = re.compile(r"[A-Za-z][\w .()/-]{0,40}")
_CSV_CREDENTIAL = re.compile(r"(?i)(?:pass(?:word|wd)?|pwd|secret|token|api[ _-]?key|(?<![a-z])key)(?![a-z])")
# Columns that name, date or identify a credential rather than hold it (Access key ID, key_prefix, token_type).
_CSV_NOT_CREDENTIAL = re.compile(r"(?i)(?:^|[ _.-])(?:id|name|url|type|prefix|hint|label|created|expires?|last|hash)"
                                 r"(?:$|[ _.-])")


def csv_credential_values(text: str) -> Iterator[Extracted]:
    """Cells of the credential columns of a CSV whose first line is a header naming them (an API
    key export, AWS's credentials.csv); rows with a different cell count (quoted commas) are skipped.
    One pass: each line is split once."""
    header_end = text.find("\n")
    if header_end < 0:
        return
    columns = [cell.strip().strip('"') for cell in text[:header_end].rstrip("\r").split(",")]
    if len(columns) < 2 or not all(_CSV_HEADER_CELL.fullmatch(cell) for cell in columns):
        return
    wanted = [i for i, name in enumerate(columns)
              if _CSV_CREDENTIAL.search(name) and not _CSV_NOT_CREDENTIAL.search(name)]
    if not wanted:
        return
    start = header_end + 1
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        cells = text[start:end].rstrip("\r").split(",")
        if len(cells) == len(columns):
            offsets = [start]
            for cell in cells[:-1]:
                offsets.append(offsets[-1] + len(cell) + 1)
            for i in wanted:
                value = _value(cells[i].strip())
                if len(value) >= _CSV_MIN_LENGTH:
                    at = offsets[i] + cells[i].index(value)
                    yield Extracted(at, at + len(value), value, columns[i])
        start = end + 1


_SQL_INSERT = re.compile(r"(?i)\binsert[ \t]{1,8}(?:ignore[ \t]{1,8})?into[ \t]{1,8}[\w.`\"\[\]]{1,128}[ \t]{0,8}"
                         r"\(([^()]{1,2000})\)\s{0,64}values\s{0,64}(?=\()")
_SQL_SPACE = " \t\r\n"


def sql_insert_values(text: str) -> Iterator[Extracted]:
    """Quoted values of the credential columns of ``INSERT INTO t (name, client_secret) VALUES
    ('...', '...'), (...)``: each row's values are paired with the column list by position. Each
    character after ``VALUES`` is read once; the next statement is searched for after the last one read."""
    pos = 0
    while (statement := _SQL_INSERT.search(text, pos)) is not None:
        columns = [c.strip(_SQL_SPACE + "`\"[]") for c in statement.group(1).split(",")]
        wanted = {i for i, name in enumerate(columns)
                  if _CSV_CREDENTIAL.search(name) and not _CSV_NOT_CREDENTIAL.search(name)}
        pos = statement.end()
        while wanted and pos < len(text) and text[pos] == "(":
            cells, pos = _sql_row(text, pos + 1)
            if cells is None:
                break
            if len(cells) == len(columns):
                for i in sorted(wanted):
                    start, end = cells[i]
                    value = text[start:end]
                    if start > 0 and text[start - 1] == "'" and len(value) >= _CSV_MIN_LENGTH:
                        yield Extracted(start, end, value, columns[i])
            while pos < len(text) and text[pos] in _SQL_SPACE + ",":
                pos += 1
        pos = max(pos, statement.end())


def _sql_row(text: str, pos: int) -> tuple[list[tuple[int, int]] | None, int]:
    """The (start, end) of each value of the row whose ``(`` precedes ``pos``, and the position
    after its ``)``; None when the row is not plain literals (a quote escaped with a backslash, a call)."""
    cells: list[tuple[int, int]] = []
    size = len(text)
    while pos < size:
        while pos < size and text[pos] in _SQL_SPACE:
            pos += 1
        if pos < size and text[pos] == "'":
            end = text.find("'", pos + 1)
            while end >= 0 and text.startswith("''", end):
                end = text.find("'", end + 2)
            if end < 0:
                return None, size
            cells.append((pos + 1, end))
            pos = end + 1
        else:
            start = pos
            while pos < size and text[pos] not in ",()'":
                pos += 1
            cells.append((start, pos))
        while pos < size and text[pos] in _SQL_SPACE:
            pos += 1
        if pos >= size or text[pos] not in ",)":
            return None, pos
        pos += 1
        if text[pos - 1] == ")":
            return cells, pos
    return None, pos


# A YAML key whose list items are credentials (``tokens:``, ``admin_passwords:``, ``api_keys:``); bare
# ``keys:`` lists are often public (``authorized_keys``, ``ssh_keys``), so ``keys`` needs a qualifier.
_LIST_KEY = re.compile(r"(?i)^(?:-[ \t]+)?([\w.-]{0,60}?(?:tokens|passwords|passwds|secrets|"
                       r"(?:api|secret|access|auth|signing|hmac|master|encryption|license)[_-]?keys)):[ \t]*(?:#.*)?$")
# One scalar item: no whitespace, not a mapping, flow collection, anchor, alias or block scalar.
_LIST_ITEM = re.compile(r"""^-[ \t]+((?:[^\s#:{}\[\],&*!|>'"-][^\s#]*|"[^"\s]+"|'[^'\s]+'))[ \t]*(?:#.*)?$""")


def yaml_credential_lists(text: str) -> Iterator[Extracted]:
    """Each scalar item of a YAML block list under a credential key, at the key's indent or deeper.
    One pass over the lines. The key is reported singular (``tokens`` -> ``token``): the list holds
    tokens, while a plural key elsewhere (``max_tokens``) names a setting."""
    key, indent, offset = "", 0, 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.lstrip(" \t")
        depth = len(body) - len(stripped)
        item = _LIST_ITEM.match(stripped)
        if key and item and depth >= indent:
            raw = item.group(1)
            value = _value(raw)
            at = offset + depth + item.start(1) + (raw != value)
            yield Extracted(at, at + len(value), value, key)
        elif stripped and not stripped.startswith("#"):
            head = _LIST_KEY.match(stripped)
            key, indent = (head.group(1)[:-1], depth) if head else ("", 0)
        offset += len(line)


EXTRACTORS: dict[str, Callable[[str], Iterator[Extracted]]] = {
    "kubernetes-secret": kubernetes_secret_values,
    "csv-credential-column": csv_credential_values,
    "sql-insert-values": sql_insert_values,
    "yaml-credential-list": yaml_credential_lists,
}
