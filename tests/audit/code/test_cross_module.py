"""Flows across modules of one project: the request read through a helper class in another module,
a sink inside a helper function of another module, and the whole path in SARIF ``codeFlows``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from opskit.audit.api import AuditRequest, run_audit
from opskit.core.command import Output
from opskit.core.findings import Report
from opskit.core.render.sarif import SarifRenderer

PROJECTS = Path(__file__).parent / "fixtures" / "projects"


def audit(path: Path) -> Report:
    return run_audit(AuditRequest(target=str(path), only=("code",), use_cache=False), Output(quiet=True))


@pytest.fixture()
def flask_app(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PROJECTS / "flask_two_modules", tmp_path / "flask_two_modules"))


def own(report: Report) -> set[tuple[str, int | None, str]]:
    return {(f.location.path, f.location.line, f.rule_id) for f in report.findings if f.rule_id.startswith("code.")}


def test_request_read_through_a_helper_class_in_another_module_reaches_execute(flask_app: Path) -> None:
    report = audit(flask_app)
    assert own(report) == {
        ("shop/views.py", 14, "code.sql-injection"),  # RequestWrapper(request).get_form_parameter(...)
        ("shop/helpers.py", 18, "code.sql-injection"),  # find_user(cursor, request.args["name"])
    }  # get_page() returns an int; find_user_safely binds a parameter


def test_sarif_code_flow_has_source_each_step_and_sink(flask_app: Path) -> None:
    sarif = json.loads(SarifRenderer().render(audit(flask_app)))
    results = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]): r
               for r in sarif["runs"][0]["results"] if r["ruleId"] == "code.sql-injection"}
    steps = [(loc["location"]["physicalLocation"]["artifactLocation"]["uri"],
              loc["location"]["physicalLocation"]["region"]["startLine"], loc["location"]["message"]["text"])
             for loc in results[("shop/views.py", 14)]["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert steps == [
        ("shop/helpers.py", 9, "flask.request.form (form input)"),
        ("shop/views.py", 12, "returned by RequestWrapper.get_form_parameter()"),
        ("shop/views.py", 14, "reaches cursor.execute"),
    ]
    into_helper = [(loc["location"]["physicalLocation"]["artifactLocation"]["uri"],
                    loc["location"]["physicalLocation"]["region"]["startLine"])
                   for loc in results[("shop/helpers.py", 18)]["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert into_helper == [("shop/views.py", 29), ("shop/views.py", 29), ("shop/helpers.py", 18)]


def test_express_route_calls_a_query_helper_in_another_module(tmp_path: Path) -> None:
    app = Path(shutil.copytree(PROJECTS / "express_two_modules", tmp_path / "express_two_modules"))
    assert own(audit(app)) == {("lib/db.js", 5, "code.sql-injection")}


def test_input_a_middleware_in_another_file_copies_onto_req_is_input_in_every_route(tmp_path: Path) -> None:
    app = Path(shutil.copytree(PROJECTS / "express_middleware", tmp_path / "express_middleware"))
    assert own(audit(app)) == {
        ("routes/items.js", 8, "code.nosql-injection"),  # Item.find(req.listFilter): an object of input
        ("routes/items.js", 12, "code.sql-injection"),  # req.searchText: String(input) is still text
    }  # bound as a parameter; req.page is a number; req.region a constant


def test_methods_inherited_from_a_base_class_in_another_module_are_followed(tmp_path: Path) -> None:
    app = Path(shutil.copytree(PROJECTS / "falcon_base_class", tmp_path / "falcon_base_class"))
    assert own(audit(app)) == {
        ("api/resources.py", 9, "code.sql-injection"),  # self.param(req, ...) and self.literal_condition(...)
        ("api/resources.py", 18, "code.sql-injection"),  # self.param found two levels up
    }  # on_post binds the value as a parameter


def test_a_changed_helper_module_is_not_answered_from_the_cache(flask_app: Path, tmp_path: Path) -> None:
    def cached_audit() -> set[tuple[str, int | None, str]]:
        request = AuditRequest(target=str(flask_app), only=("code",), cache_dir=tmp_path / "cache")
        return own(run_audit(request, Output(quiet=True)))

    assert ("shop/views.py", 14, "code.sql-injection") in cached_audit()
    helpers = flask_app / "shop" / "helpers.py"
    helpers.write_text(helpers.read_text().replace("value = self.request.form.get(name)", "value = 'fixed'"))
    assert ("shop/views.py", 14, "code.sql-injection") not in cached_audit()


def test_typescript_imports_are_followed(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "shell.ts").write_text(
        "import { execSync } from 'child_process';\n\n"
        "export function archive(name: string): Buffer {\n  return execSync(`tar czf /tmp/${name}.tgz /srv`);\n}\n")
    (tmp_path / "server.ts").write_text(
        "import express, { Request, Response } from 'express';\nimport { archive } from './lib/shell';\n\n"
        "const app = express();\napp.post('/archive', ({ body }: Request, res: Response) => {\n"
        "  res.send(archive(body.name).length.toString());\n});\n")
    assert own(audit(tmp_path)) == {("lib/shell.ts", 4, "code.command-injection")}
