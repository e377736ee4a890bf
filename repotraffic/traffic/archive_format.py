"""The archive's line format, shared by the export (archive_selectors) and the import
(archive_services), so that the two directions cannot drift apart: the kinds of line
(the model each holds rows of, its columns, and how an import merges a row), how values
are written, and how a line is read back and checked.

One JSON object a line. First the header, {"format": "repotraffic-archive", "version":
1, "exported_at": ...}; then, repository by repository (by owner, name, id), its
"repository" line and one line per stored row of each kind, in KINDS' order. Every
line names its repository (owner, name, its user's email), so a line read alone (grep,
jq) says whose it is. Dates are ISO dates; times are ISO, in UTC, ending in "Z".
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db import models

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.models import Repository
from repotraffic.traffic.merge import DayFigures, WeekFigures, traffic_day_max, traffic_week_max
from repotraffic.traffic.models import (
    Collection,
    PopularSnapshot,
    Release,
    ReleaseAssetDay,
    RepositorySnapshot,
    StarHistory,
    StarHistoryDay,
    TrafficDay,
    TrafficWeek,
)
from repotraffic.users.models import User

ARCHIVE_FORMAT = "repotraffic-archive"
ARCHIVE_VERSION = 1
# Rows per query on export and per upsert on import: memory stays flat however large
# the archive is.
CHUNK = 1000
Values = dict[str, Any]
Merge = Callable[[Values, Values], Values]  # (stored, archived) -> what to keep


class ArchiveError(ApplicationError):
    """An archive that cannot be imported (for a line: its number and what is wrong with
    it), or a selection that cannot be exported."""


def line_error(number: int, problem: str) -> ArchiveError:
    return ArchiveError(f"line {number}: {problem}")


def _larger(*figures: str) -> Merge:
    """Each figure keeps the larger value. The row's other columns (a title, an asset's
    name and release) come with the archived figures when one of them is larger, as
    they come with a collection's (traffic_popular_store, release_downloads_store)."""

    def merge(stored: Values, archived: Values) -> Values:
        if all(archived[figure] <= stored[figure] for figure in figures):
            return stored
        return {**archived, **{figure: max(stored[figure], archived[figure]) for figure in figures}}

    return merge


def _day_merge(stored: Values, archived: Values) -> Values:
    return asdict(traffic_day_max(stored=DayFigures(**stored), reported=DayFigures(**archived)))


def _week_merge(stored: Values, archived: Values) -> Values:
    return asdict(traffic_week_max(stored=WeekFigures(**stored), reported=WeekFigures(**archived)))


def _stored_first(stored: Values, archived: Values) -> Values:
    """A release as this server last listed it: an archive's may be older."""
    return stored


def _complete_first(stored: Values, archived: Values) -> Values:
    """A star history read whole replaces one read in part; otherwise the stored stays."""
    return archived if archived["complete"] and not stored["complete"] else stored


def _range_widen(stored: Values, archived: Values) -> Values:
    """The collected range only ever widens, as a collection widens it (traffic_store)."""

    def bound(pick: Callable[[list[dt.date]], dt.date], field: str) -> dt.date | None:
        known = [day for day in (stored[field], archived[field]) if day is not None]
        return pick(known) if known else None

    return {
        "collected_from": bound(min, "collected_from"),
        "collected_until": bound(max, "collected_until"),
    }


@dataclass(frozen=True)
class Kind:
    """One kind of line: the model it holds rows of, and how an import merges them.

    `key` names the columns that identify a row among the repository's (also the order
    of the lines), `values` the others, each as "line_key" or "line_key=model_path"."""

    name: str  # the line's "kind"
    model: type[models.Model]
    key: str
    values: str
    merge: Merge
    traffic: bool = False  # a change moves the repository's traffic version (cached JSON)

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(line key, model field or path) of every column, the key's first."""
        specs = f"{self.key} {self.values}".split()
        return [(spec.partition("=")[0], spec.rpartition("=")[2]) for spec in specs]

    @property
    def key_fields(self) -> list[str]:
        return [path for _, path in self.columns[: len(self.key.split())]]

    @property
    def value_fields(self) -> list[str]:
        return [path for _, path in self.columns[len(self.key.split()) :]]


_FIGURES = "views unique_views clones unique_clones"
# An asset day names its release by GitHub's id, the one thing two servers share.
RELEASE_BY_GITHUB_ID = "release__github_id"
KINDS = (
    Kind("collection", Collection, "", "collected_from collected_until", _range_widen, True),
    Kind("day", TrafficDay, "date", f"{_FIGURES} partial", _day_merge, traffic=True),
    Kind("week", TrafficWeek, "week", f"{_FIGURES} complete", _week_merge, traffic=True),
    Kind(
        "popular",
        PopularSnapshot,
        "date list=kind entry=name",
        "title count uniques",
        _larger("count", "uniques"),
    ),
    Kind(
        "snapshot",
        RepositorySnapshot,
        "date",
        "stars forks watchers open_issues",
        _larger("stars", "forks", "watchers", "open_issues"),
    ),
    Kind(
        "star_history",
        StarHistory,
        "",
        "rebuilt_on stars_total pages_total pages_read complete",
        _complete_first,
    ),
    Kind("star_history_day", StarHistoryDay, "date", "stars", _larger("stars")),
    Kind(
        "release",
        Release,
        "release_id=github_id",
        "tag release_name=name published_at",
        _stored_first,
    ),
    Kind(
        "release_asset_day",
        ReleaseAssetDay,
        "date asset_id",
        f"release_id={RELEASE_BY_GITHUB_ID} asset_name download_count",
        _larger("download_count"),
    ),
)
REPOSITORY = Kind("repository", Repository, "", "created_at", _stored_first)
KIND_BY_NAME = {kind.name: kind for kind in (REPOSITORY, *KINDS)}
_IDENTITY = ("owner", "name", "user_email")  # what every line names its repository by


