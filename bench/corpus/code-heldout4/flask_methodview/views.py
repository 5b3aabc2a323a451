import os
import shlex
import yaml

from flask import Flask, abort, jsonify, request, send_file
from flask.views import MethodView
from psycopg import sql

from .shell import run_tool, run_tool_args
from .db import connection

app = Flask(__name__)
EXPORTS = os.path.realpath("/srv/exports")


class ReportAPI(MethodView):
    def get(self, name):
        order = request.args.get("order", "id")
        with connection().cursor() as cur:
            cur.execute(f"SELECT * FROM {name} ORDER BY {order}")  # bad: 89
            return jsonify(cur.fetchall())

    def post(self, name):
        order = request.args.get("order", "id")
        with connection().cursor() as cur:
            cur.execute(sql.SQL("SELECT * FROM {} ORDER BY {}").format(sql.Identifier(name), sql.Identifier(order)))  # ok: 89
            return jsonify(cur.fetchall())


class ToolAPI(MethodView):
    def post(self):
        payload = request.get_json(silent=True) or {}
        target = payload.get("options", {}).get("target", "")
        return run_tool("nmap -sV " + target)  # bad: 78

    def put(self):
        payload = request.get_json(silent=True) or {}
        target = payload.get("options", {}).get("target", "")
        return run_tool("nmap -sV " + shlex.quote(target))  # ok: 78

    def patch(self):
        payload = request.get_json(silent=True) or {}
        return run_tool_args(["nmap", "-sV", payload.get("target", "")])  # ok: 78


class ExportAPI(MethodView):
    def get(self):
        wanted = request.args["file"]
        path = os.path.realpath(os.path.join(EXPORTS, wanted))
        if os.path.commonpath([EXPORTS, path]) != EXPORTS:
            abort(404)
        return send_file(path)  # ok: 22

    def delete(self):
        os.remove(os.path.join(EXPORTS, request.args["file"]))  # bad: 22
        return "", 204


class ConfigAPI(MethodView):
    def post(self):
        return jsonify(yaml.load(request.data, Loader=yaml.Loader))  # bad: 502

    def put(self):
        return jsonify(yaml.safe_load(request.data))  # ok: 502


app.add_url_rule("/reports/<name>", view_func=ReportAPI.as_view("reports"))
app.add_url_rule("/tools", view_func=ToolAPI.as_view("tools"))
app.add_url_rule("/exports", view_func=ExportAPI.as_view("exports"))
app.add_url_rule("/config", view_func=ConfigAPI.as_view("config"))
