"""OSV record reading, version matching per ecosystem, alias merging, the smallest fix and CVSS scores."""

from __future__ import annotations

import json

import pytest

from opskit.audit.deps.findings import group_by_alias, package_findings, primary_id
from opskit.audit.deps.interface import Ecosystem, Package
from opskit.audit.deps.osv.matching import fixed_versions, matches, range_allows, smallest_fix, sort_versions
from opskit.audit.deps.osv.record import RecordError, parse_record
from opskit.audit.deps.severity import base_score, from_score
from opskit.core.findings import Severity
from tests.audit.deps.servers import load_records

RECORDS = {i: parse_record(r) for i, r in load_records().items()}


def _record(ecosystem: str, name: str, ranges: list, versions: tuple = (), kind: str = "ECOSYSTEM", **extra) -> object:
    return parse_record({
        "id": extra.pop("id", "TEST-1"), "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": ecosystem, "name": name}, "versions": list(versions),
                      "ranges": [{"type": kind, "events": events} for events in ranges]}],
        **extra,
    })


def pypi(name: str, version: str) -> Package:
    return Package(Ecosystem.PYPI, name, version)


def npm(name: str, version: str) -> Package:
    return Package(Ecosystem.NPM, name, version)


@pytest.mark.parametrize(("version", "affected"), [
    ("2.19.0", True), ("2.19.1", True), ("0.10.0", True), ("2.20.0", False), ("2.20.0rc1", True), ("3.0", False)])
def test_pep440_range(version: str, affected: bool) -> None:
    assert matches(RECORDS["PYSEC-2018-28"], pypi("Requests", version)) is affected


def test_pep440_ordering_not_string_ordering() -> None:
    advisory = _record("PyPI", "django", [[{"introduced": "1.9"}, {"fixed": "1.10.2"}]])
    assert matches(advisory, pypi("django", "1.10.1"))  # "1.10.1" < "1.9" as strings
    assert not matches(advisory, pypi("django", "1.10.2"))
    assert not matches(advisory, pypi("django", "1.8.19"))


@pytest.mark.parametrize(("version", "affected"), [
    ("0.0.8", True), ("0.2.0", True), ("0.2.4", False), ("1.0.0", True), ("1.2.5", True), ("1.2.6", False),
    ("1.2.6-beta.1", True), ("2.0.0", False)])
def test_semver_multiple_ranges(version: str, affected: bool) -> None:
    assert matches(RECORDS["GHSA-xvch-5gv4-984h"], npm("minimist", version)) is affected


def test_last_affected_limit_and_explicit_versions() -> None:
    last = _record("npm", "x", [[{"introduced": "1.0.0"}, {"last_affected": "1.4.0"}]], kind="SEMVER")
    assert matches(last, npm("x", "1.4.0")) and not matches(last, npm("x", "1.4.1"))
    listed = _record("PyPI", "x", [], versions=("0.9", "1.0.post1"))
    assert matches(listed, pypi("x", "1.0.post1")) and matches(listed, pypi("x", "0.9.0"))  # PEP 440 equality
    assert not matches(listed, pypi("x", "1.0"))
    git_only = _record("PyPI", "x", [[{"introduced": "0"}, {"fixed": "abc123"}]], kind="GIT")
    assert not matches(git_only, pypi("x", "1.0"))


def test_withdrawn_other_ecosystem_and_unparseable_versions_never_match() -> None:
    withdrawn = _record("PyPI", "x", [[{"introduced": "0"}]], withdrawn="2024-01-02T00:00:00Z")
    assert not matches(withdrawn, pypi("x", "1.0"))
    assert not matches(RECORDS["PYSEC-2018-28"], npm("requests", "2.19.0"))
    assert not matches(RECORDS["PYSEC-2018-28"], pypi("requests", "not-a-version"))


def test_aliases_merge_into_one_issue_named_by_ghsa() -> None:
    group = [RECORDS["PYSEC-2018-28"], RECORDS["GHSA-x84v-xcm2-53pg"], RECORDS["GHSA-j8r2-6x86-q33q"]]
    groups = group_by_alias(group)
    assert [primary_id(g) for g in groups] == ["GHSA-j8r2-6x86-q33q", "GHSA-x84v-xcm2-53pg"]
    finding = next(f for f in package_findings(pypi("requests", "2.19.0"), group, (), "r.txt", None, {})
                   if f.rule_id == "GHSA-x84v-xcm2-53pg")
    assert finding.properties["aliases"] == ["PYSEC-2018-28", "CVE-2018-18074"]
    assert finding.severity is Severity.HIGH and finding.properties["cvss_score"] == 7.5
    assert finding.cwe == (522,)


def test_ignore_vuln_by_any_alias() -> None:
    group = [RECORDS["PYSEC-2018-28"], RECORDS["GHSA-x84v-xcm2-53pg"]]
    assert package_findings(pypi("requests", "2.19.0"), group, ("CVE-2018-18074",), "r.txt", None, {}) == []


