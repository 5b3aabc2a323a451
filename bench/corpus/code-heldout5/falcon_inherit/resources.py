import subprocess

import falcon

from .base import BaseResource

ALLOWED_SORT = {"name", "created"}


class ItemsResource(BaseResource):
    def on_get(self, req, resp):
        owner = self.param(req, "owner")
        rows = self.db.execute("SELECT * FROM items WHERE " + self.where_clause("owner", owner)).fetchall()  # bad: 89
        resp.media = rows

    def on_post(self, req, resp):
        owner = self.param(req, "owner")
        rows = self.db.execute("SELECT * FROM items WHERE " + self.where_bound("owner"), (owner,)).fetchall()  # ok: 89
        resp.media = rows


class TagsResource(BaseResource):
    def on_get(self, req, resp):
        tags = req.get_param_as_list("tag") or []
        quoted = ", ".join("'%s'" % t for t in tags)
        resp.media = self.db.execute("SELECT * FROM tags WHERE name IN (%s)" % quoted).fetchall()  # bad: 89

    def on_post(self, req, resp):
        tags = req.get_param_as_list("tag") or []
        marks = ", ".join("?" for _ in tags)
        resp.media = self.db.execute("SELECT * FROM tags WHERE name IN (%s)" % marks, tags).fetchall()  # ok: 89

    def on_put(self, req, resp):
        sort = self.param(req, "sort", "name")
        if sort not in ALLOWED_SORT:
            raise falcon.HTTPBadRequest()
        resp.media = self.db.execute(f"SELECT * FROM tags ORDER BY {sort}").fetchall()  # ok: 89


class PingResource(BaseResource):
    def on_get(self, req, resp):
        hosts = req.get_param_as_list("host") or []
        proc = subprocess.Popen(" ".join(["ping", "-c", "1"] + hosts), shell=True, stdout=subprocess.PIPE)  # bad: 78
        resp.text = proc.communicate()[0].decode()

    def on_post(self, req, resp):
        hosts = req.get_param_as_list("host") or []
        proc = subprocess.Popen(["ping", "-c", "1", "--", *hosts], stdout=subprocess.PIPE)  # ok: 78
        resp.text = proc.communicate()[0].decode()


app = falcon.App()
app.add_route("/items", ItemsResource())
app.add_route("/tags", TagsResource())
app.add_route("/ping", PingResource())
