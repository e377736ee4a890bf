from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/", include("repotraffic.urls_api")),
    path("admin/", admin.site.urls),
    path("", include("repotraffic.dashboard.urls")),
]
