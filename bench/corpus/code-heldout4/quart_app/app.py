import os
import shutil
import subprocess
import tempfile

import asyncpg
from markupsafe import Markup
from quart import Quart, redirect, render_template_string, request

app = Quart(__name__)
UPLOADS = "/srv/uploads"


async def pool():
    return await asyncpg.create_pool(dsn=os.environ["DATABASE_URL"])


@app.route("/orders")
async def orders():
    customer = request.args.get("customer", "")
    db = await pool()
    rows = await db.fetch(f"SELECT * FROM orders WHERE customer = '{customer}'")  # bad: 89
    return {"orders": [dict(r) for r in rows]}


@app.route("/orders/safe")
async def orders_safe():
    customer = request.args.get("customer", "")
    db = await pool()
    rows = await db.fetch("SELECT * FROM orders WHERE customer = $1", customer)  # ok: 89
    return {"orders": [dict(r) for r in rows]}


@app.route("/greet")
async def greet():
    name = request.args.get("name", "guest")
    return str(Markup("<p>Hello " + name + "</p>"))  # bad: 79


@app.route("/greet/escaped")
async def greet_escaped():
    name = request.args.get("name", "guest")
    return str(Markup("<p>Hello {}</p>").format(name))  # ok: 79


@app.route("/import", methods=["POST"])
async def import_archive():
    files = await request.files
    upload = files["archive"]
    target = tempfile.mkdtemp()
    path = os.path.join(target, "upload.tar")
    await upload.save(path)
    shutil.unpack_archive(path, os.path.join(UPLOADS, upload.filename))  # bad: 22
    return {"ok": True}


@app.route("/convert", methods=["POST"])
async def convert():
    data = await request.get_json()
    fmt = data.get("format", "png")
    subprocess.run(f"convert in.svg out.{fmt}", shell=True, check=True)  # bad: 78
    return {"ok": True}


@app.route("/convert/safe", methods=["POST"])
async def convert_safe():
    data = await request.get_json()
    fmt = data.get("format", "png")
    subprocess.run(["convert", "in.svg", f"out.{fmt}"], check=True)  # ok: 78
    return {"ok": True}


@app.route("/next")
async def next_page():
    target = request.args.get("next", "/")
    return redirect(target)  # bad: 601


@app.route("/next/local")
async def next_local():
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    return redirect(target)  # ok: 601


@app.route("/preview", methods=["POST"])
async def preview():
    form = await request.form
    return await render_template_string(form["template"])  # bad: 1336


@app.route("/preview/fixed", methods=["POST"])
async def preview_fixed():
    form = await request.form
    return await render_template_string("<p>{{ body }}</p>", body=form["template"])  # ok: 1336
