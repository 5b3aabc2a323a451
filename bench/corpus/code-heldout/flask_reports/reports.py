import ast
import os
import shlex
import subprocess
from urllib.parse import urlparse

import requests
from flask import Flask, abort, jsonify, redirect, request, send_from_directory
from markupsafe import escape
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"])
REPORT_DIR = "/srv/reports"
FORMATS = {"csv": "text/csv", "json": "application/json"}
WEBHOOK_HOSTS = {"hooks.slack.com", "hooks.example.com"}


@app.route("/reports/<int:report_id>")
def report(report_id):
    with engine.connect() as conn:
        row = conn.execute(text(f"SELECT * FROM reports WHERE id = {report_id}")).first()  # ok: 89
    return jsonify(dict(row._mapping))


@app.route("/reports/by-owner")
def by_owner():
    owner = request.args["owner"]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM reports WHERE owner = :owner"), {"owner": owner}).all()  # ok: 89
    return jsonify([dict(r._mapping) for r in rows])


@app.route("/reports/by-owner-raw")
def by_owner_raw():
    owner = request.args["owner"]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM reports WHERE owner = '%s'" % owner)).all()  # bad: 89
    return jsonify([dict(r._mapping) for r in rows])


@app.route("/reports/export")
def export():
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        abort(400)
    return send_from_directory(REPORT_DIR, "latest." + fmt, mimetype=FORMATS[fmt])  # ok: 22


@app.route("/reports/archive")
def archive():
    name = request.args["name"]
    cmd = "gzip -k " + shlex.quote(os.path.join(REPORT_DIR, os.path.basename(name)))
    subprocess.run(cmd, shell=True, check=True)  # ok: 78
    return jsonify(archived=name)


@app.route("/reports/count")
def count():
    days = int(request.args.get("days", 7))
    out = subprocess.check_output("find /srv/reports -mtime -%d | wc -l" % days, shell=True)  # ok: 78
    return jsonify(count=int(out))


@app.route("/reports/notify", methods=["POST"])
def notify():
    hook = request.json["webhook"]
    if urlparse(hook).hostname not in WEBHOOK_HOSTS:
        abort(400)
    requests.post(hook, json={"text": "report ready"}, timeout=5)  # ok: 918
    return jsonify(sent=True)


@app.route("/reports/title")
def title():
    return "<h1>" + str(escape(request.args.get("t", ""))) + "</h1>"  # ok: 79


@app.route("/reports/title-raw")
def title_raw():
    return "<h1>" + request.args.get("t", "") + "</h1>"  # bad: 79


@app.route("/reports/open")
def open_report():
    return redirect("/reports/" + str(int(request.args["id"])))  # ok: 601


@app.route("/reports/filter")
def report_filter():
    ids = ast.literal_eval(request.args.get("ids", "[]"))  # ok: 94
    return jsonify(ids=[int(i) for i in ids])
