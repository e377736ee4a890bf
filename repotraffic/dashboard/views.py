"""The chart pages: resolve what the URL's secret opens, parse the id and date range,
call a selector, render.

The pages live in two URL spaces with one code path: /users/<API token>/... and
/share/<share key>/... (a read-only share link). Every link a page shows stays in the
space it was opened in, so a shared page never needs or reveals the API token.
"""

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape as html_escape
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from repotraffic.common.dates import DateRange, date_parse, date_range_parse
from repotraffic.common.exceptions import ApplicationError
from repotraffic.dashboard.overview_selectors import (
    STATUS_FAILING,
    Overview,
    OverviewRow,
    repositories_overview_get,
)
from repotraffic.dashboard.repository_selectors import repository_page_get
from repotraffic.dashboard.responses import page_not_found, private_page, public_page
from repotraffic.dashboard.selectors import (
    PageGrant,
    date_presets,
    page_grant_by_share_key,
    page_grant_by_token,
    repository_for_page_get,
    repository_traffic_get,
)
from repotraffic.traffic.archive_selectors import (
    KIND_NAMES,
    repository_archive_lines,
    repository_kind_table,
)
from repotraffic.traffic.selectors import METRICS
from repotraffic.users.selectors import server_tokens

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


@public_page
def home_page(request: HttpRequest) -> HttpResponse:
    """What repotraffic does, and a sign-up form (home.js posts it to the API)."""
    return render(
        request,
        "dashboard/home.html",
        {"registration_open": settings.REPOTRAFFIC_REGISTRATION != "closed"},
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
        "shared": space.shared,
        # A link to one repository has no overview to go back to.
        "repositories_url": space.url("repositories", secret) if grant.all_repositories else "",
    }
    try:
        date_range = _date_range_from(request)
    except ApplicationError as error:
        context.update(_filter_context(request, error=error.message))
        return render(request, "dashboard/repository.html", context, status=400)
    context.update(_filter_context(request, date_range=date_range))
    page = repository_page_get(repository=repository, date_range=date_range)
    context["page"] = page
    context["traffic"] = page.traffic
    context["csv_url"] = _with_query(space.url("repository-csv", secret, repository.id), date_range)
    export_url = space.url("repository-export", secret, repository.id, "json")
    context["exports"] = {
        "json": _with_query(export_url, date_range),
        "csv": [
            (
                label,
                _with_query(
                    space.url("repository-export", secret, repository.id, "csv"),
                    date_range,
                    kind=kind,
                ),
            )
            for kind, label in EXPORT_TABLES
        ],
    }
    # Only the token's owner may ask for a collection; a share page never offers it.
    context["collect_url"] = "" if space.shared else f"/api/repos/{repository.id}/collect"
    return render(request, "dashboard/repository.html", context)


@private_page
def repositories_page(request: HttpRequest, secret: str, space: PageSpace) -> HttpResponse:
    grant = space.grant_get(secret)
    if grant is None or not grant.all_repositories:
        return page_not_found(request)
    try:
        date_range = _date_range_from(request)
    except ApplicationError as error:
        context = {
            "shared": space.shared,
            **_filter_context(request, error=error.message),
            **_github_token_context(grant, space),
        }
        return render(request, "dashboard/repositories.html", context, status=400)
    overview = repositories_overview_get(user=grant.user, date_range=date_range)
    # One reverse() for every row: the repository pages sit under the overview's URL.
    base = space.url("repositories", secret).rstrip("/")
    query = urlencode(date_range.as_query())
    change = _change_context(overview)
    context = {
        "shared": space.shared,
        **_filter_context(request, date_range=date_range),
        **_github_token_context(grant, space),
        "overview": overview,
        **change,
        "rows_html": _overview_rows_html(
            overview.rows,
            base=base,
            suffix=f"?{query}" if query else "",
            with_change=change["change_shown"],
            shared=space.shared,
        ),
    }
    return render(request, "dashboard/repositories.html", context)


# The REPOTRAFFIC_SERVER_TOKEN_FOR values that lend the server's token, by user.trusted.
_LENT_TO = {False: ("everyone",), True: ("everyone", "trusted")}


def _github_token_context(grant: PageGrant, space: PageSpace) -> dict:
    """Whether the owner's GitHub token is saved, for the owner's panel: never the token,
    nor any part of it; nothing on a share link's pages."""
    if space.shared:
        return {}
    return {
        "github_token_saved": grant.user.has_github_token,
        "github_login": grant.user.github_login,
        # Without a token of their own: whether the server's collects for them.
        "server_token_lent": bool(server_tokens())
        and settings.REPOTRAFFIC_SERVER_TOKEN_FOR in _LENT_TO[grant.user.trusted],
    }


# Ranges offered when no change can be shown, by their length in days.
_COMPARE_DAYS = (30, 90)


def _change_context(overview: Overview) -> dict:
    """Whether the table shows the change in views. Without a start date (or with one
    before anything was tracked) there is no earlier period, and every row would read
    "n/a": the column is left out, and ranges ending on the last day collected that do
    have one are offered instead."""
    # "n/a": the repository was not tracked in the previous period.
    shown = any(row.change.label != "n/a" for row in overview.rows)
    ranges = []
    if not shown and overview.start is not None and overview.end is not None:
        ranges = [
            (
                days,
                urlencode(
                    DateRange(
                        start=overview.end - dt.timedelta(days=days - 1), end=overview.end
                    ).as_query()
                ),
            )
            for days in _COMPARE_DAYS
            if overview.days >= 2 * days
        ]
    return {"change_shown": shown, "change_ranges": ranges}


