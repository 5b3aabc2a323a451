import os
import pickle
import base64
import subprocess

import cherrypy
import MySQLdb

conn = MySQLdb.connect(db="shop")
LOGS = "/var/log/shop"


class Shop:
    @cherrypy.expose
    def product(self, sku):
        cur = conn.cursor()
        cur.execute("SELECT * FROM products WHERE sku = '%s'" % sku)  # bad: 89
        return str(cur.fetchone())

    @cherrypy.expose
    def product_safe(self, sku):
        cur = conn.cursor()
        cur.execute("SELECT * FROM products WHERE sku = %s", (sku,))  # ok: 89
        return str(cur.fetchone())

    @cherrypy.expose
    def hello(self, name="world"):
        return "<h1>Hello %s</h1>" % name  # bad: 79

    @cherrypy.expose
    def log(self, day):
        return open(os.path.join(LOGS, day + ".log")).read()  # bad: 22

    @cherrypy.expose
    def log_safe(self, day):
        return open(os.path.join(LOGS, os.path.basename(day) + ".log")).read()  # ok: 22

    @cherrypy.expose
    def restore(self):
        blob = cherrypy.request.body.read()
        return str(pickle.loads(base64.b64decode(blob)))  # bad: 502

    @cherrypy.expose
    def lookup(self, domain):
        return subprocess.run(["whois", domain], capture_output=True, text=True).stdout  # ok: 78

    @cherrypy.expose
    def dig(self):
        domain = cherrypy.request.params.get("domain", "")
        return os.popen("dig " + domain).read()  # bad: 78

    @cherrypy.expose
    def back(self):
        raise cherrypy.HTTPRedirect(cherrypy.request.headers.get("Referer", "/"))  # bad: 601


if __name__ == "__main__":
    cherrypy.quickstart(Shop())
