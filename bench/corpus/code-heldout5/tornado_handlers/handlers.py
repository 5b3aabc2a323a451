import functools
import os
import subprocess

import tornado.web

RUN = functools.partial(subprocess.run, shell=True, capture_output=True)
RUN_ARGS = functools.partial(subprocess.run, capture_output=True)
MEDIA = "/srv/media"


class BaseHandler(tornado.web.RequestHandler):
    def target(self):
        return self.get_argument("target")

    def media_name(self):
        return self.get_query_argument("name")


class TraceHandler(BaseHandler):
    def get(self):
        self.write(RUN("traceroute " + self.target()).stdout)  # bad: 78

    def post(self):
        self.write(RUN_ARGS(["traceroute", self.target()]).stdout)  # ok: 78


class MediaHandler(BaseHandler):
    def get(self):
        with open(os.path.join(MEDIA, self.media_name()), "rb") as handle:  # bad: 22
            self.write(handle.read())

    def post(self):
        name = os.path.basename(self.media_name())
        with open(os.path.join(MEDIA, name), "rb") as handle:  # ok: 22
            self.write(handle.read())


class GreetHandler(BaseHandler):
    def get(self):
        self.write("<h1>Hello %s</h1>" % self.get_argument("who"))  # bad: 79

    def post(self):
        self.render("greet.html", who=self.get_argument("who"))  # ok: 79


class JumpHandler(BaseHandler):
    def get(self):
        self.redirect(self.get_argument("next"))  # bad: 601

    def post(self):
        self.redirect(self.reverse_url("home"))  # ok: 601


def make_app():
    return tornado.web.Application([(r"/trace", TraceHandler), (r"/media", MediaHandler),
                                    (r"/greet", GreetHandler), (r"/jump", JumpHandler)])
