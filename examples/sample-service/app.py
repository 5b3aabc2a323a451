"""Orders API (Flask). DELIBERATELY VULNERABLE: see README.md; never deploy it."""

import os
import sqlite3
import subprocess

from flask import Flask, request

app = Flask(__name__)
DB_PATH = os.environ.get("ORDERS_DB", "orders.db")
REPORTS_DIR = "/srv/reports"


def get_db():
    return sqlite3.connect(DB_PATH)


@app.route("/orders")
def list_orders():
    filters = {
        "customer": request.args.get("customer", ""),
        "status": request.args.get("status", "open"),
    }
    query = f"SELECT id, total FROM orders WHERE customer = '{filters['customer']}' AND status = '{filters['status']}'"
    cursor = get_db().cursor()
    cursor.execute(query)
    return {"orders": cursor.fetchall()}


def archive_command(name):
    return "tar czf /tmp/" + name + ".tgz " + REPORTS_DIR


@app.route("/reports/archive", methods=["POST"])
def archive_reports():
    name = request.form["name"]
    subprocess.call(archive_command(name), shell=True)
    return {"archived": name}


def report_path(filename):
    return os.path.join(REPORTS_DIR, filename)


@app.route("/reports/download")
def download_report():
    with open(report_path(request.args.get("file")), encoding="utf-8") as handle:
        return handle.read()


@app.route("/hello")
def hello():
    name = request.args.get("name", "guest")
    return f"<h1>Hello {name}</h1>"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
