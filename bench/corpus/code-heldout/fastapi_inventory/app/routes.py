import asyncio
import os
import subprocess
from pathlib import Path

import httpx
import requests
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from .db import get_session

router = APIRouter()
REPORTS = Path("/srv/inventory/reports")
ALLOWED_FEEDS = {"https://feeds.example.com/stock.json", "https://partner.example.org/stock.json"}


@router.get("/items/{sku}")
def read_item(sku: str, db: Session = Depends(get_session)):
    row = db.execute(text(f"SELECT * FROM items WHERE sku = '{sku}'")).first()  # bad: 89
    return dict(row._mapping) if row else {}


@router.get("/items/by-id/{item_id}")
def read_item_by_id(item_id: int, db: Session = Depends(get_session)):
    row = db.execute(text(f"SELECT * FROM items WHERE id = {item_id}")).first()  # ok: 89
    return dict(row._mapping) if row else {}


@router.get("/items")
def list_items(category: str = Query(...), db: Session = Depends(get_session)):
    rows = db.execute(text("SELECT * FROM items WHERE category = :c"), {"c": category}).all()  # ok: 89
    return [dict(r._mapping) for r in rows]


@router.get("/search")
def search(q: str, db: Session = Depends(get_session)):
    rows = db.execute("SELECT * FROM items WHERE name LIKE '%" + q + "%'").all()  # bad: 89
    return [dict(r._mapping) for r in rows]


@router.post("/labels/{sku}")
async def print_label(sku: str):
    proc = await asyncio.create_subprocess_shell(f"lpr -P labels /tmp/{sku}.pdf")  # bad: 78
    await proc.wait()
    return {"queued": sku}


@router.post("/labels-safe/{sku}")
async def print_label_safe(sku: str):
    proc = await asyncio.create_subprocess_exec("lpr", "-P", "labels", f"/tmp/{sku}.pdf")  # ok: 78
    await proc.wait()
    return {"queued": sku}


@router.get("/ping")
def ping(host: str):
    out = subprocess.check_output(f"ping -c 1 {host}", shell=True)  # bad: 78
    return {"out": out.decode()}


@router.get("/reports/{name}")
def report(name: str):
    return FileResponse(os.path.join(REPORTS, name))  # bad: 22


@router.get("/reports-safe/{name}")
def report_safe(name: str):
    target = (REPORTS / name).resolve()
    if not target.is_relative_to(REPORTS):
        return HTMLResponse("not found", status_code=404)
    return FileResponse(target)  # ok: 22


@router.get("/import")
def import_feed(url: str):
    return requests.get(url, timeout=10).json()  # bad: 918


@router.get("/import-safe")
def import_feed_safe(url: str):
    if url not in ALLOWED_FEEDS:
        return {"error": "unknown feed"}
    return requests.get(url, timeout=10).json()  # ok: 918


@router.get("/preview")
async def preview(request: Request):
    target = request.query_params["target"]
    async with httpx.AsyncClient() as client:
        resp = await client.get(target)  # bad: 918
    return {"status": resp.status_code}


@router.get("/hello", response_class=HTMLResponse)
def hello(name: str = "world"):
    return HTMLResponse(f"<h1>Hello {name}</h1>")  # bad: 79


@router.get("/login/done")
def login_done(next: str = "/"):
    return RedirectResponse(next)  # bad: 601


@router.get("/login/done-safe")
def login_done_safe(next: str = "/"):
    if not next.startswith("/") or next.startswith("//"):
        next = "/"
    return RedirectResponse(next)  # ok: 601
