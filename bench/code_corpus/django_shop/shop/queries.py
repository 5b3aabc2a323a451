from django.db import connection


class ProductRepository:
    table = "shop_product"

    def by_category(self, category):
        with connection.cursor() as cur:
            cur.execute("SELECT id, name FROM %s WHERE category = '%s'" % (self.table, category))  # bad: 89
            return cur.fetchall()

    def by_id(self, product_id):
        with connection.cursor() as cur:
            cur.execute(f"SELECT id, name FROM {self.table} WHERE id = %s", [product_id])  # ok: 89
            return cur.fetchone()


def export_path(name):
    return "/var/exports/" + name
