"""Rules as people share them: the slips they really contain are found, and nothing else."""

from __future__ import annotations

from pathlib import Path

from opskit.monitor.lint.api import LintRequest, lint
from opskit.monitor.lint.interface import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "public-style.yml"


def test_public_style_rules_raise_only_their_real_slips() -> None:
    settings = Settings(required_annotations=("summary",))
    report = lint(LintRequest([FIXTURE], settings=settings))
    found = sorted((str(f.properties["rule"]), f.rule_id) for f in report.findings)
    assert found == [
        ("HostDiskWillFillIn24Hours", "promql/regexp"),  # fstype!~"tmpfs": an exact match in disguise
        ("KubernetesHpaScaleInability", "promql/dropped-label"),  # on() keeps only its labels: no instance
        ("PrometheusAllTargetsMissing", "promql/dropped-label"),  # sum by (job) has no instance
        ("PrometheusJobMissing", "promql/absent-labels"),  # absent() has no instance
    ]


def test_mixin_style_rules_raise_no_false_alarm() -> None:
    settings = Settings(required_annotations=("summary",))
    report = lint(LintRequest([FIXTURE.parent / "kube-style.yml"], settings=settings))
    found = sorted((str(f.properties["rule"]), f.rule_id, f.severity.value) for f in report.findings)
    assert found == [
        ("InfoInhibitor", "alerts/for", "low"),
        ("KubeJobNotCompleted", "alerts/for", "low"),
        ("Watchdog", "alerts/comparison", "low"),  # vector(1) on purpose
        ("Watchdog", "alerts/for", "low"),
    ]


def test_node_and_kube_state_mixin_rules_raise_no_false_alarm() -> None:
    """Counters without ``_total`` (node_vmstat_pgmajfault is untyped) are not called gauges offline."""
    report = lint(LintRequest([FIXTURE.parent / "mixin-node-style.yml"], settings=Settings()))
    found = sorted((str(f.properties["rule"]), f.rule_id) for f in report.findings)
    assert found == [
        ("NodeHighNumberConntrackEntriesUsed", "alerts/for"),
        ("Watchdog", "alerts/comparison"),
        ("Watchdog", "alerts/for"),
    ]


def test_exporter_alert_collections_raise_their_real_slips_only() -> None:
    """Alerts in the style of shared collections: their dropped labels and anchored regexps are real;
    pg_stat_activity_count (a gauge with a counter's suffix) and counters without _total are not flagged."""
    report = lint(LintRequest([FIXTURE.parent / "exporter-alerts-style.yml"], settings=Settings(
        required_annotations=("summary",))))
    found = sorted({(str(f.properties["rule"]), f.rule_id) for f in report.findings})
    assert found == [
        ("HostNetworkInterfaceSaturated", "promql/regexp"),
        ("KafkaConsumersGroupLag", "promql/dropped-label"),
        ("NginxHighHttp5xxErrorRate", "promql/dropped-label"),
        ("NginxHighHttp5xxErrorRate", "promql/regexp"),
        ("PostgresqlHighRollbackRate", "promql/dropped-label"),
        ("RabbitmqTooManyUnackMessages", "promql/dropped-label"),
    ]
