"""Bandit's injection findings with no tainted flow behind them are hints (info, low confidence,
not counted by ``--fail-on high``); with a flow they stand; one weakness on one line is one finding."""

from __future__ import annotations

from opskit.audit.code.scanners import BanditScanner
from opskit.audit.interface import ScanSettings, SourceFile
from opskit.core.findings import Confidence, Report, Severity

SOURCE = '''import subprocess
import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/orders")
def orders():
    db = sqlite3.connect("shop.db")
    table = "orders"
    db.execute(f"SELECT * FROM {table} WHERE id = ?", (request.args["id"],))
    db.execute(f"SELECT * FROM {table} WHERE id = '{request.args['id']}'")
    subprocess.call("ls -l /srv", shell=True)
    subprocess.call("ls -l " + request.args["dir"], shell=True)
    return "ok"
'''


def _findings() -> dict[tuple[str, int | None], tuple[Severity, Confidence, list[str]]]:
    result = BanditScanner(ScanSettings()).scan([SourceFile("shop.py", SOURCE)])
    return {(f.rule_id, f.location.line): (f.severity, f.confidence, f.properties.get("also_reported_by", []))
            for f in result.findings}


def test_injection_findings_without_a_flow_are_hints() -> None:
    found = _findings()
    hint = (Severity.INFO, Confidence.LOW)
    assert found[("bandit.B608", 13)][:2] == hint  # constant f-string, parameters bound
    assert found[("bandit.B608", 14)][:2] != hint
    assert found[("bandit.B404", 1)][:2] == hint  # import subprocess
    assert found[("bandit.B602", 15)][:2] == hint
    assert found[("bandit.B602", 16)][:2] != hint
    report = Report("audit", [f for f in BanditScanner(ScanSettings()).scan([SourceFile("shop.py", SOURCE)]).findings
                              if f.location.line in (1, 13, 15)])
    assert not report.fails(Severity.LOW) and report.fails(Severity.INFO)


def test_one_weakness_on_one_line_is_one_finding() -> None:
    found = _findings()
    lines = [line for _, line in found]
    assert lines.count(15) == 1  # B602 and B607 on one line: one CWE-78 finding
    assert found[("bandit.B602", 15)][2] == ["bandit.B607"]


def test_a_query_string_built_from_input_is_not_a_hint() -> None:
    source = ('import sqlite3\n\nfrom flask import request\n\n\ndef orders():\n    name = request.args["n"]\n'
              '    query = "SELECT * FROM t WHERE n = \'%s\'" % name\n    sqlite3.connect("x").execute(query)\n')
    findings = BanditScanner(ScanSettings()).scan([SourceFile("q.py", source)]).findings
    assert [(f.rule_id, f.location.line, f.severity) for f in findings if f.rule_id == "bandit.B608"] == [
        ("bandit.B608", 8, Severity.MEDIUM)]


def test_input_stored_on_a_safe_call_line_leaves_a_hint() -> None:
    """Input passed to an argument list (no shell) is stored on the line, but reaches no sink there."""
    source = ('import subprocess\n\nfrom flask import request\n\n\ndef dig():\n'
              '    out = subprocess.run(["dig", request.args["host"]], capture_output=True).stdout\n'
              '    shell = subprocess.run("dig " + request.args["host"], shell=True).stdout\n    return out + shell\n')
    findings = BanditScanner(ScanSettings()).scan([SourceFile("d.py", source)]).findings
    assert {(f.rule_id, f.location.line, f.severity) for f in findings if f.location.line in (7, 8)} == {
        ("bandit.B603", 7, Severity.INFO), ("bandit.B602", 8, Severity.HIGH)}


def test_a_query_built_from_constants_with_input_as_parameters_stays_a_hint() -> None:
    """Input on the line goes into the parameters and the result, not into the SQL string bandit flags."""
    source = ('import sqlite3\n\nfrom flask import request\n\n\ndef tags():\n    wanted = request.args.getlist("t")\n'
              '    marks = ", ".join("?" for _ in wanted)\n'
              '    rows = sqlite3.connect("x").execute("SELECT * FROM t WHERE n IN (%s)" % marks, wanted).fetchall()\n'
              '    return rows\n')
    findings = BanditScanner(ScanSettings()).scan([SourceFile("t.py", source)]).findings
    assert [(f.rule_id, f.location.line, f.severity) for f in findings if f.rule_id == "bandit.B608"] == [
        ("bandit.B608", 9, Severity.INFO)]
