import subprocess
from dataclasses import dataclass

import requests
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from peewee import Model, SqliteDatabase, CharField
from pydantic import BaseModel

app = FastAPI()
db = SqliteDatabase("svc.db")


class User(Model):
    name = CharField()

    class Meta:
        database = db


class Job(BaseModel):
    repo: str
    branch: str = "main"
    callback: str = ""


@dataclass(frozen=True)
class Checkout:
    repo: str
    branch: str


def checkout_command(co: Checkout) -> str:
    return f"git clone -b {co.branch} {co.repo} /tmp/work"


@app.post("/jobs")
def create_job(job: Job):
    co = Checkout(repo=job.repo, branch=job.branch)
    subprocess.run(checkout_command(co), shell=True, check=True)  # bad: 78
    return {"ok": True}


@app.post("/jobs/safe")
def create_job_safe(job: Job):
    subprocess.run(["git", "clone", "-b", job.branch, "--", job.repo, "/tmp/work"], check=True)  # ok: 78
    return {"ok": True}


@app.post("/jobs/notify")
def notify(job: Job):
    requests.post(job.callback, json={"done": True}, timeout=5)  # bad: 918
    return {"ok": True}


@app.post("/jobs/notify-fixed")
def notify_fixed(job: Job):
    requests.post("https://hooks.example.com/done", json={"repo": job.repo}, timeout=5)  # ok: 918
    return {"ok": True}


@app.get("/users")
def users(name: str):
    rows = User.raw("SELECT * FROM user WHERE name = '%s'" % name)  # bad: 89
    return [u.name for u in rows]


@app.get("/users/safe")
def users_safe(name: str):
    rows = User.raw("SELECT * FROM user WHERE name = ?", name)  # ok: 89
    return [u.name for u in rows]


@app.get("/users/select")
def users_select(name: str):
    return [u.name for u in User.select().where(User.name == name)]  # ok: 89


@app.get("/banner", response_class=HTMLResponse)
def banner(text: str):
    return "<div class='banner'>" + text + "</div>"  # bad: 79


@app.get("/banner/escaped", response_class=HTMLResponse)
def banner_escaped(text: str):
    import html
    return "<div class='banner'>" + html.escape(text) + "</div>"  # ok: 79
