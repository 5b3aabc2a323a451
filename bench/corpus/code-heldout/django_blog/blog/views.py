import json

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from .models import Comment, Post


def archive(request):
    year = request.GET.get("year", "2024")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM blog_post WHERE EXTRACT(year FROM created) = %s" % year)  # bad: 89
        rows = cursor.fetchall()
    return JsonResponse({"posts": rows})


def archive_safe(request):
    year = request.GET.get("year", "2024")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM blog_post WHERE EXTRACT(year FROM created) = %s", [year])  # ok: 89
        rows = cursor.fetchall()
    return JsonResponse({"posts": rows})


def by_author(request, username):
    cursor = connection.cursor()
    cursor.execute(f"SELECT * FROM blog_post WHERE author = '{username}'")  # bad: 89
    return JsonResponse({"posts": cursor.fetchall()})


def by_tag(request):
    tag = request.GET["tag"]
    sql = "SELECT p.id FROM blog_post p JOIN blog_tag t ON t.post_id = p.id WHERE t.name = '{}'".format(tag)
    cursor = connection.cursor()
    cursor.execute(sql)  # bad: 89
    return JsonResponse({"ids": [r[0] for r in cursor.fetchall()]})


def ordered(request):
    column = request.GET.get("sort", "created")
    posts = Post.objects.raw("SELECT * FROM blog_post ORDER BY " + column)  # bad: 89
    return JsonResponse({"ids": [p.id for p in posts]})


def ordered_safe(request):
    column = request.GET.get("sort", "created")
    if column not in {"created", "title", "author"}:
        column = "created"
    posts = Post.objects.raw("SELECT * FROM blog_post ORDER BY " + column)  # ok: 89
    return JsonResponse({"ids": [p.id for p in posts]})


def search(request):
    term = request.GET.get("q", "")
    posts = Post.objects.extra(where=["title LIKE '%%" + term + "%%'"])  # bad: 89
    return JsonResponse({"ids": [p.id for p in posts]})


def search_orm(request):
    term = request.GET.get("q", "")
    posts = Post.objects.filter(title__icontains=term)  # ok: 89
    return JsonResponse({"ids": [p.id for p in posts]})


def page(request, page_id):
    limit = int(request.GET.get("limit", "10"))
    cursor = connection.cursor()
    cursor.execute("SELECT * FROM blog_post LIMIT %d" % limit)  # ok: 89
    return JsonResponse({"page": page_id, "posts": cursor.fetchall()})


@login_required
def preview(request):
    body = request.POST.get("body", "")
    return HttpResponse("<div class='preview'>" + body + "</div>")  # bad: 79


@login_required
def preview_safe(request):
    body = request.POST.get("body", "")
    return HttpResponse("<div class='preview'>" + escape(body) + "</div>")  # ok: 79


def signature(request):
    data = json.loads(request.body)
    html = mark_safe("<em>%s</em>" % data["signature"])  # bad: 79
    return HttpResponse(html)


def badge(request):
    html = mark_safe("<span class='badge'>new</span>")  # ok: 79
    return HttpResponse(html)


@require_POST
def comment(request, post_id):
    post = get_object_or_404(Post, pk=post_id)
    Comment.objects.create(post=post, text=request.POST["text"])
    return redirect(request.POST.get("next", "/"))  # bad: 601


@require_POST
def comment_safe(request, post_id):
    post = get_object_or_404(Post, pk=post_id)
    Comment.objects.create(post=post, text=request.POST["text"])
    return redirect("blog:detail", post_id=post.pk)  # ok: 601
