"""The shapes Prometheus' HTTP API documents, checked before any answer is used.

A server (or a proxy, or something that is not Prometheus at all) can answer 200 with anything;
the judges in ``health``, ``inventory`` and ``evaluate`` may then trust what they read. Each
check raises ``Malformed`` with a short path to the first thing out of shape
(``data.activeTargets[3].labels``); the client turns it into a one-line ServiceError naming the
endpoint (exit 3). Fields the judges do not read are not checked, so newer servers still pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from opskit.monitor.interface import QueryError, Sample


class Malformed(ValueError):
    """An answer that does not have the documented shape; ``args[0]`` says where and what."""


Check = Callable[[Any, str], None]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{where} is {_kind(value)}, expected an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Malformed(f"{where} is {_kind(value)}, expected a list")
    return value


def _optional(kind: type | tuple[type, ...], what: str) -> Check:
    def check(value: Any, where: str) -> None:
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool) and kind is not bool):
            raise Malformed(f"{where} is {_kind(value)}, expected {what}")

    return check


_TEXT = _optional(str, "a string")
_FLAG = _optional(bool, "true or false")
_COUNT = _optional(int, "an integer")


def _labels(value: Any, where: str) -> None:
    if value is None:
        return
    for key, text in _mapping(value, where).items():
        if not isinstance(text, str):
            raise Malformed(f"{where}.{key} is {_kind(text)}, expected a string")


def _fields(item: Any, where: str, fields: Mapping[str, Check]) -> None:
    data = _mapping(item, where)
    for name, check in fields.items():
        check(data.get(name), f"{where}.{name}")


def _each(fields: Mapping[str, Check]) -> Check:
    def check(value: Any, where: str) -> None:
        if value is None:
            return
        for index, item in enumerate(_list(value, where)):
            _fields(item, f"{where}[{index}]", fields)

    return check


_RULE = {"name": _TEXT, "health": _TEXT, "lastError": _TEXT}
SHAPES: dict[str, Mapping[str, Check]] = {
    "status/buildinfo": {"version": _TEXT, "revision": _TEXT, "goVersion": _TEXT},
    "status/runtimeinfo": {
        "reloadConfigSuccess": _FLAG,
        "corruptionCount": _COUNT,
        "lastConfigTime": _TEXT,
        "startTime": _TEXT,
    },
    "targets": {
        "activeTargets": _each(
            {
                "labels": _labels,
                "health": _TEXT,
                "lastError": _TEXT,
                "lastScrape": _TEXT,
                "scrapeUrl": _TEXT,
                "scrapePool": _TEXT,
            }
        )
    },
    "rules": {"groups": _each({"name": _TEXT, "file": _TEXT, "rules": _each(_RULE)})},
    "alerts": {
        "alerts": _each({"labels": _labels, "annotations": _labels, "state": _TEXT, "activeAt": _TEXT}),
    },
}


def check_data(path: str, data: Any) -> Any:
    """``data`` of ``/api/v1/<path>`` if it has the documented shape (paths not listed pass as they are)."""
    fields = SHAPES.get(path)
    if fields is not None:
        _fields(data, "data", fields)
    return data


def _number(value: Any, where: str) -> float:
    """A sample value: Prometheus sends it as a string ("0.5", "NaN", "+Inf")."""
    if not isinstance(value, str):
        raise Malformed(f"{where} is {_kind(value)}, expected a number in a string")
    try:
        return float(value)
    except ValueError:
        raise QueryError("bad_data", "the query returns a string, not a number") from None


def _timestamp(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Malformed(f"{where} is {_kind(value)}, expected a timestamp")


def _pair(value: Any, where: str) -> float:
    pair = _list(value, where)
    if len(pair) != 2:
        raise Malformed(f"{where} has {len(pair)} element(s), expected [timestamp, value]")
    _timestamp(pair[0], f"{where}[0]")
    return _number(pair[1], f"{where}[1]")


def instant_samples(result: Any) -> list[Sample]:
    """Samples of an instant query's ``result``: a vector, or a scalar ``[ts, "v"]``."""
    if result is None:
        return []
    items = _list(result, "data.result")
    if len(items) == 2 and not isinstance(items[0], dict):
        return [Sample(labels={}, value=_pair(items, "data.result"))]
    samples = []
    for index, item in enumerate(items):
        where = f"data.result[{index}]"
        data = _mapping(item, where)
        if "value" not in data and "values" in data:
            raise QueryError(
                "bad_data", "the query returns a range vector; wrap it in a function such as max_over_time()"
            )
        _labels(data.get("metric"), f"{where}.metric")
        samples.append(Sample(labels=dict(data.get("metric") or {}), value=_pair(data.get("value"), f"{where}.value")))
    return samples


def range_series(result: Any) -> list[tuple[Mapping[str, str], list[float]]]:
    """Label sets and values of a range query's ``result`` (a matrix)."""
    if result is None:
        return []
    series: list[tuple[Mapping[str, str], list[float]]] = []
    for index, item in enumerate(_list(result, "data.result")):
        where = f"data.result[{index}]"
        data = _mapping(item, where)
        _labels(data.get("metric"), f"{where}.metric")
        pairs = _list(data.get("values", []), f"{where}.values")
        values = [_pair(pair, f"{where}.values[{n}]") for n, pair in enumerate(pairs)]
        series.append((dict(data.get("metric") or {}), values))
    return series
