import sqlite3


class BaseResource:
    """Shared helpers for every resource; subclasses read the request through these."""

    def __init__(self, db_path="app.db"):
        self.db = sqlite3.connect(db_path)

    def param(self, req, name, default=""):
        return req.get_param(name) or default

    def where_clause(self, column, value):
        return f"{column} = '{value}'"

    def where_bound(self, column):
        return f"{column} = ?"
