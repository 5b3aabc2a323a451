import os

from lxml import etree
from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import text

PAGES = "/srv/wiki/pages"


@view_config(route_name="page")
def page(request):
    name = request.matchdict["name"]
    if ".." in name or name.startswith("/"):
        return Response("bad name", status=400)
    with open(os.path.join(PAGES, name)) as fh:  # ok: 22
        return Response(fh.read())


@view_config(route_name="raw")
def raw(request):
    name = request.params.get("name")
    with open(os.path.join(PAGES, name)) as fh:  # bad: 22
        return Response(fh.read())


@view_config(route_name="search")
def search(request):
    q = request.params["q"]
    rows = request.dbsession.execute(text("SELECT title FROM page WHERE body LIKE '%" + q + "%'"))  # bad: 89
    safe = request.dbsession.execute(text("SELECT title FROM page WHERE body LIKE :q"), {"q": q})  # ok: 89
    return Response(str(list(rows)) + str(list(safe)))


@view_config(route_name="toc")
def toc(request):
    section = request.params.get("section")
    tree = etree.parse(os.path.join(PAGES, "toc.xml"))
    found = tree.xpath("//section[@id='%s']/title/text()" % section)  # bad: 643
    bound = tree.xpath("//section[@id=$s]/title/text()", s=section)  # ok: 643
    return Response(str(found) + str(bound))


@view_config(route_name="back")
def back(request):
    return HTTPFound(location=request.params.get("came_from"))  # bad: 601
