"""What a metric is, from server metadata when we have it, else from Prometheus naming conventions."""

from __future__ import annotations

from opskit.core.findings import Confidence
from opskit.monitor.lint.interface import Settings

COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")
# A histogram's or summary's ``_count`` follows its unit (``request_duration_seconds_count``).
BASE_UNITS = frozenset({"seconds", "bytes", "meters", "volts", "amperes", "joules", "grams", "celsius", "ratio",
                        "size", "duration", "latency", "milliseconds", "microseconds", "items", "rows"})
# Words that name a level, not a running count (the naming guide's units and states). Without
# metadata a name with none of them and no counter suffix is "unknown": many real counters lack
# ``_total`` (node_vmstat_pgmajfault, mysql_global_status_questions, SNMP's ifHCInOctets).
GAUGE_WORDS = frozenset(
    {"info", "ratio", "percent", "percentage", "celsius", "temperature", "timestamp", "up", "limit", "capacity",
     "available", "free", "size", "used", "usage", "utilization", "utilisation", "current", "ready", "replicas",
     "depth", "length", "inflight", "active", "pending", "running", "waiting", "queued", "busy", "lag", "open",
     "max", "min", "level", "goroutines", "threads", "load1", "load5", "load15", "boot", "start", "enabled"}
)
# Last words that count events: a level word before them only says what was counted
# (mysql_global_status_threads_created, ..._table_open_cache_hits are counters without ``_total``).
EVENT_WORDS = frozenset(
    {"created", "opened", "closed", "evicted", "expired", "dropped", "rejected", "failed", "accepted", "handled",
     "processed", "completed", "committed", "flushed", "received", "sent", "hits", "misses", "restarts", "retries",
     "faults"}
)


def metric_kind(name: str | None, settings: Settings) -> str:
    """``counter``, ``gauge`` or ``unknown`` (recorded series ``a:b:c``, nameless selectors, and names
    that follow neither convention)."""
    if not name:
        return "unknown"
    known = settings.metric_types.get(name)
    if known is None and name.endswith(("_count", "_sum", "_bucket")):
        known = settings.metric_types.get(name.rsplit("_", 1)[0])
    if known in ("counter", "histogram", "summary", "gaugehistogram"):
        return "counter" if known == "counter" or name.endswith(COUNTER_SUFFIXES) else "gauge"
    if known in ("gauge", "info", "stateset"):
        return "gauge"
    if known is not None:  # untyped or unknown: the exporter does not say, so neither do we
        return "unknown"
    if ":" in name:
        return "unknown"
    if name.endswith("_count") and name.removesuffix("_count").rsplit("_", 1)[-1] not in BASE_UNITS:
        return "unknown"  # pg_stat_activity_count is a gauge; a histogram's _count follows a unit
    if name.endswith(COUNTER_SUFFIXES):
        return "counter"
    words = name.lower().split("_")
    return "gauge" if GAUGE_WORDS.intersection(words) and words[-1] not in EVENT_WORDS else "unknown"


def known(name: str | None, settings: Settings) -> bool:
    """True when the server's metadata, not the naming convention, says what the metric is."""
    return bool(name) and (name in settings.metric_types or str(name).rsplit("_", 1)[0] in settings.metric_types)


def source(name: str | None, settings: Settings) -> str:
    """How we know: for messages."""
    return "by its metadata" if known(name, settings) else "by its name"


def confidence(name: str | None, settings: Settings) -> Confidence:
    """Metadata is certain; a name only follows a convention some exporters break."""
    return Confidence.HIGH if known(name, settings) else Confidence.MEDIUM
