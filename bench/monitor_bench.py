"""Benchmark: opskit monitor against promtool on the same Prometheus and the same queries.

Two scenarios, each run --repeat times (median reported):
  server   ``opskit monitor check --only server`` (health, ready, build, runtime info and the 13
           server-metric rules) against promtool doing the same: ``check healthy``, ``check ready``
           and ``query instant`` for each of the 13 rule queries.
  checks   N service checks (a checks.yml of N error-ratio/latency queries): ``opskit monitor
           check --checks`` against ``promtool query instant`` once per query.
Both tools run as fresh processes (what a CI job or on-call shell pays; peak RSS from wait4);
the "(api)" row is the same opskit work in-process, without interpreter and import start-up.
Needs the test Prometheus (started through tests.harness when not running) and promtool.

    .venv/bin/python bench/monitor_bench.py [--checks 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from opskit.core.atomic import atomic_write  # noqa: E402
from opskit.monitor.checks_file import load_checks  # noqa: E402
from opskit.monitor.client import connect  # noqa: E402
from opskit.monitor.evaluate import run_checks  # noqa: E402
from opskit.monitor.health import check_server, server_rules  # noqa: E402
from tests import harness  # noqa: E402

OPSKIT = [sys.executable, "-m", "opskit"]


def run(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of one child process."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd[:4])} failed ({code}): {err.read().decode(errors='replace')[-400:]}")
    return elapsed, usage.ru_maxrss * 1024


def run_all(cmds: list[list[str]]) -> tuple[float, int]:
    """A sequence of processes, as a shell script runs them: total time, largest RSS."""
    total, peak = 0.0, 0
    for cmd in cmds:
        elapsed, rss = run(cmd)
        total += elapsed
        peak = max(peak, rss)
    return total, peak


def checks_file(directory: Path, count: int) -> tuple[Path, list[str]]:
    """``count`` realistic service checks over the server's own HTTP metrics."""
    queries = []
    for i in range(count):
        window = f"{1 + i % 5}m"
        if i % 2:
            queries.append(
                f"histogram_quantile(0.{90 + i % 10}, sum by (le) "
                f"(rate(prometheus_http_request_duration_seconds_bucket[{window}])))"
            )
        else:
            queries.append(
                f'sum(rate(prometheus_http_requests_total{{code=~"5.."}}[{window}])) '
                f"/ sum(rate(prometheus_http_requests_total[{window}]))"
            )
    doc = {
        "checks": [
            {"name": f"check-{i}", "query": q, "fail_when": "> 1000", "no_data": "pass"} for i, q in enumerate(queries)
        ]
    }
    path = directory / "checks.yml"
    path.write_text(json.dumps(doc))
    return path, queries


def in_process(repeat: int, job: Callable[[], object]) -> float:
    """Median seconds of ``job`` inside this process: opskit's own work without interpreter start-up."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(
    name: str,
    repeat: int,
    opskit_cmds: list[list[str]],
    promtool_cmds: list[list[str]],
    queries: int,
    api_job: Callable[[], object],
) -> dict:
    api_seconds = in_process(repeat, api_job)
    rows: dict = {
        "opskit_in_process": {"seconds": round(api_seconds, 4), "queries_per_second": round(queries / api_seconds, 1)}
    }
    for tool, cmds in (("opskit", opskit_cmds), ("promtool", promtool_cmds)):
        samples = [run_all(cmds) for _ in range(repeat)]
        seconds = statistics.median(s for s, _ in samples)
        rows[tool] = {
            "seconds": round(seconds, 4),
            "queries_per_second": round(queries / seconds, 1),
            "peak_rss_mb": round(max(r for _, r in samples) / 2**20, 1),
            "processes": len(cmds),
        }
    rows["ratio_opskit_over_promtool"] = round(rows["opskit"]["seconds"] / rows["promtool"]["seconds"], 3)
    rows["queries"] = queries
    return {"scenario": name, **rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=50, help="service checks in the checks scenario")
    parser.add_argument("--repeat", type=int, default=5, help="runs per tool and scenario (median)")
    args = parser.parse_args()
    promtool = shutil.which("promtool")
    if not promtool:
        raise SystemExit("promtool not found (apt-get install prometheus)")
    facts, started = harness.start("prometheus")
    url = facts["url"]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path, queries = checks_file(Path(tmp), args.checks)
            rules = [spec.query for spec in server_rules()]
            client = connect(url)
            specs = load_checks(path)
            deadline = time.monotonic() + 60
            while not client.query("prometheus_build_info"):  # a fresh server scrapes itself within seconds
                if time.monotonic() > deadline:
                    raise SystemExit(f"{url} does not scrape itself; the server rules would be skipped")
                time.sleep(1)
            results = [
                measure(
                    "server",
                    args.repeat,
                    [[*OPSKIT, "monitor", "check", "--url", url, "--only", "server", "--format", "json"]],
                    [[promtool, "check", "healthy", f"--url={url}"], [promtool, "check", "ready", f"--url={url}"]]
                    + [[promtool, "query", "instant", url, q] for q in rules],
                    len(rules) + 1,
                    lambda: check_server(client),
                ),
                measure(
                    f"checks x{args.checks}",
                    args.repeat,
                    [[*OPSKIT, "monitor", "check", "--url", url, "--only", "checks", "--checks", str(path)]],
                    [[promtool, "query", "instant", url, q] for q in queries],
                    len(queries),
                    lambda: run_checks(client, specs),
                ),
            ]
    finally:
        if started:
            harness.stop("prometheus")
    print(f"{'scenario':<12} {'tool':<9} {'seconds':>8} {'queries/s':>10} {'peak RSS MB':>12} {'procs':>6}")
    for row in results:
        for tool in ("opskit", "promtool"):
            r = row[tool]
            print(
                f"{row['scenario']:<12} {tool:<9} {r['seconds']:>8.3f} {r['queries_per_second']:>10.1f} "
                f"{r['peak_rss_mb']:>12.1f} {r['processes']:>6}"
            )
        api = row["opskit_in_process"]
        print(f"{row['scenario']:<12} {'(api)':<9} {api['seconds']:>8.3f} {api['queries_per_second']:>10.1f}")
        print(f"{'':<12} ratio opskit/promtool time: {row['ratio_opskit_over_promtool']:.2f}")
    doc = {
        "benchmark": "monitor",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "prometheus": url,
        "repeat": args.repeat,
        "results": results,
    }
    out = HERE / "results" / "monitor_bench.json"
    atomic_write(out, json.dumps(doc, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
