"""The chart pages: resolve what the URL's secret opens, parse the id and date range,
call a selector, render.

The pages live in two URL spaces with one code path: /users/<API token>/... and
/share/<share key>/... (a read-only share link). Every link a page shows stays in the
space it was opened in, so a shared page never needs or reveals the API token.
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from repotraffic.common.dates import DateRange, date_parse, date_range_parse
from repotraffic.common.exceptions import ApplicationError
from repotraffic.dashboard.responses import page_not_found, private_page
from repotraffic.dashboard.selectors import (
    PageGrant,
    date_presets,
    page_grant_by_share_key,
    page_grant_by_token,
    repositories_traffic_list,
    repository_for_page_get,
    repository_traffic_get,
)
from repotraffic.traffic.selectors import METRICS

_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class PageSpace:
    """One URL space of the pages: its URL names' prefix and what its secret opens."""

    url_name_prefix: str
    grant_get: Callable[[str], PageGrant | None]
    shared: bool

    def url(self, name: str, secret: str, *args: object) -> str:
        return reverse(f"dashboard:{self.url_name_prefix}{name}", args=[secret, *args])


TOKEN_PAGES = PageSpace(
    url_name_prefix="",
    grant_get=lambda secret: page_grant_by_token(token=secret),
    shared=False,
)
SHARED_PAGES = PageSpace(
    url_name_prefix="shared-",
    grant_get=lambda secret: page_grant_by_share_key(key=secret),
    shared=True,
)


@private_page
def repository_page(
    request: HttpRequest, secret: str, repository_id: str, space: PageSpace
) -> HttpResponse:
    grant = space.grant_get(secret)
    repository = repository_for_page_get(grant=grant, repository_id=repository_id)
    if grant is None or repository is None:
        return page_not_found(request)
    context = {
        "repository": repository,
        # A link to one repository has no overview to go back to.
        "repositories_url": space.url("repositories", secret) if grant.all_repositories else "",
    }
    try:
        date_range = _date_range_from(request)
    except ApplicationError as error:
        context.update(_filter_context(request, error=error.message))
        return render(request, "dashboard/repository.html", context, status=400)
    context.update(_filter_context(request, date_range=date_range))
    context["traffic"] = repository_traffic_get(repository=repository, date_range=date_range)
    context["csv_url"] = _with_query(space.url("repository-csv", secret, repository.id), date_range)
    return render(request, "dashboard/repository.html", context)


@private_page
def repositories_page(request: HttpRequest, secret: str, space: PageSpace) -> HttpResponse:
    grant = space.grant_get(secret)
    if grant is None or not grant.all_repositories:
        return page_not_found(request)
    try:
        date_range = _date_range_from(request)
    except ApplicationError as error:
        context = {"shared": space.shared, **_filter_context(request, error=error.message)}
        return render(request, "dashboard/repositories.html", context, status=400)
    context = {"shared": space.shared, **_filter_context(request, date_range=date_range)}
    context["charts"] = [
        {
            "traffic": traffic,
            "page_url": _with_query(
                space.url("repository", secret, traffic.repository.id), date_range
            ),
            "csv_url": _with_query(
                space.url("repository-csv", secret, traffic.repository.id), date_range
            ),
        }
        for traffic in repositories_traffic_list(user=grant.user, date_range=date_range)
    ]
    return render(request, "dashboard/repositories.html", context)


@private_page
def repository_traffic_csv(
    request: HttpRequest, secret: str, repository_id: str, space: PageSpace
) -> HttpResponse:
    grant = space.grant_get(secret)
    repository = repository_for_page_get(grant=grant, repository_id=repository_id)
    if repository is None:
        return page_not_found(request)
    try:
        date_range = _date_range_from(request)
    except ApplicationError as error:
        return HttpResponse(
            error.message + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    traffic = repository_traffic_get(repository=repository, date_range=date_range)
    filename = _FILENAME_UNSAFE.sub("-", f"{repository.owner}-{repository.name}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-traffic.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(["date", *METRICS, "partial"])
    rows = traffic.rows or []  # never None here: repository_traffic_get lists the rows
    writer.writerows(
        [row["date"], *(row[metric] for metric in METRICS), "true" if row["partial"] else "false"]
        for row in rows
    )
    return response


def _date_range_from(request: HttpRequest) -> DateRange:
    return date_range_parse(start=request.GET.get("start"), end=request.GET.get("end"))


def _filter_context(
    request: HttpRequest, *, date_range: DateRange | None = None, error: str = ""
) -> dict:
    """The filter form: the dates as typed, presets relative to today (UTC), any error."""
    return {
        "start_value": _date_input_value(request.GET.get("start")),
        "end_value": _date_input_value(request.GET.get("end")),
        "presets": date_presets(today=timezone.now().date(), date_range=date_range),
        "date_range": date_range,
        "error": error,
    }


def _date_input_value(value: str | None) -> str:
    """The date as typed if it is one; a date input cannot show anything else."""
    try:
        return date_parse(value=value, name="date").isoformat() if value else ""
    except ApplicationError:
        return ""


def _with_query(url: str, date_range: DateRange) -> str:
    query = urlencode(date_range.as_query())
    return f"{url}?{query}" if query else url
