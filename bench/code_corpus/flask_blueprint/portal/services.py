import subprocess

import psycopg


class Inputs:
    """Reads the request for the views."""

    def __init__(self, req):
        self._req = req

    def text(self, key, default=""):
        return self._req.values.get(key, default)

    def number(self, key):
        return int(self._req.args.get(key, 0))


def ping(host):
    return subprocess.check_output("ping -c 1 " + host, shell=True)  # bad: 78


def ping_safe(host):
    return subprocess.check_output(["ping", "-c", "1", host])  # ok: 78


def lookup(conn: psycopg.Connection, email):
    return conn.execute("SELECT id FROM users WHERE email = %s", (email,)).fetchone()  # ok: 89


def lookup_unsafe(conn: psycopg.Connection, email):
    return conn.execute("SELECT id FROM users WHERE email = '{}'".format(email)).fetchone()  # bad: 89
