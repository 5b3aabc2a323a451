import os
import subprocess

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from .queries import ProductRepository, export_path


class CategoryView(View):
    def get(self, request):
        rows = ProductRepository().by_category(request.GET.get("c", ""))
        return JsonResponse({"rows": rows})


class ProductView(View):
    def get(self, request, product_id):
        return JsonResponse({"row": ProductRepository().by_id(product_id)})


def search(request):
    term = request.GET.get("q", "")
    return HttpResponse("<h2>Results for " + term + "</h2>")  # bad: 79


def search_safe(request):
    term = escape(request.GET.get("q", ""))
    return HttpResponse("<h2>Results for " + term + "</h2>")  # ok: 79


def download(request):
    path = export_path(request.GET["file"])
    with open(path, "rb") as fh:  # bad: 22
        return HttpResponse(fh.read(), content_type="application/octet-stream")


def download_safe(request):
    path = export_path(os.path.basename(request.GET["file"]))
    with open(path, "rb") as fh:  # ok: 22
        return HttpResponse(fh.read(), content_type="application/octet-stream")


def after_login(request):
    target = request.POST.get("next", "/")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)  # ok: 601
    return redirect(request.POST.get("fallback"))  # bad: 601


def thumbnail(request):
    size = request.GET.get("size", "64")
    subprocess.run("convert in.png -resize %s out.png" % size, shell=True)  # bad: 78
    subprocess.run(["convert", "in.png", "-resize", size, "out.png"])  # ok: 78
    return HttpResponse("done")
