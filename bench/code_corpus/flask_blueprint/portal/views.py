import pickle
from base64 import b64decode

import psycopg
from flask import Blueprint, render_template, request, session

from .services import Inputs, lookup, lookup_unsafe, ping, ping_safe

bp = Blueprint("portal", __name__)


@bp.route("/ping")
def do_ping():
    host = Inputs(request).text("host")
    ping(host)
    ping_safe(host)
    return render_template("ping.html", host=host)


@bp.route("/user")
def user():
    conn = psycopg.connect("dbname=portal")
    email = Inputs(request).text("email")
    return {"a": lookup(conn, email), "b": lookup_unsafe(conn, email)}


@bp.route("/page")
def page():
    n = Inputs(request).number("n")
    return "<p>page %d</p>" % n  # ok: 79


@bp.route("/restore", methods=["POST"])
def restore():
    state = pickle.loads(b64decode(request.form["state"]))  # bad: 502
    session["state"] = request.form.get("label")  # bad: 501
    return str(state)
