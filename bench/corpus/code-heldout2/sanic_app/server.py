import asyncio
import html

from sanic import Sanic
from sanic.response import html as html_response
from sanic.response import json, redirect

app = Sanic("notes")


@app.get("/notes/<slug>")
async def note(request, slug):
    rows = await request.app.ctx.db.fetch(f"SELECT * FROM notes WHERE slug = '{slug}'")  # bad: 89
    return json([dict(r) for r in rows])


@app.get("/notes/<note_id:int>/raw")
async def note_raw(request, note_id):
    rows = await request.app.ctx.db.fetch(f"SELECT * FROM notes WHERE id = {note_id}")  # ok: 89
    return json([dict(r) for r in rows])


@app.get("/hello")
async def hello(request):
    name = request.args.get("name", "")
    return html_response("<p>Hello " + name + "</p>")  # bad: 79


@app.get("/hello-safe")
async def hello_safe(request):
    name = request.args.get("name", "")
    return html_response("<p>Hello " + html.escape(name) + "</p>")  # ok: 79


@app.post("/convert")
async def convert(request):
    src = request.json["src"]
    proc = await asyncio.create_subprocess_shell("pandoc " + src + " -o out.pdf")  # bad: 78
    await proc.wait()
    return json({"ok": True})


@app.get("/leave")
async def leave(request):
    return redirect(request.args.get("to", "/"))  # bad: 601


@app.get("/leave-safe")
async def leave_safe(request):
    return redirect(app.url_for("note", slug=request.args.get("slug", "home")))  # ok: 601
