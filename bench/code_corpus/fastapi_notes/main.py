import sqlite3
from typing import Annotated

import yaml
from fastapi import Depends, FastAPI, Query
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

app = FastAPI()


def get_db():
    return sqlite3.connect("notes.db")


class Note(BaseModel):
    title: str
    body: str


@app.get("/notes")
def list_notes(owner: str, db=Depends(get_db)):
    return db.execute("SELECT * FROM notes WHERE owner = '" + owner + "'").fetchall()  # bad: 89


@app.get("/notes/count")
def count_notes(owner: Annotated[str, Query(max_length=20)], db=Depends(get_db)):
    return db.execute("SELECT count(*) FROM notes WHERE owner = ?", (owner,)).fetchone()  # ok: 89


@app.get("/notes/{note_id}")
def get_note(note_id: int, db=Depends(get_db)):
    return db.execute(f"SELECT * FROM notes WHERE id = {note_id}").fetchone()  # ok: 89


@app.post("/notes/import")
def import_notes(payload: str):
    return yaml.load(payload, Loader=yaml.Loader)  # bad: 502


@app.post("/notes/import-safe")
def import_notes_safe(payload: str):
    return yaml.safe_load(payload)  # ok: 502


@app.get("/preview", response_class=HTMLResponse)
def preview(text: str):
    return HTMLResponse(content=f"<article>{text}</article>")  # bad: 79


@app.get("/go")
def go(to: str):
    return RedirectResponse(url=to)  # bad: 601


@app.get("/docs-link")
def docs_link(page: str):
    return RedirectResponse(url=f"https://docs.example.com/{page}")  # ok: 601


@app.post("/notes")
def create(note: Note, db=Depends(get_db)):
    db.execute("INSERT INTO notes (title, body) VALUES (?, ?)", (note.title, note.body))  # ok: 89
    return {"ok": True}
