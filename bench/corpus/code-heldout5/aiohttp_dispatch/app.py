import importlib
import xml.dom.minidom

import defusedxml.minidom
from aiohttp import web

from . import actions

HANDLERS = {"export": actions.export, "archive": actions.archive}


def build_query(table, field, value):
    return f"SELECT * FROM {table} WHERE {field} = '{value}'"


def select_by(field, value):
    return build_query("accounts", field, value)


async def dispatch(request):
    name = request.match_info["action"]
    return web.json_response(getattr(actions, name)())  # bad: 94


async def dispatch_safe(request):
    name = request.match_info["action"]
    handler = HANDLERS.get(name)
    if handler is None:
        raise web.HTTPNotFound()
    return web.json_response(handler())  # ok: 94


async def plugin(request):
    module = importlib.import_module(request.query["plugin"])  # bad: 94
    return web.json_response(module.describe())


async def lookup(request):
    email = request.query.get("email", "")
    async with request.app["pool"].acquire() as conn:
        rows = await conn.fetch(select_by("email", email))  # bad: 89
    return web.json_response([dict(r) for r in rows])


async def lookup_safe(request):
    email = request.query.get("email", "")
    async with request.app["pool"].acquire() as conn:
        rows = await conn.fetch("SELECT * FROM accounts WHERE email = $1", email)  # ok: 89
    return web.json_response([dict(r) for r in rows])


async def import_feed(request):
    body = await request.text()
    doc = xml.dom.minidom.parseString(body)  # bad: 611
    return web.json_response({"items": len(doc.getElementsByTagName("item"))})


async def import_feed_safe(request):
    body = await request.text()
    doc = defusedxml.minidom.parseString(body)  # ok: 611
    return web.json_response({"items": len(doc.getElementsByTagName("item"))})


async def calc(request):
    data = await request.post()
    compute = lambda expr: eval(expr)  # noqa: E731
    return web.json_response({"value": compute(data["expr"])})  # bad: 94


async def calc_safe(request):
    data = await request.post()
    compute = lambda expr: int(expr, 10)  # noqa: E731
    return web.json_response({"value": compute(data["expr"])})  # ok: 94


app = web.Application()
app.router.add_get("/run/{action}", dispatch)
app.router.add_get("/run-safe/{action}", dispatch_safe)
