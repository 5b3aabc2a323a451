"""The pure Terraform functions the evaluator knows (those flags and policies are built with);
any other function's result is Unknown."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from typing import Any

from opskit.audit.iac.tf_values import MAX_ITEMS, MAX_TEXT, UNKNOWN, Ref, as_bool, bounded, is_known, small, to_text


def _json_default(value: Any) -> str:
    return str(value) if isinstance(value, Ref) else "${unknown}"


def _jsonencode(value: Any) -> Any:
    return bounded(json.dumps(value, default=_json_default)) if small(value) else UNKNOWN


def _jsondecode(value: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else UNKNOWN
    except ValueError:
        return UNKNOWN


def _merge(*maps: Any) -> Any:
    result: dict[str, Any] = {}
    for item in maps:
        if not isinstance(item, dict):
            return UNKNOWN
        result.update(item)
    return result


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if isinstance(mapping, dict) and isinstance(key, str):
        return mapping.get(key, default[0] if default else UNKNOWN)
    return UNKNOWN


def _concat(*lists: Any) -> Any:
    if not all(isinstance(item, list) for item in lists):
        return UNKNOWN
    return [value for item in lists for value in item]


def _flatten(value: Any) -> Any:
    if not isinstance(value, list) or not small(value):
        return UNKNOWN
    out: list[Any] = []
    for item in value:
        inner = _flatten(item) if isinstance(item, list) else [item]
        if not isinstance(inner, list):
            return UNKNOWN
        out.extend(inner)
    return out


def _coalesce(*values: Any) -> Any:
    for value in values:
        if not is_known(value):
            return UNKNOWN
        if value not in (None, ""):
            return value
    return UNKNOWN


def _text_function(convert: Callable[[str], Any]) -> Callable[..., Any]:
    def apply(value: Any, *rest: Any) -> Any:
        return convert(value) if isinstance(value, str) else UNKNOWN
    return apply


def _tobool(value: Any) -> Any:
    flag = as_bool(value)
    return UNKNOWN if flag is None else flag


def _format(spec: Any, *values: Any) -> Any:
    if not isinstance(spec, str) or not all(to_text(v) is not None for v in values):
        return UNKNOWN
    out, rest = spec.replace("%%", "\0"), list(values)
    for verb in ("%s", "%d", "%v"):
        while verb in out and rest:
            out = out.replace(verb, str(to_text(rest.pop(0))), 1)
    return UNKNOWN if "%" in out else out.replace("\0", "%")


def _join(separator: Any, items: Any) -> Any:
    texts = [to_text(i) for i in items] if isinstance(items, list) else [None]
    if not isinstance(separator, str) or any(t is None for t in texts) or \
            sum(len(t) + len(separator) for t in texts if t is not None) > MAX_TEXT:
        return UNKNOWN
    return separator.join(t for t in texts if t is not None)


def _contains(items: Any, value: Any) -> Any:
    return value in items if isinstance(items, list) and is_known(value) else UNKNOWN


def _length(value: Any) -> Any:
    return len(value) if isinstance(value, (list, dict, str)) else UNKNOWN


def _element(items: Any, index: Any) -> Any:
    if isinstance(items, list) and items and isinstance(index, int):
        return items[index % len(items)]
    return UNKNOWN


def _keys(value: Any) -> Any:
    return sorted(value) if isinstance(value, dict) else UNKNOWN


def _values(value: Any) -> Any:
    return [value[k] for k in sorted(value)] if isinstance(value, dict) else UNKNOWN


def _to_list(value: Any) -> Any:
    return value if isinstance(value, list) else UNKNOWN


def _to_set(value: Any) -> Any:
    if not isinstance(value, list):
        return UNKNOWN
    seen: list[Any] = []
    for item in value:
        if item not in seen:
            seen.append(item)
    return seen


def _identity(value: Any, *rest: Any) -> Any:
    return value


def _base64decode(value: Any) -> Any:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8") if isinstance(value, str) else UNKNOWN
    except (ValueError, UnicodeDecodeError):
        return UNKNOWN


def _base64encode(value: Any) -> Any:
    return base64.b64encode(value.encode("utf-8")).decode("ascii") if isinstance(value, str) else UNKNOWN


def _replace(text: Any, old: Any, new: Any) -> Any:
    """Terraform's replace with a plain substring (a /regex/ pattern is not evaluated)."""
    if not all(isinstance(v, str) for v in (text, old, new)) or (old.startswith("/") and old.endswith("/")):
        return UNKNOWN
    if old and len(text) + len(text) // len(old) * len(new) > MAX_TEXT:
        return UNKNOWN
    return text.replace(old, new) if old else text


def _split(separator: Any, text: Any) -> Any:
    return text.split(separator) if isinstance(separator, str) and separator and isinstance(text, str) else UNKNOWN


def _compact(items: Any) -> Any:
    return [i for i in items if i not in (None, "")] if isinstance(items, list) else UNKNOWN


def _distinct(items: Any) -> Any:
    return _to_set(items)


def _zipmap(keys: Any, values: Any) -> Any:
    if not (isinstance(keys, list) and isinstance(values, list)) or len(keys) != len(values):
        return UNKNOWN
    texts = [to_text(k) for k in keys]
    return UNKNOWN if None in texts else dict(zip([t for t in texts if t is not None], values, strict=True))


def _range(*bounds: Any) -> Any:
    if not bounds or len(bounds) > 3 or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
        return UNKNOWN
    numbers = range(*bounds) if bounds[-1] != 0 or len(bounds) < 3 else range(0)
    return list(numbers) if len(numbers) <= MAX_ITEMS else UNKNOWN


def _starts(text: Any, prefix: Any) -> Any:
    return text.startswith(prefix) if isinstance(text, str) and isinstance(prefix, str) else UNKNOWN


def _ends(text: Any, suffix: Any) -> Any:
    return text.endswith(suffix) if isinstance(text, str) and isinstance(suffix, str) else UNKNOWN


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode, "jsondecode": _jsondecode, "merge": _merge, "lookup": _lookup,
    "concat": _concat, "flatten": _flatten, "coalesce": _coalesce, "tobool": _tobool,
    "lower": _text_function(str.lower), "upper": _text_function(str.upper),
    "trimspace": _text_function(str.strip), "format": _format, "join": _join, "contains": _contains,
    "length": _length, "element": _element, "keys": _keys, "values": _values, "tolist": _to_list,
    "toset": _to_set, "tomap": _identity, "tostring": _identity, "tonumber": _identity,
    "sensitive": _identity, "nonsensitive": _identity, "base64decode": _base64decode,
    "base64encode": _base64encode, "replace": _replace, "split": _split, "compact": _compact,
    "distinct": _distinct, "zipmap": _zipmap, "range": _range, "startswith": _starts, "endswith": _ends,
    "title": _text_function(str.title), "chomp": _text_function(lambda t: t.rstrip("\r\n")),
}
