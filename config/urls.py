from django.contrib import admin
from django.urls import include, path

from repotraffic.common.api_errors import api_not_found
from repotraffic.metrics.apis import MetricsApi

handler400 = "repotraffic.common.api_errors.bad_request"
handler403 = "repotraffic.common.api_errors.permission_denied"
handler500 = "repotraffic.common.api_errors.server_error"

urlpatterns = [
    path("api", api_not_found),
    path("api/", include("repotraffic.urls_api")),
    path("admin/", admin.site.urls),
    # Prometheus scrapes /metrics, not under /api: off (404) unless configured.
    path("metrics", MetricsApi.as_view(), name="metrics"),
    path("", include("repotraffic.dashboard.urls")),
]
