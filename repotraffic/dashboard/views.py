"""The chart pages: parse the token, id and date range, call a selector, render."""

import csv
import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from repotraffic.common.dates import DateRange, date_parse, date_range_parse
from repotraffic.common.exceptions import ApplicationError
from repotraffic.dashboard.responses import page_not_found, private_page
from repotraffic.dashboard.selectors import (
    date_presets,
    repositories_traffic_list,
    repository_for_page_get,
    repository_traffic_get,
)
from repotraffic.traffic.selectors import METRICS
from repotraffic.users.selectors import user_get_by_token

_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@private_page
def repository_page(request: HttpRequest, user_token: str, repository_id: str) -> HttpResponse:
    repository = repository_for_page_get(user_token=user_token, repository_id=repository_id)
    if repository is None:
        return page_not_found(request)
    context = {
        "repository": repository,
        "repositories_url": reverse("dashboard:repositories", args=[user_token]),
    }
    try:
        date_range = _date_range_from(request)
    except ApplicationError as error:
        context.update(_filter_context(request, error=error.message))
        return render(request, "dashboard/repository.html", context, status=400)
    context.update(_filter_context(request, date_range=date_range))
    context["traffic"] = repository_traffic_get(repository=repository, date_range=date_range)
    context["csv_url"] = _with_query(
        reverse("dashboard:repository-csv", args=[user_token, repository.id]), date_range
    )
    return render(request, "dashboard/repository.html", context)


@private_page
def repositories_page(request: HttpRequest, user_token: str) -> HttpResponse:
    user = user_get_by_token(token=user_token)
    if user is None:
        return page_not_found(request)
    try:
        date_range = _date_range_from(request)
    except ApplicationError as error:
        context = _filter_context(request, error=error.message)
        return render(request, "dashboard/repositories.html", context, status=400)
    context = _filter_context(request, date_range=date_range)
    context["charts"] = [
        {
            "traffic": traffic,
            "page_url": _with_query(
                reverse("dashboard:repository", args=[user_token, traffic.repository.id]),
                date_range,
            ),
            "csv_url": _with_query(
                reverse("dashboard:repository-csv", args=[user_token, traffic.repository.id]),
                date_range,
            ),
        }
        for traffic in repositories_traffic_list(user=user, date_range=date_range)
    ]
    return render(request, "dashboard/repositories.html", context)


@private_page
def repository_traffic_csv(
    request: HttpRequest, user_token: str, repository_id: str
) -> HttpResponse:
    repository = repository_for_page_get(user_token=user_token, repository_id=repository_id)
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
    writer.writerow(["date", *METRICS])
    rows = traffic.rows or []  # never None here: repository_traffic_get lists the rows
    writer.writerows([row["date"], *(row[metric] for metric in METRICS)] for row in rows)
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
