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
