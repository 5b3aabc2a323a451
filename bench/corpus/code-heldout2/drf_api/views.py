import subprocess

import requests
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Invoice


class InvoiceSearch(APIView):
    def get(self, request):
        status = request.query_params.get("status", "open")
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM invoices WHERE status = '" + status + "'")  # bad: 89
            ids = [r[0] for r in cur.fetchall()]
        return Response({"ids": ids})

    def post(self, request):
        customer = request.data.get("customer")
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM invoices WHERE customer = %s", [customer])  # ok: 89
            ids = [r[0] for r in cur.fetchall()]
        return Response({"ids": ids})


class InvoicePdf(APIView):
    def get(self, request, pk):
        invoice = Invoice.objects.get(pk=pk)
        out = subprocess.run(["wkhtmltopdf", invoice.url, "-"], capture_output=True, check=True)  # ok: 78
        return HttpResponse(out.stdout, content_type="application/pdf")


@api_view(["POST"])
def webhook_test(request):
    target = request.data["url"]
    resp = requests.post(target, json={"ping": True}, timeout=3)  # bad: 918
    return Response({"status": resp.status_code})


@api_view(["GET"])
def export(request):
    fmt = request.query_params.get("fmt", "csv")
    subprocess.run(f"make-export --format {fmt}", shell=True, check=True)  # bad: 78
    return Response({"ok": True})


@api_view(["GET"])
def export_safe(request):
    fmt = request.query_params.get("fmt", "csv")
    if fmt not in ("csv", "xlsx"):
        return Response({"error": "format"}, status=400)
    subprocess.run(f"make-export --format {fmt}", shell=True, check=True)  # ok: 78
    return Response({"ok": True})


def legacy_jump(request):
    return redirect(request.GET.get("u", "/"))  # bad: 601


def legacy_banner(request):
    msg = request.GET.get("msg", "")
    return HttpResponse(f"<marquee>{msg}</marquee>")  # bad: 79


def invoices_by_year(request, year):
    return HttpResponse(Invoice.objects.filter(created__year=year).count())  # ok: 79