def _overview_rows_html(
    rows: list[OverviewRow],
    *,
    base: str,
    suffix: str,
    with_change: bool = True,
    shared: bool = False,
) -> SafeString:
    """The overview table's rows. Built here rather than in the template: 500 rows through
    the template engine took most of the page's time (docs/benchmarks.md). A failing
    row's error is written for its owner (about their token): not on a share link's page."""
    row_html = _OVERVIEW_ROW if with_change else _OVERVIEW_ROW_WITHOUT_CHANGE
    return mark_safe(  # noqa: S308 (every text from the database is escaped)
        "".join(
            row_html.format(
                name=html_escape(row.repository.full_name),
                name_key=html_escape(row.repository.full_name.lower()),
                url=html_escape(f"{base}/{row.repository.id}{suffix}"),
                failing=' class="failing"' if row.status == STATUS_FAILING else "",
                badge=_FAILING_BADGE if row.status == STATUS_FAILING else "",
                views=row.views,
                clones=row.clones,
                change=row.change.sort_key,
                change_label=row.change.label,
                stars=-1 if row.stars is None else row.stars,
                stars_label="\N{EN DASH}" if row.stars is None else f"{row.stars:,}",
                rank=row.status_rank,
                status=row.status,
                error=f': <span class="status-error-text">{html_escape(row.error)}</span>'
                if row.error and not shared
                else "",
                sparkline=_sparkline_svg(row.sparkline),
            )
            for row in rows
        )
    )


_OVERVIEW_ROW = (
    '\n<tr data-name="{name_key}" data-views="{views}" data-clones="{clones}"'
    ' data-change="{change}" data-stars="{stars}" data-status="{rank}"{failing}>'
    '<th scope="row"><a href="{url}">{name}</a>{badge}</th>'
    '<td class="spark">{sparkline}</td>'
    '<td class="number">{views:,}</td><td class="number">{clones:,}</td>'
    '<td class="number change">{change_label}</td><td class="number">{stars_label}</td>'
    '<td class="status status-{rank}">{status}{error}</td></tr>'
)
# Beside the name, shown only where the status column is off screen (overview.css);
# hidden from screen readers, which read the status cell.
_FAILING_BADGE = ' <span class="status-badge" aria-hidden="true">failing</span>'
_OVERVIEW_ROW_WITHOUT_CHANGE = _OVERVIEW_ROW.replace(
    '<td class="number change">{change_label}</td>', ""
)


# A sparkline's height in the viewBox's units: two steps to each of its 28 CSS pixels,
# finer than a phone's screen shows, and at most two digits a point, where raw figures
# took four or five across 500 rows (most of the overview's HTML).
_SPARKLINE_LEVELS = 56


def _sparkline_svg(values: list[int]) -> str:
    """Views per bucket as an inline SVG line, scaled to its own maximum; in the
    viewBox's units one bucket wide, rounded to _SPARKLINE_LEVELS high, stretched to the
    cell."""
    if not values:
        return ""
    if len(values) == 1:
        values = values * 2
    scale = _SPARKLINE_LEVELS / (max(values) or 1)
    points = " ".join(
        f"{index},{_SPARKLINE_LEVELS - round(value * scale)}" for index, value in enumerate(values)
    )
    return (
        f'<svg viewBox="0 0 {len(values) - 1} {_SPARKLINE_LEVELS}" preserveAspectRatio="none"'
        f' width="120" height="28" aria-hidden="true" focusable="false">'
        f'<polyline points="{points}"/></svg>'
    )


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


# The page's CSV exports: the archive's kinds a person asks for, with their labels.
EXPORT_TABLES = (
    ("day", "Daily traffic"),
    ("week", "Weekly traffic"),
    ("popular", "Referrers and popular content"),
    ("snapshot", "Stars, forks, watchers"),
    ("star_history_day", "Star history"),
    ("release", "Releases"),
    ("release_asset_day", "Release downloads"),
)


@private_page
def repository_export(
    request: HttpRequest, secret: str, repository_id: str, export_format: str, space: PageSpace
) -> HttpResponse | StreamingHttpResponse:
    """The page's exports of everything in the range, in its own URL space (a share page
    cannot send X-API-Token): the archive's JSON Lines, or one kind as CSV, as
    GET /api/repos/<id>/export writes them (traffic.archive_selectors)."""
    grant = space.grant_get(secret)
    repository = repository_for_page_get(grant=grant, repository_id=repository_id)
    if repository is None:
        return page_not_found(request)
    kind = request.GET.get("kind") or "day"
    try:
        date_range = _date_range_from(request)
        if export_format == "csv" and kind not in KIND_NAMES:
            raise ApplicationError(f"kind must be one of {', '.join(KIND_NAMES)}, not {kind!r}.")
    except ApplicationError as error:
        return HttpResponse(
            error.message + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    name = _FILENAME_UNSAFE.sub("-", f"{repository.owner}-{repository.name}")
    if export_format == "json":
        response = StreamingHttpResponse(
            repository_archive_lines(repository=repository, date_range=date_range),
            content_type="application/x-ndjson",
        )
        filename = f"{name}.jsonl"
    else:
        writer = csv.writer(_Echo(), lineterminator="\n")
        rows = repository_kind_table(repository=repository, kind=kind, date_range=date_range)
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
        )
        filename = f"{name}-{kind}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    """A file-like object for csv.writer that hands back what it is given."""

    def write(self, value: str) -> str:
        return value


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


def _with_query(url: str, date_range: DateRange, **extra: str) -> str:
    query = urlencode({**extra, **date_range.as_query()})
    return f"{url}?{query}" if query else url
