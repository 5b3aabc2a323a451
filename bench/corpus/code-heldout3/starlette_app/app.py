import json
import pickle

import httpx
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

ALLOWED = {"https://status.example.com/health"}


async def profile(request):
    user = request.path_params["user"]
    return HTMLResponse(f"<h1>{user}</h1>")  # bad: 79


async def state(request):
    body = await request.body()
    return JSONResponse({"n": len(pickle.loads(body))})  # bad: 502


async def state_json(request):
    body = await request.body()
    return JSONResponse({"n": len(json.loads(body))})  # ok: 502


async def check(request):
    url = request.query_params.get("url", "")
    if url not in ALLOWED:
        return JSONResponse({"error": "no"}, status_code=400)
    async with httpx.AsyncClient() as client:
        r = await client.get(url)  # ok: 918
    return JSONResponse({"status": r.status_code})


async def fetch(request):
    form = await request.form()
    async with httpx.AsyncClient() as client:
        r = await client.get(form["url"])  # bad: 918
    return JSONResponse({"status": r.status_code})


async def back_safe(request):
    return RedirectResponse(request.url_for("profile", user="me"))  # ok: 601


async def back(request):
    return RedirectResponse(request.query_params.get("to", "/"))  # bad: 601


app = Starlette(routes=[Route("/u/{user}", profile), Route("/state", state, methods=["POST"]),
                        Route("/check", check), Route("/fetch", fetch, methods=["POST"]), Route("/back", back)])
