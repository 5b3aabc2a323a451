import os
import shlex
import subprocess
import tarfile

import ldap
from flask import Blueprint, abort, redirect, render_template, render_template_string, request, send_file, url_for
from jinja2 import Environment, FileSystemLoader, select_autoescape
from ldap.filter import escape_filter_chars
from werkzeug.utils import secure_filename

admin = Blueprint("admin", __name__, url_prefix="/admin")
EXPORT_DIR = "/var/lib/app/exports"
raw_env = Environment(loader=FileSystemLoader("templates"), autoescape=False)
safe_env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html"]))


@admin.route("/export/<path:name>")
def export(name):
    return send_file(os.path.join(EXPORT_DIR, name))  # bad: 22


@admin.route("/export-safe/<name>")
def export_safe(name):
    return send_file(os.path.join(EXPORT_DIR, secure_filename(name)))  # ok: 22


@admin.route("/logs")
def logs():
    day = request.args.get("day", "today")
    with open(os.path.join("/var/log/app", day + ".log")) as fh:  # bad: 22
        return fh.read(), 200, {"Content-Type": "text/plain"}


@admin.route("/backup", methods=["POST"])
def backup():
    label = request.form["label"]
    os.popen("tar czf /backups/%s.tgz /var/lib/app" % label).read()  # bad: 78
    subprocess.call("tar czf /backups/" + shlex.quote(label) + ".tgz /var/lib/app", shell=True)  # ok: 78
    return redirect(url_for("admin.index"))  # ok: 601


@admin.route("/restore", methods=["POST"])
def restore():
    upload = request.files["archive"]
    with tarfile.open(fileobj=upload.stream, mode="r:gz") as archive:
        archive.extractall("/var/lib/app/restore")  # bad: 22
    return "restored"


@admin.route("/restore-safe", methods=["POST"])
def restore_safe():
    upload = request.files["archive"]
    with tarfile.open(fileobj=upload.stream, mode="r:gz") as archive:
        archive.extractall("/var/lib/app/restore", filter="data")  # ok: 22
    return "restored"


@admin.route("/go")
def go():
    return redirect(request.args["to"])  # bad: 601


@admin.route("/banner")
def banner():
    text = request.args.get("text", "")
    return render_template_string("<div class='banner'>" + text + "</div>")  # bad: 1336


@admin.route("/banner-safe")
def banner_safe():
    return render_template_string("<div class='banner'>{{ text }}</div>", text=request.args.get("text", ""))  # ok: 1336


@admin.route("/notice")
def notice():
    return raw_env.get_template("notice.html").render(message=request.args.get("m", ""))  # bad: 79


@admin.route("/notice-safe")
def notice_safe():
    return safe_env.get_template("notice.html").render(message=request.args.get("m", ""))  # ok: 79


@admin.route("/profile")
def profile():
    return render_template("profile.html", name=request.args.get("name"))  # ok: 79


@admin.route("/directory")
def directory():
    user = request.args["user"]
    conn = ldap.initialize("ldap://ldap.internal")
    results = conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + user + ")")  # bad: 90
    safe = conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=%s)" % escape_filter_chars(user))  # ok: 90
    if not results and not safe:
        abort(404)
    return {"dn": results[0][0]}
