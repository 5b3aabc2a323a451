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


def _found(fixture: str, settings: Settings) -> list[tuple[str, str]]:
    report = lint(LintRequest([FIXTURE.parent / fixture], settings=settings))
    return sorted((str(f.properties["rule"]), f.rule_id) for f in report.findings)


SUMMARY_ONLY = Settings(required_annotations=("summary",))


def test_debian_ceph_alerts_as_shipped() -> None:
    """Debian's ceph_default_alerts.yml (LGPL) unchanged: its windowed alerts without ``for``
    (``predict_linear(...[2d])``, ``rate(...[5m])`` joined with group_left) are not flagged."""
    assert _found("ceph-default-alerts.yml", SUMMARY_ONLY) == [
        ("CephNodeInconsistentMTU", "alerts/for"),  # instant comparisons, no 'for'
        ("CephNodeNetworkPacketDrops", "alerts/for"),  # rate(...[1m]): two samples, no 'for'
        ("CephNodeNetworkPacketErrors", "alerts/for"),
        ("CephOSDDownHigh", "alerts/for"),
        ("CephOSDFlapping", "promql/rate-on-gauge"),  # rate(ceph_osd_up): changes() counts flaps
        ("CephPoolBackfillFull", "alerts/for"),
    ]


def test_thanos_loki_mimir_etcd_coredns_style() -> None:
    """increase()/changes()/max_over_time() over 10m..24h need no 'for'; Loki, Mimir and CoreDNS
    alerts carry 'message', not 'summary'; route!~"ready" is an exact match in disguise."""
    required = ["CoreDNSDown", "CoreDNSErrorsHigh", "CoreDNSForwardHealthcheckFailureCount", "CoreDNSLatencyHigh",
                "LokiRequestErrors", "LokiRequestLatency", "LokiRequestPanics", "MimirIngesterRestarts",
                "MimirIngesterTSDBWALCorrupted", "MimirIngesterUnhealthy", "MimirMemoryMapAreasTooHigh",
                "MimirRequestErrors", "MimirRulerMissedEvaluations"]
    expected = [(name, "rules/required") for name in required] + [("MimirRequestErrors", "promql/regexp")] * 2
    assert _found("thanos-loki-etcd-style.yml", SUMMARY_ONLY) == sorted(expected)


def test_burn_rate_and_sloth_rules_in_a_prometheus_rule_object() -> None:
    """Multi-window burn-rate alerts over recorded ``..._rate5m``/``_rate1h`` series need no 'for'."""
    assert _found("slo-burnrate-style.yml", SUMMARY_ONLY) == [
        ("apiserver_request:burnrate1h", "promql/regexp"),  # scope=~"resource|": on purpose there, ambiguous
        ("apiserver_request:burnrate1h", "rules/record-name"),  # two parts, no level
        ("apiserver_request:burnrate5m", "rules/record-name"),
        ("sloth_slo_info", "rules/record-name"),  # no colon: reads as a raw metric
    ]


def test_application_collections_and_promql_features() -> None:
    """offset, @, subqueries, absent_over_time, group_left label copies, unless, $externalLabels and
    {{ range query }} raise nothing; instant alerts without 'for' and labels sum() dropped do."""
    assert _found("apps-style.yml", SUMMARY_ONLY) == [
        ("BlackboxProbeHttpFailure", "alerts/for"),
        ("BlackboxSslCertificateWillExpireSoon", "alerts/for"),  # last_over_time smooths nothing
        ("IstioPilotDuplicateEntry", "promql/dropped-label"),
        ("PodCrashLoopingWithTeam", "promql/syntax"),  # '0 * on() group_left': a scalar with vector matching
        ("VaultClusterHealth", "alerts/for"),
        ("VaultClusterHealth", "promql/dropped-label"),
        ("VaultSealed", "alerts/for"),
        ("VaultTooManyPendingTokens", "promql/dropped-label"),
    ]


def test_default_settings_add_only_the_required_annotations() -> None:
    for fixture in ("ceph-default-alerts.yml", "thanos-loki-etcd-style.yml", "slo-burnrate-style.yml",
                    "apps-style.yml"):
        extra = set(_found(fixture, Settings())) - set(_found(fixture, SUMMARY_ONLY))
        assert extra and {check for _, check in extra} == {"rules/required"}, fixture


def test_more_exporter_collections() -> None:
    """Counters without ``_total`` whose last word counts events (``threads_created``,
    ``table_open_cache_hits``) are not gauges; ``count(...) == 0`` never fires (Traefik style)."""
    assert _found("exporters-more-style.yml", SUMMARY_ONLY) == [("TraefikServiceDown", "alerts/comparison")]


def test_clean_rules_using_joins_and_template_functions_raise_nothing() -> None:
    assert _found("promql-features-style.yml", SUMMARY_ONLY) == []


def test_loki_ruler_rules_are_not_called_invalid_promql() -> None:
    """LogQL line filters and pipelines are Loki's; rule-level checks still apply."""
    assert _found("loki-ruler-style.yml", SUMMARY_ONLY) == [("http-credentials-leaked", "rules/required")]
