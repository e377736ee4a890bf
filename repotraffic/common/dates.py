"""Date-range parsing shared by the API and the pages, so both follow one rule, and the
calendar periods (weeks from Monday, months) that traffic is summed by."""

import datetime as dt
import re
from dataclasses import dataclass

from repotraffic.common.exceptions import ApplicationError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class DateRange:
    start: dt.date | None = None
    end: dt.date | None = None

    def as_query(self) -> dict[str, str]:
        query = {}
        if self.start:
            query["start"] = self.start.isoformat()
        if self.end:
            query["end"] = self.end.isoformat()
        return query


def date_parse(*, value: str, name: str) -> dt.date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ApplicationError(f"{name} must be a date in the form YYYY-MM-DD, not {value!r}.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(f"{name} is not a real date: {value}.") from None


def date_range_parse(*, start: str | None, end: str | None) -> DateRange:
    """Parse optional inclusive bounds; an empty value means no bound."""
    start_date = date_parse(value=start, name="start") if start else None
    end_date = date_parse(value=end, name="end") if end else None
    if start_date and end_date and start_date > end_date:
        raise ApplicationError(
            f"start ({start_date.isoformat()}) is after end ({end_date.isoformat()})."
        )
    return DateRange(start=start_date, end=end_date)


def week_first_day(day: dt.date) -> dt.date:
    """The Monday of the day's week (weeks start on Monday, as GitHub's per=week does)."""
    return day - dt.timedelta(days=day.weekday())


def month_first_day(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_following(first: dt.date) -> dt.date:
    """The first day of the month after the one `first` is in."""
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
