from django.urls import URLPattern, path, re_path

from repotraffic.dashboard.responses import page_not_found
from repotraffic.dashboard.views import (
    SHARED_PAGES,
    TOKEN_PAGES,
    PageSpace,
    home_page,
    repositories_page,
    repository_export,
    repository_page,
    repository_traffic_csv,
)

app_name = "dashboard"


def _pages(prefix: str, space: PageSpace) -> list[URLPattern]:
    """The pages under /<prefix>/<secret>/: the secret and the id are matched loosely and
    checked by the views, so that a malformed one gets the same plain 404 as an unknown
    one. A trailing slash is optional."""
    names = space.url_name_prefix
    extra = {"space": space}
    return [
        re_path(
            rf"^{prefix}/(?P<secret>[^/]+)/repos/?$",
            repositories_page,
            extra,
            name=f"{names}repositories",
        ),
        re_path(
            rf"^{prefix}/(?P<secret>[^/]+)/repos/(?P<repository_id>[^/]+)/?$",
            repository_page,
            extra,
            name=f"{names}repository",
        ),
        re_path(
            rf"^{prefix}/(?P<secret>[^/]+)/repos/(?P<repository_id>[^/]+)/traffic\.csv$",
            repository_traffic_csv,
            extra,
            name=f"{names}repository-csv",
        ),
        re_path(
            rf"^{prefix}/(?P<secret>[^/]+)/repos/(?P<repository_id>[^/]+)/export\.(?P<export_format>json|csv)$",
            repository_export,
            extra,
            name=f"{names}repository-export",
        ),
        # Anything else under the prefix gets the same page, never DEBUG's list of URL
        # patterns.
        re_path(rf"^{prefix}(?:/.*)?$", page_not_found),
    ]


urlpatterns = [
    # What repotraffic is, and sign-up.
    path("", home_page, name="home"),
    # The API token's owner sees every repository of theirs.
    *_pages("users", TOKEN_PAGES),
    # A read-only share link (repotraffic.sharing): all of a user's repositories, or one.
    *_pages("share", SHARED_PAGES),
]
