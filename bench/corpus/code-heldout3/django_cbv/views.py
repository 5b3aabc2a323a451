import yaml
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.views.generic import TemplateView, View


class ReportView(View):
    def get(self, request, *args, **kwargs):
        region = self.request.GET.get("region", "eu")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT sum(total) FROM orders WHERE region = '{region}'")  # bad: 89
            total = cursor.fetchone()[0]
        return JsonResponse({"total": total})


class GreetingView(View):
    def get(self, request):
        name = self.request.GET.get("name", "")
        return HttpResponse(format_html("<p>Hello {}</p>", name))  # ok: 79

    def post(self, request):
        name = self.request.POST.get("name", "")
        return HttpResponse("<p>Hello %s</p>" % name)  # bad: 79


class ImportView(View):
    def post(self, request):
        data = yaml.load(request.body, Loader=yaml.FullLoader)  # bad: 502
        return JsonResponse({"keys": list(data)})


class DashboardView(TemplateView):
    template_name = "dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")  # ok: 79
        return context