def test_smallest_fix_covers_every_advisory_of_the_package() -> None:
    requests = [RECORDS[i] for i in ("PYSEC-2018-28", "GHSA-j8r2-6x86-q33q", "GHSA-9wx4-h78v-vm56")]
    assert smallest_fix(pypi("requests", "2.19.0"), requests) == "2.32.0"
    assert fixed_versions(RECORDS["GHSA-j8r2-6x86-q33q"], pypi("requests", "2.19.0")) == ["2.31.0"]
    minimist = [RECORDS["GHSA-vh95-rmgr-6w4m"], RECORDS["GHSA-xvch-5gv4-984h"]]
    assert smallest_fix(npm("minimist", "0.0.8"), minimist) == "0.2.4"
    assert smallest_fix(npm("minimist", "1.2.0"), minimist) == "1.2.6"  # stays on its major line
    unfixed = _record("npm", "x", [[{"introduced": "0"}]], kind="SEMVER")
    assert smallest_fix(npm("x", "1.0.0"), [unfixed]) is None


def test_version_sorting_is_by_ecosystem_rules() -> None:
    assert sort_versions(Ecosystem.PYPI, ["1.10", "1.9", "1.10rc1", "bogus"]) == ["1.9", "1.10rc1", "1.10"]
    assert sort_versions(Ecosystem.NPM, ["1.10.0", "1.9.0", "1.10.0-rc.1"]) == ["1.9.0", "1.10.0-rc.1", "1.10.0"]


@pytest.mark.parametrize(("vector", "score", "severity"), [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, Severity.CRITICAL),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, Severity.HIGH),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3, Severity.MEDIUM),
    ("CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:L", 4.5, Severity.MEDIUM),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, Severity.CRITICAL),
    ("CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 1.0, Severity.LOW),
])
def test_cvss_scores_are_computed_from_the_vector(vector: str, score: float, severity: Severity) -> None:
    assert base_score(vector) == score
    assert from_score(score) is severity


def test_v4_vector_in_a_record_sets_severity_and_garbage_vectors_are_ignored() -> None:
    record = _record("npm", "x", [[{"introduced": "0"}]], kind="SEMVER", severity=[
        {"type": "CVSS_V3", "score": "CVSS:3.1/garbage"},
        {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}])
    assert record.cvss_score == 9.3  # type: ignore[attr-defined]
    rated = _record("npm", "x", [[{"introduced": "0"}]], kind="SEMVER", database_specific={"severity": "LOW"})
    finding = package_findings(npm("x", "1.0.0"), [rated], (), "p.json", None, {})[0]  # type: ignore[list-item]
    assert finding.severity is Severity.LOW and finding.properties["severity_source"] == "database"


@pytest.mark.parametrize("raw", [None, [], {"id": 5}, {"id": "X", "affected": "nope"}, json.loads('{"summary": "x"}')])
def test_records_that_are_not_osv_are_rejected(raw: object) -> None:
    with pytest.raises(RecordError):
        parse_record(raw)


def test_advisories_of_other_versions_give_no_finding() -> None:
    lodash = [RECORDS[i] for i in ("GHSA-p6mc-m468-83gw", "GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9")]
    assert package_findings(npm("lodash", "4.17.21"), lodash, (), "package-lock.json", None, {}) == []
    assert [f.rule_id for f in package_findings(npm("lodash", "4.17.20"), lodash, (), "p", None, {})] == [
        "GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm"]
    assert [f.rule_id for f in package_findings(npm("lodash", "3.6.0"), lodash, (), "p", None, {})] == [
        "GHSA-35jh-r3h4-6jhm"]


@pytest.mark.parametrize(("ecosystem", "declared", "version", "allowed"), [
    (Ecosystem.NPM, "^4.17.15", "4.17.21", True), (Ecosystem.NPM, "~4.17.15", "4.17.21", True),
    (Ecosystem.NPM, "4.17.15", "4.17.21", False), (Ecosystem.NPM, ">=1.0.0 <1.2.6", "1.2.6", False),
    (Ecosystem.NPM, "github:lodash/lodash", "4.17.21", None), (Ecosystem.NPM, "", "1.0.0", None),
    (Ecosystem.PYPI, ">=2.0,<3", "2.32.0", True), (Ecosystem.PYPI, "==2.19.0", "2.32.0", False),
    (Ecosystem.PYPI, "~=2.19", "2.32.0", True), (Ecosystem.PYPI, "not a spec", "1", None),
])
def test_whether_the_declared_range_admits_the_fix(ecosystem: Ecosystem, declared: str, version: str,
                                                    allowed: bool | None) -> None:
    assert range_allows(ecosystem, declared, version) is allowed


def test_advice_says_whether_the_lockfile_or_the_manifest_must_change() -> None:
    lodash = [RECORDS["GHSA-35jh-r3h4-6jhm"]]
    caret = Package(Ecosystem.NPM, "lodash", "4.17.15", direct=True, declared="^4.17.15")
    finding = package_findings(caret, lodash, (), "package-lock.json", None, {})[0]
    assert "allows it, so updating the lockfile is enough" in finding.message
    assert finding.properties["fix_in_declared_range"] is True
    exact = Package(Ecosystem.NPM, "lodash", "4.17.15", direct=True, declared="4.17.15")
    assert "excludes it, so change the manifest" in package_findings(exact, lodash, (), "p", None, {})[0].message
