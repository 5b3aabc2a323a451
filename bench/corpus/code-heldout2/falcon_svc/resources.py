import os
import pickle
import sqlite3

import falcon
import yaml

DB = sqlite3.connect("/var/lib/svc/db.sqlite3", check_same_thread=False)
FILES = "/var/lib/svc/files"


class ItemResource:
    def on_get(self, req, resp, item_id):
        row = DB.execute(f"SELECT * FROM items WHERE id = '{item_id}'").fetchone()  # bad: 89
        resp.media = {"item": row}

    def on_head(self, req, resp, item_id):
        limit = req.get_param_as_int("limit") or 10
        DB.execute("SELECT * FROM items LIMIT %d" % limit)  # ok: 89

    def on_put(self, req, resp, item_id):
        body = req.get_media()
        DB.execute("UPDATE items SET name = ? WHERE id = ?", (body["name"], item_id))  # ok: 89
        resp.status = falcon.HTTP_204


class FileResource:
    def on_get(self, req, resp, name):
        resp.stream = open(os.path.join(FILES, name), "rb")  # bad: 22

    def on_delete(self, req, resp, name):
        os.remove(os.path.join(FILES, os.path.basename(name)))  # ok: 22


class ImportResource:
    def on_post(self, req, resp):
        data = req.bounded_stream.read()
        if req.content_type == "application/x-pickle":
            resp.media = {"n": len(pickle.loads(data))}  # bad: 502
        else:
            resp.media = {"n": len(yaml.safe_load(data))}  # ok: 502


app = falcon.App()
app.add_route("/items/{item_id}", ItemResource())
app.add_route("/files/{name}", FileResource())
app.add_route("/import", ImportResource())
