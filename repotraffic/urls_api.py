from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from repotraffic.common.api_errors import api_not_found
from repotraffic.common.apis import HealthApi, ReadyApi
from repotraffic.installations.apis import (
    GitHubAppInstallationCreateApi,
    GitHubAppInstallationDeleteApi,
    GitHubAppInstallationListApi,
)
from repotraffic.repositories.apis import RepositoryCreateApi, RepositoryDeleteApi
from repotraffic.repositories.import_apis import (
    RepositoryImportApi,
    TrackedOwnerDeleteApi,
    TrackedOwnerListApi,
)
from repotraffic.sharing.apis import ShareLinkCreateApi, ShareLinkListApi, ShareLinkRevokeApi
from repotraffic.traffic.apis import (
    RepositoryExportApi,
    RepositoryPathsApi,
    RepositoryReferrersApi,
    RepositoryReleasesApi,
    RepositoryStarsApi,
)
from repotraffic.traffic.collect_apis import RepositoryCollectApi
from repotraffic.traffic.repository_apis import RepositoryDetailApi, RepositoryListApi
from repotraffic.users.apis import UserCreateApi, UserGitHubTokenDeleteApi, UserGitHubTokenSetApi

PUBLIC: dict[str, list[type]] = {"authentication_classes": [], "permission_classes": []}

# Routes are written without a trailing slash; TrailingSlashOptionalMiddleware
# serves the slashed form too.
urlpatterns = [
    path("users/create", UserCreateApi.as_view(), name="users-create"),
    path("users/github-token", UserGitHubTokenSetApi.as_view(), name="users-github-token"),
    path(
        "users/github-token/delete",
        UserGitHubTokenDeleteApi.as_view(),
        name="users-github-token-delete",
    ),
    path(
        "users/github-app-installations",
        GitHubAppInstallationListApi.as_view(),
        name="users-github-app-installations",
    ),
    path(
        "users/github-app-installations/create",
        GitHubAppInstallationCreateApi.as_view(),
        name="users-github-app-installations-create",
    ),
    path(
        "users/github-app-installations/<str:installation_id>/delete",
        GitHubAppInstallationDeleteApi.as_view(),
        name="users-github-app-installations-delete",
    ),
    path("repos", RepositoryListApi.as_view(), name="repos-list"),
    path("repos/create", RepositoryCreateApi.as_view(), name="repos-create"),
    # Before repos/<str:repository_id>, which "import" would otherwise match.
    path("repos/import", RepositoryImportApi.as_view(), name="repos-import"),
    path(
        "repos/import/auto-track",
        TrackedOwnerListApi.as_view(),
        name="repos-import-auto-track",
    ),
    path(
        "repos/import/auto-track/delete",
        TrackedOwnerDeleteApi.as_view(),
        name="repos-import-auto-track-delete",
    ),
    path("repos/<str:repository_id>/delete", RepositoryDeleteApi.as_view(), name="repos-delete"),
    path(
        "repos/<str:repository_id>/referrers",
        RepositoryReferrersApi.as_view(),
        name="repos-referrers",
    ),
    path("repos/<str:repository_id>/paths", RepositoryPathsApi.as_view(), name="repos-paths"),
    path("repos/<str:repository_id>/stars", RepositoryStarsApi.as_view(), name="repos-stars"),
    path(
        "repos/<str:repository_id>/releases",
        RepositoryReleasesApi.as_view(),
        name="repos-releases",
    ),
    path("repos/<str:repository_id>/export", RepositoryExportApi.as_view(), name="repos-export"),
    path("repos/<str:repository_id>/collect", RepositoryCollectApi.as_view(), name="repos-collect"),
    path("repos/<str:repository_id>", RepositoryDetailApi.as_view(), name="repos-detail"),
    path("share-links", ShareLinkListApi.as_view(), name="share-links-list"),
    path("share-links/create", ShareLinkCreateApi.as_view(), name="share-links-create"),
    path(
        "share-links/<str:share_link_id>/revoke",
        ShareLinkRevokeApi.as_view(),
        name="share-links-revoke",
    ),
    path("health", HealthApi.as_view(), name="health"),
    path("ready", ReadyApi.as_view(), name="ready"),
    # The schema and its docs are public: they describe the API, they hold no data.
    path("schema", SpectacularAPIView.as_view(**PUBLIC), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema", **PUBLIC), name="docs"),
    re_path(r"^.*$", api_not_found),
]
