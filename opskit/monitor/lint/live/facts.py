"""What the server knows that sharpens the offline checks: metric types, scrape and evaluation
intervals, retention. Four requests, sent together."""

from __future__ import annotations

import dataclasses

import yaml

from opskit.monitor.durations import parse_duration
from opskit.monitor.lint.interface import Settings
from opskit.monitor.lint.live.fetch import Fetcher, Request

METADATA = Request("metadata")
TARGETS = Request("targets", (("state", "active"),))
CONFIG = Request("status/config")
RUNTIME = Request("status/runtimeinfo")


def _seconds(text: object, default: float) -> float:
    try:
        return parse_duration(str(text))
    except ValueError:
        return default


def server_settings(settings: Settings, fetch: Fetcher) -> tuple[Settings, float | None]:
    """``settings`` refined by the server's facts, and its retention in seconds (None if unknown)."""
    answers = fetch([METADATA, TARGETS, CONFIG, RUNTIME])
    types: dict[str, str] = {}
    metadata = answers[METADATA].data
    if isinstance(metadata, dict):
        for name, entries in sorted(metadata.items()):
            kinds = {e.get("type") for e in entries if isinstance(e, dict)} if isinstance(entries, list) else set()
            if len(kinds) == 1:
                types[name] = str(kinds.pop())
    jobs: dict[str, float] = {}
    targets = answers[TARGETS].data
    active = targets.get("activeTargets") if isinstance(targets, dict) else None
    for target in active if isinstance(active, list) else []:
        if not isinstance(target, dict):
            continue
        labels = target.get("labels")
        job = labels.get("job") if isinstance(labels, dict) else None
        interval = _seconds(target.get("scrapeInterval"), 0.0)
        if job and interval:
            jobs[job] = max(jobs.get(job, 0.0), interval)
    scrape, evaluation = settings.scrape_interval, settings.evaluation_interval
    config = answers[CONFIG].data
    if isinstance(config, dict):
        try:
            loaded = yaml.load(str(config.get("yaml", "")), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        except (yaml.YAMLError, RecursionError):
            loaded = {}
        glob = loaded.get("global") if isinstance(loaded, dict) else None
        glob = glob if isinstance(glob, dict) else {}
        scrape = _seconds(glob.get("scrape_interval", "1m"), scrape)
        evaluation = _seconds(glob.get("evaluation_interval", "1m"), evaluation)
    runtime = answers[RUNTIME].data
    retention = None
    if isinstance(runtime, dict):
        first = str(runtime.get("storageRetention", "")).split(" ", 1)[0]
        retention = _seconds(first, 0.0) or None
    refined = dataclasses.replace(
        settings, scrape_interval=scrape, evaluation_interval=evaluation, metric_types=types, job_intervals=jobs
    )
    return refined, retention