def datetime_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def json_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def json_line(record: Values) -> str:
    return json.dumps(record) + "\n"


@dataclass(frozen=True)
class Line:
    number: int
    kind: Kind
    identity: tuple[str, ...]  # owner, name, user_email
    values: Values  # by model field or path


Parser = Callable[[object], Any]


def _shown(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _date_parse(value: object) -> dt.date:
    if isinstance(value, str) and len(value) == len("2026-01-31"):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date such as 2026-01-31, not {_shown(value)}")


def _datetime_parse(value: object) -> dt.datetime:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.astimezone(dt.UTC)
    raise ValueError(
        f"expected a time with its zone such as 2026-01-31T12:00:00Z, not {_shown(value)}"
    )


def _bool_parse(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected true or false, not {_shown(value)}")


def _count_parse(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(f"expected a whole number of 0 or more, not {_shown(value)}")


def _text_parser(field: models.Field) -> Parser:
    choices = [str(choice) for choice, _ in field.flatchoices] if field.choices else []

    def parse(value: object) -> str:
        if not isinstance(value, str) or (not value and not field.blank):
            raise ValueError(f"expected a non-empty string, not {_shown(value)}")
        if field.max_length is not None and len(value) > field.max_length:
            raise ValueError(f"longer than {field.max_length} characters")
        if choices and value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, not {_shown(value)}")
        return value

    return parse


def _field_parser(model: type[models.Model], path: str) -> Parser:
    """What a line's value of the model's field (or of a field across a relation, such as
    release__github_id) must be: the column's type, its length, its choices, null where
    the column takes it."""
    name, _, rest = path.partition("__")
    field = model._meta.get_field(name)
    if rest:
        related = field.related_model
        assert isinstance(related, type) and issubclass(related, models.Model)
        return _field_parser(related, rest)
    assert isinstance(field, models.Field)
    parse: Parser
    if isinstance(field, models.DateTimeField):
        parse = _datetime_parse
    elif isinstance(field, models.DateField):
        parse = _date_parse
    elif isinstance(field, models.BooleanField):
        parse = _bool_parse
    elif isinstance(field, models.IntegerField):
        parse = _count_parse
    else:
        parse = _text_parser(field)
    if field.null:
        return lambda value: None if value is None else parse(value)
    return parse


_IDENTITY_PARSERS = {
    "owner": _field_parser(Repository, "owner"),
    "name": _field_parser(Repository, "name"),
    "user_email": _field_parser(User, "email"),
}
_COLUMN_PARSERS = {
    kind.name: {key: (path, _field_parser(kind.model, path)) for key, path in kind.columns}
    for kind in KIND_BY_NAME.values()
}


def _object_parse(number: int, text: str) -> dict[str, object]:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise line_error(number, f"not JSON ({error.msg}, column {error.colno})") from None
    if not isinstance(record, dict):
        raise line_error(number, f"not a JSON object but {_shown(record)}")
    return record


def _line_parse(number: int, text: str) -> Line:
    record = _object_parse(number, text)
    name = record.get("kind")
    kind = KIND_BY_NAME.get(name) if isinstance(name, str) else None
    if kind is None:
        known = ", ".join(KIND_BY_NAME)
        raise line_error(number, f'"kind" is {_shown(name)}, not one of {known}')
    parsers = {
        **_IDENTITY_PARSERS,
        **{key: parse for key, (_, parse) in _COLUMN_PARSERS[kind.name].items()},
    }
    missing = [key for key in parsers if key not in record]
    unknown = sorted(record.keys() - {"kind", *parsers})
    if missing or unknown:
        problems = [f"without {', '.join(missing)}"] if missing else []
        problems += [f"with unknown {', '.join(unknown)}"] if unknown else []
        raise line_error(number, f"a {kind.name} line {' and '.join(problems)}")
    parsed = {}
    for key, parse in parsers.items():
        try:
            parsed[key] = parse(record[key])
        except ValueError as error:
            raise line_error(number, f'"{key}": {error}') from None
    return Line(
        number=number,
        kind=kind,
        identity=tuple(parsed[key] for key in _IDENTITY),
        values={path: parsed[key] for key, (path, _) in _COLUMN_PARSERS[kind.name].items()},
    )


def lines_parse(raw_lines: Iterable[bytes]) -> Iterator[Line]:
    """The archive's lines after its header, parsed one by one as they are read; blank
    lines are skipped."""
    decoded = ((number, _text_decode(number, raw)) for number, raw in enumerate(raw_lines, 1))
    texts = ((number, text) for number, text in decoded if text.strip())
    first = next(texts, None)
    if first is None:
        raise ArchiveError("The archive is empty: it has not even its header line.")
    header = _object_parse(*first)
    if header.get("format") != ARCHIVE_FORMAT:
        raise line_error(
            first[0], f'not the header of a repotraffic archive ("format": "{ARCHIVE_FORMAT}")'
        )
    if header.get("version") != ARCHIVE_VERSION:
        version = _shown(header.get("version"))
        raise line_error(
            first[0], f"archive version {version}; this server reads version {ARCHIVE_VERSION}"
        )
    for number, text in texts:
        yield _line_parse(number, text)


def _text_decode(number: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise line_error(number, "not UTF-8") from None
