import os
import subprocess

from celery import Celery
from flask import Flask, request

celery = Celery("worker", broker=os.environ.get("BROKER_URL", "redis://localhost"))
web = Flask(__name__)
SETTINGS = {"backup": {"dir": "/var/backups", "table": "events"}}
TABLES = ("events", "users")


@celery.task
def thumbnail(source):
    subprocess.run("convert " + source + " -resize 64x64 thumb.png", shell=True, check=True)  # bad: 78


@celery.task
def thumbnail_safe(source):
    subprocess.run(["convert", source, "-resize", "64x64", "thumb.png"], check=True)  # ok: 78


@web.route("/thumb", methods=["POST"])
def enqueue():
    thumbnail.delay(request.form["path"])
    thumbnail_safe.delay(request.form["path"])
    return "", 202


@celery.task
def nightly_backup():
    target = SETTINGS.get("backup", {}).get("dir", "/tmp")
    subprocess.run(f"pg_dump app > {target}/app.sql", shell=True, check=True)  # ok: 78


def vacuum(cursor):
    for table in TABLES:
        cursor.execute(f"VACUUM ANALYZE {table}")  # ok: 89
    cursor.execute("SELECT count(*) FROM %s" % SETTINGS["backup"]["table"])  # ok: 89


@web.route("/health")
def health():
    mode = request.args.get("mode", "")
    check = "full" if mode == "full" else "quick"
    subprocess.run("healthcheck --" + check, shell=True, check=True)  # ok: 78
    with open(os.path.join("/srv/health", "status.txt")) as handle:  # ok: 22
        return handle.read()


@web.route("/count")
def count():
    limit = int(request.args.get("limit", "10"))
    from .db import cursor
    cursor().execute(f"SELECT * FROM events LIMIT {limit}")  # ok: 89
    return "ok"
