import base64
import hashlib
import marshal
import pickle
import secrets
import random

import jsonpickle
import yaml
from flask import request
from flask_restful import Resource, reqparse

from .models import db

parser = reqparse.RequestParser()
parser.add_argument("expr", type=str, required=True)


class SessionState(Resource):
    def post(self):
        blob = base64.b64decode(request.data)
        state = pickle.loads(blob)  # bad: 502
        return {"keys": sorted(state)}

    def put(self):
        payload = request.get_json()
        state = jsonpickle.decode(payload["state"])  # bad: 502
        return {"type": type(state).__name__}


class Config(Resource):
    def post(self):
        config = yaml.load(request.get_data(), Loader=yaml.Loader)  # bad: 502
        return {"sections": list(config)}

    def put(self):
        config = yaml.safe_load(request.get_data())  # ok: 502
        return {"sections": list(config)}

    def patch(self):
        code = marshal.loads(request.files["code"].read())  # bad: 502
        return {"name": code.co_name}


class Calculator(Resource):
    def post(self):
        args = parser.parse_args()
        return {"value": eval(args["expr"])}  # bad: 94

    def get(self):
        expr = request.args.get("expr", "1+1")
        return {"value": eval(expr)}  # bad: 94

    def put(self):
        values = request.get_json()["values"]
        return {"value": eval("sum(values)", {"values": [float(v) for v in values]})}  # ok: 94


class Users(Resource):
    def post(self):
        body = request.get_json()
        digest = hashlib.md5(body["password"].encode()).hexdigest()  # bad: 328
        db.execute("INSERT INTO users (name, pw) VALUES (?, ?)", (body["name"], digest))  # ok: 89
        return {"created": body["name"]}

    def get(self):
        name = request.args["name"]
        return {"user": db.execute("SELECT * FROM users WHERE name = '" + name + "'").fetchone()}  # bad: 89


class Tokens(Resource):
    def post(self):
        token = "".join(random.choice("abcdef0123456789") for _ in range(32))  # bad: 330
        return {"token": token}

    def put(self):
        token = secrets.token_hex(16)  # ok: 330
        return {"token": token}

    def get(self):
        etag = hashlib.sha256(request.args.get("v", "").encode()).hexdigest()  # ok: 328
        return {"etag": etag}
