import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.route("/import/products", methods=["POST"])
def import_products():
    parser = etree.XMLParser(resolve_entities=True, load_dtd=True)
    root = etree.fromstring(request.data, parser)  # bad: 611
    return {"count": len(root.findall("product"))}


@app.route("/import/orders", methods=["POST"])
def import_orders():
    root = SafeET.fromstring(request.data)  # ok: 611
    return {"count": len(root.findall("order"))}


@app.route("/import/customers", methods=["POST"])
def import_customers():
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(request.get_data(), parser=parser)  # ok: 611
    return {"count": len(root.findall("customer"))}


@app.route("/lookup")
def lookup():
    doc = etree.parse("/srv/catalog.xml")
    sku = request.args["sku"]
    hits = doc.xpath("//product[@sku='" + sku + "']/name/text()")  # bad: 643
    same = doc.xpath("//product[@sku=$sku]/name/text()", sku=sku)  # ok: 643
    return {"names": hits + same}


@app.route("/feed", methods=["POST"])
def feed():
    tree = ET.fromstring(request.data)
    return {"title": tree.findtext("title")}
