import tornado.web

from .handlers import routes


def make_app() -> tornado.web.Application:
    return tornado.web.Application(
        routes,
        cookie_secret="p+5yWdix8upzptkpfw3ArwVVP4aTQNd/F4qHeYGW/uU=",
        xsrf_cookies=True,
        login_url="/login",
    )
