from django.urls import re_path

from repotraffic.dashboard.responses import page_not_found
from repotraffic.dashboard.views import (
    repositories_page,
    repository_page,
    repository_traffic_csv,
)

app_name = "dashboard"

# The token and the id are matched loosely and checked by the views, so that a malformed
# one gets the same plain 404 as an unknown one. A trailing slash is optional.
urlpatterns = [
    re_path(r"^users/(?P<user_token>[^/]+)/repos/?$", repositories_page, name="repositories"),
    re_path(
        r"^users/(?P<user_token>[^/]+)/repos/(?P<repository_id>[^/]+)/?$",
        repository_page,
        name="repository",
    ),
    re_path(
        r"^users/(?P<user_token>[^/]+)/repos/(?P<repository_id>[^/]+)/traffic\.csv$",
        repository_traffic_csv,
        name="repository-csv",
    ),
    # Anything else under /users/ gets the same page, never DEBUG's list of URL patterns.
    re_path(r"^users(?:/.*)?$", page_not_found),
]
