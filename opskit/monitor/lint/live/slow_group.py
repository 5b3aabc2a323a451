"""live/slow-group: a rule group whose last evaluation took longer than its interval, so Prometheus
skips evaluations and its alerts and recordings lag."""

from __future__ import annotations

from collections.abc import Iterator

from opskit.monitor.lint.interface import Problem
from opskit.monitor.lint.live.base import Live, LiveCheck
from opskit.monitor.lint.live.fetch import Request

RULES = Request("rules")


class SlowGroup(LiveCheck):
    id = "live/slow-group"
    title = "rule group evaluation slower than its interval"

    def run(self, live: Live) -> Iterator[Problem]:
        groups, settings, fetch = live.groups, live.settings, live.fetch
        data = fetch([RULES])[RULES].data
        listed = data.get("groups") if isinstance(data, dict) else None
        server = {g.get("name"): g for g in listed if isinstance(g, dict)} if isinstance(listed, list) else {}
        for group in groups:
            found = server.get(group.name)
            if not found:
                continue
            try:
                took = float(found.get("evaluationTime", 0) or 0)
                interval = float(found.get("interval", 0) or 0) or group.interval or settings.evaluation_interval
            except (TypeError, ValueError):
                continue
            if took > interval:
                yield Problem(
                    self.id,
                    f"group {group.name!r}: last evaluation took {took:.3g}s, longer than its {interval:g}s "
                    f"interval: evaluations are skipped",
                    self.severity,
                    place=(group.path, group.line, group.column),
                    details={"evaluation_seconds": took, "interval": interval},
                )
