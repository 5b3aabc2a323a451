import os
import sqlite3
import subprocess

import httpx
from litestar import Litestar, Request, get, post
from litestar.response import Redirect, Response

DB = sqlite3.connect("app.db")
ROOT = os.path.realpath("/srv/reports")


@get("/search")
async def search(request: Request) -> dict:
    term = request.query_params.get("q", "")
    cur = DB.execute("SELECT id FROM items WHERE name LIKE '%" + term + "%'")  # bad: 89
    return {"ids": [r[0] for r in cur]}


@get("/search/safe")
async def search_safe(request: Request) -> dict:
    term = request.query_params.get("q", "")
    cur = DB.execute("SELECT id FROM items WHERE name LIKE ?", (f"%{term}%",))  # ok: 89
    return {"ids": [r[0] for r in cur]}


@get("/report/{name:str}")
async def report(request: Request) -> Response:
    name = request.path_params["name"]
    with open(os.path.join(ROOT, name)) as handle:  # bad: 22
        return Response(handle.read())


@get("/report-safe/{name:str}")
async def report_safe(request: Request) -> Response:
    name = request.path_params["name"]
    path = os.path.realpath(os.path.join(ROOT, name))
    if os.path.commonpath([ROOT, path]) != ROOT:
        return Response("no", status_code=403)
    with open(path) as handle:  # ok: 22
        return Response(handle.read())


@post("/ping")
async def ping(request: Request) -> dict:
    body = await request.json()
    host = body.get("host", "")
    out = subprocess.check_output("ping -c 1 " + host, shell=True)  # bad: 78
    return {"out": out.decode()}


@post("/fetch")
async def fetch(request: Request) -> dict:
    body = await request.json()
    async with httpx.AsyncClient() as client:
        r = await client.get(body["url"])  # bad: 918
    return {"status": r.status_code}


@get("/go")
async def go(request: Request) -> Redirect:
    return Redirect(path=request.query_params["to"])  # bad: 601


app = Litestar(route_handlers=[search, search_safe, report, report_safe, ping, fetch, go])
