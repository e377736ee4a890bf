"""The import of github-repo-stats' views and clones (jgehrcke/github-repo-stats, a
GitHub Action), so that its users bring their history with them.

The Action keeps, per repository, `ghrs-data/views_clones_aggregate.csv`: a header
`time_iso8601,clones_total,clones_unique,views_total,views_unique`, then one row per
UTC day that had traffic, such as `2020-12-01 00:00:00+00:00,4,4,59,13`. Each run
fetches GitHub's 15-day window and the file keeps, per day, the largest figure any run
saw: our own merge rule. An empty figure (an old file's NaN) means 0.

The rows become archive lines (traffic.archive_format) and go through the archive's
import (archive_services.archive_repository_import): merged by maximum with what is
stored, in one transaction holding the collection's lock, the collected range widened
to the imported days. The whole file is read and checked first, so a bad row writes
nothing. Importing the same file twice changes nothing.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.urls_parse import github_url_parse
from repotraffic.traffic.archive_format import KIND_BY_NAME, REPOSITORY, Line, line_error
from repotraffic.traffic.archive_services import archive_repository_import
from repotraffic.users.selectors import user_get_by_email

GHRS_AGGREGATE = "views_clones_aggregate.csv"
# Where the Action keeps the file inside its per-repository directory (<owner>/<name>/).
GHRS_DATA_DIR = "ghrs-data"
# Our metric for each of the file's columns.
_METRICS = {
    "views_total": "views",
    "views_unique": "unique_views",
    "clones_total": "clones",
    "clones_unique": "unique_clones",
}
_TIME = "time_iso8601"


@dataclass(frozen=True)
class GhrsDay:
    number: int  # its line in the file
    date: dt.date
    figures: dict[str, int]  # by our metric


@dataclass(frozen=True)
class GhrsImported:
    path: Path
    days: int
    first: dt.date
    last: dt.date
    created: bool  # the user did not have the repository
    rows_written: int  # days added or raised, and the collected range if it widened


def ghrs_aggregate_path(*, path: Path) -> Path:
    """The aggregate file itself, or the one in a directory: the Action's `ghrs-data`
    directory or the per-repository directory that holds it."""
    if not path.is_dir():
        return path
    candidates = [path / GHRS_AGGREGATE, path / GHRS_DATA_DIR / GHRS_AGGREGATE]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ApplicationError(
        f"{path} holds no {GHRS_AGGREGATE}: looked for "
        f"{' and '.join(str(candidate) for candidate in candidates)}."
    )


def _count_parse(text: str) -> int:
    """A whole number of 0 or more; empty is 0 and "12.0" is 12, as pandas may write
    them (NaN where a day had views but no clones, floats in older files)."""
    text = text.strip()
    if not text:
        return 0
    whole = text[: -len(".0")] if text.endswith(".0") else text
    if whole.isascii() and whole.isdigit():
        return int(whole)
    raise ValueError(f"expected a whole number of 0 or more, not {text!r}")


def _date_parse(text: str) -> dt.date:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() != dt.timedelta(0) or moment.time() != dt.time(0, 0):
        raise ValueError(
            f"expected the start of a UTC day such as 2020-12-01 00:00:00+00:00, not {text!r}"
        )
    return moment.date()


def ghrs_days_parse(*, lines: list[str]) -> list[GhrsDay]:
    """The aggregate's days, every row checked. Raises ApplicationError at the first bad
    line, with its number."""
    rows = csv.reader(lines)
    header = next(rows, None)
    wanted = {_TIME, *_METRICS}
    if header is None or {column.strip() for column in header} != wanted:
        found = ",".join(header) if header else "nothing"
        raise line_error(
            1, f"expected the columns {_TIME},{','.join(sorted(_METRICS))}, found {found}"
        )
    columns = [column.strip() for column in header]
    days: list[GhrsDay] = []
    seen: dict[dt.date, int] = {}
    for row in rows:
        number = rows.line_num
        if not row:
            continue
        if len(row) != len(columns):
            raise line_error(number, f"{len(row)} fields, not {len(columns)}")
        record = dict(zip(columns, row, strict=True))
        try:
            date = _date_parse(record[_TIME])
            figures = {metric: _count_parse(record[column]) for column, metric in _METRICS.items()}
        except ValueError as error:
            raise line_error(number, str(error)) from None
        if date in seen:
            raise line_error(number, f"{date} again (line {seen[date]})")
        seen[date] = number
        days.append(GhrsDay(number=number, date=date, figures=figures))
    if not days:
        raise ApplicationError("The file holds no days: it has only its header.")
    return days


def _lines(*, days: list[GhrsDay], identity: tuple[str, str, str]) -> list[Line]:
    """The days as archive lines: the collected range, then one line per day.

    Partial are the newest day and the oldest. Each run of the Action keeps all of
    GitHub's window, its today (still in progress) included, so the newest day may be
    the last run's today; the oldest may be the first run's oldest bucket, which GitHub
    cuts short. Either may be too low; a day the file has nowhere else in its window is
    not marked (a gap of more than 14 days between runs cannot be told from days
    without traffic). A later collection completes a partial day inside its window."""
    first, last = min(day.date for day in days), max(day.date for day in days)
    collection = Line(
        number=days[0].number,
        kind=KIND_BY_NAME["collection"],
        identity=identity,
        values={"collected_from": first, "collected_until": last},
    )
    return [collection] + [
        Line(
            number=day.number,
            kind=KIND_BY_NAME["day"],
            identity=identity,
            values={"date": day.date, **day.figures, "partial": day.date in (first, last)},
        )
        for day in days
    ]


def _file_read(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            return file.readlines()
    except UnicodeDecodeError:
        raise ApplicationError(f"{path} is not UTF-8 text.") from None
    except OSError as error:
        raise ApplicationError(f"Cannot read {path}: {error.strerror or error}.") from None


def ghrs_views_clones_import(*, path: Path, repository: str, user_email: str) -> GhrsImported:
    """Merge github-repo-stats' views and clones (the aggregate at `path`, or in the
    directory `path`) into the user's repository `repository` ("owner/name"), made if
    the user lacks it. Raises ApplicationError, before writing anything, for a missing
    user, a bad name, or a bad line (with its number)."""
    if repository.count("/") != 1:
        raise ApplicationError(f"--repository {repository!r} must be OWNER/NAME.")
    ref = github_url_parse(url=f"https://github.com/{repository}")
    user = user_get_by_email(email=user_email)
    if user is None:
        raise ApplicationError(f"There is no user with email {user_email}.")
    found = ghrs_aggregate_path(path=path)
    try:
        days = ghrs_days_parse(lines=_file_read(found))
    except ApplicationError as error:
        raise ApplicationError(f"{found}: {error.message}. Nothing was imported.") from None
    identity = (ref.owner, ref.name, user.email)
    head = Line(number=1, kind=REPOSITORY, identity=identity, values={"created_at": timezone.now()})
    imported = archive_repository_import(
        head=head, lines=iter(_lines(days=days, identity=identity)), user=user
    )
    return GhrsImported(
        path=found,
        days=len(days),
        first=min(day.date for day in days),
        last=max(day.date for day in days),
        created=imported.created,
        rows_written=imported.rows_written,
    )
