import os
import sqlite3
import subprocess

from bottle import Bottle, redirect, request, response, static_file, template

app = Bottle()
db = sqlite3.connect("app.db")
UPLOADS = "/srv/uploads"


@app.get("/search")
def search():
    q = request.query.get("q", "")
    rows = db.execute("SELECT * FROM docs WHERE title LIKE '%" + q + "%'").fetchall()  # bad: 89
    same = db.execute("SELECT * FROM docs WHERE title LIKE ?", ("%" + q + "%",)).fetchall()  # ok: 89
    return {"rows": rows, "same": same}


@app.get("/files/<name>")
def files(name):
    return static_file(name, root=UPLOADS)  # ok: 22


@app.get("/raw/<name>")
def raw(name):
    with open(os.path.join(UPLOADS, name)) as fh:  # bad: 22
        return fh.read()


@app.post("/ping")
def ping():
    host = request.forms.get("host")
    return subprocess.check_output("ping -c1 " + host, shell=True)  # bad: 78


@app.get("/go")
def go():
    redirect(request.query.get("next", "/"))  # bad: 601


@app.get("/page/<num:int>")
def page(num):
    return db.execute("SELECT * FROM docs LIMIT 10 OFFSET %d" % (num * 10)).fetchall()  # ok: 89


@app.post("/ping-safe")
def ping_safe():
    host = request.forms.get("host")
    return subprocess.check_output(["ping", "-c1", host])  # ok: 78


@app.get("/hello/<name>")
def hello(name):
    response.content_type = "text/html"
    return template("<b>Hello {{name}}</b>", name=name)  # ok: 79
