"""The application's URLs plus the baseline the API benchmark divides by: a plain Django
view returning a small JsonResponse, behind the same middleware as the API."""

from django.http import JsonResponse
from django.urls import path

from config.urls import handler400, handler403, handler500
from config.urls import urlpatterns as app_urlpatterns

__all__ = ["handler400", "handler403", "handler500", "urlpatterns"]


def baseline(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("api/bench/baseline", baseline), *app_urlpatterns]
