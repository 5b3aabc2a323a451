import os
import subprocess

import tornado.web
from tornado.escape import xhtml_escape

from .store import db

UPLOADS = "/var/chat/uploads"


class RoomHandler(tornado.web.RequestHandler):
    def get(self, room):
        topic = self.get_argument("topic", "")
        self.write("<h1>" + topic + "</h1>")  # bad: 79
        self.write("<h2>" + xhtml_escape(room) + "</h2>")  # ok: 79

    def post(self, room):
        message = self.get_body_argument("message")
        db.execute("INSERT INTO messages (room, body) VALUES ('%s', '%s')" % (room, message))  # bad: 89
        db.execute("INSERT INTO messages (room, body) VALUES (%s, %s)", room, message)  # ok: 89
        self.redirect(self.get_argument("back", "/"))  # bad: 601


class AttachmentHandler(tornado.web.RequestHandler):
    def get(self, name):
        with open(os.path.join(UPLOADS, name), "rb") as fh:  # bad: 22
            self.write(fh.read())

    def delete(self, name):
        full = os.path.realpath(os.path.join(UPLOADS, name))
        if not full.startswith(UPLOADS + os.sep):
            raise tornado.web.HTTPError(403)
        os.remove(full)  # ok: 22


class ToolsHandler(tornado.web.RequestHandler):
    def get(self):
        host = self.get_query_argument("host")
        output = subprocess.run(["dig", "+short", host], capture_output=True, check=False).stdout  # ok: 78
        self.write({"answer": output.decode()})

    def post(self):
        host = self.get_body_argument("host")
        output = subprocess.getoutput("nslookup " + host)  # bad: 78
        self.write({"answer": output})
