from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from repotraffic.common.api import api_not_found
from repotraffic.common.apis import HealthApi
from repotraffic.repositories.apis import (
    RepositoryCreateApi,
    RepositoryDeleteApi,
    RepositoryDetailApi,
    RepositoryListApi,
)
from repotraffic.users.apis import UserCreateApi

# Each route takes an optional trailing slash: people type both.
urlpatterns = [
    re_path(r"^users/create/?$", UserCreateApi.as_view(), name="users-create"),
    re_path(r"^repos/?$", RepositoryListApi.as_view(), name="repos-list"),
    re_path(r"^repos/create/?$", RepositoryCreateApi.as_view(), name="repos-create"),
    re_path(
        r"^repos/(?P<repository_id>[^/]+)/delete/?$",
        RepositoryDeleteApi.as_view(),
        name="repos-delete",
    ),
    re_path(
        r"^repos/(?P<repository_id>[^/]+)/?$", RepositoryDetailApi.as_view(), name="repos-detail"
    ),
    re_path(r"^health/?$", HealthApi.as_view(), name="health"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    re_path(r"^.*$", api_not_found),
]
