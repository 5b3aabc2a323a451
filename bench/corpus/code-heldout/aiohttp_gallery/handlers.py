import os
import subprocess

import aiohttp
from aiohttp import web

from .db import pool

MEDIA = "/srv/gallery/media"
THUMB_SIZES = {"small": "64x64", "medium": "256x256", "large": "1024x1024"}

routes = web.RouteTableDef()


@routes.get("/albums/{album}")
async def album(request: web.Request) -> web.Response:
    name = request.match_info["album"]
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT * FROM photos WHERE album = '{name}'")  # bad: 89
    return web.json_response([dict(r) for r in rows])


@routes.get("/albums-safe/{album}")
async def album_safe(request: web.Request) -> web.Response:
    name = request.match_info["album"]
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM photos WHERE album = $1", name)  # ok: 89
    return web.json_response([dict(r) for r in rows])


@routes.post("/albums/{album}/rename")
async def rename(request: web.Request) -> web.Response:
    form = await request.post()
    async with pool.acquire() as conn:
        await conn.execute("UPDATE albums SET title = '%s' WHERE name = '%s'" % (form["title"], request.match_info["album"]))  # bad: 89
    return web.Response(text="ok")


@routes.get("/caption")
async def caption(request: web.Request) -> web.Response:
    text = request.query.get("text", "")
    return web.Response(text="<figcaption>" + text + "</figcaption>", content_type="text/html")  # bad: 79


@routes.get("/raw/{name}")
async def raw(request: web.Request) -> web.FileResponse:
    return web.FileResponse(os.path.join(MEDIA, request.match_info["name"]))  # bad: 22


@routes.get("/thumb/{name}")
async def thumb(request: web.Request) -> web.Response:
    size = THUMB_SIZES.get(request.query.get("size", "small"), "64x64")
    name = os.path.basename(request.match_info["name"])
    subprocess.run("convert %s -resize %s /tmp/thumb.png" % (os.path.join(MEDIA, name), size), shell=True)  # bad: 78
    return web.FileResponse("/tmp/thumb.png")


@routes.post("/fetch")
async def fetch_remote(request: web.Request) -> web.Response:
    data = await request.json()
    async with aiohttp.ClientSession() as session:
        async with session.get(data["url"]) as resp:  # bad: 918
            body = await resp.read()
    return web.Response(body=body, content_type="image/jpeg")


@routes.post("/fetch-safe")
async def fetch_partner(request: web.Request) -> web.Response:
    data = await request.json()
    async with aiohttp.ClientSession() as session:
        async with session.get("https://cdn.example.com/images/" + str(int(data["id"]))) as resp:  # ok: 918
            body = await resp.read()
    return web.Response(body=body, content_type="image/jpeg")
