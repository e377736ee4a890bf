"""The API's JSON, from the serializers that document it, fast enough for long series.

DRF's `Serializer.data` looks every field of every row up through its generic machinery:
for a detail of 1,100 days that cost more than the rest of the request
(bench/bench_api.py). `representation_compile` turns a serializer into a function with
the same output, which takes each field's value straight from a row and converts the
common exact types (int, str, bool, date, UUID, UTC datetime) without DRF's per-value
checks; every other case goes through the field's own `get_attribute` and
`to_representation`. The shape, the
names, the order and the formats stay the serializer's: nothing here knows them.
"""

import datetime as dt
import functools
import json
import uuid
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db.models.manager import BaseManager
from django.utils import timezone
from rest_framework import ISO_8601, fields, relations, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

Representation = Callable[[Any], Any]
# A compiled field: (value, whether UTC is the current time zone) -> its representation.
# The time zone is looked up once per rendering: the lookup costs more than a value.
_Convert = Callable[[Any, bool], Any]
# Their None rule looks at a primary key: DRF's own to_representation handles them.
RELATED_FIELDS = (relations.RelatedField, relations.ManyRelatedField)
_ZERO = dt.timedelta(0)
_UTC = (dt.UTC, zoneinfo.ZoneInfo("UTC"))


def _iso_8601(field: fields.Field, default: str) -> bool:
    output_format = getattr(field, "format", default)
    return output_format is not None and output_format.lower() == ISO_8601


def _leaf_compile(field: fields.Field) -> _Convert:
    """field.to_representation, skipped where its result is known: the value itself for
    an exact bool, int or str, str() of a UUID, isoformat() of a date, and of a UTC
    datetime in UTC (with Z, as DRF writes +00:00). Exact types only: a subclass (a bool
    is an int) and every other value go the field's own way."""
    slow = field.to_representation
    kind = type(field)
    same: type | None = None
    if isinstance(field, fields.BooleanField):
        same = bool
    elif kind is fields.IntegerField:
        same = int
    elif kind is fields.CharField:
        same = str
    elif kind is fields.UUIDField and getattr(field, "uuid_format", None) == "hex_verbose":
        return lambda value, utc: str(value) if value.__class__ is uuid.UUID else slow(value)
    elif kind is fields.DateField and _iso_8601(field, api_settings.DATE_FORMAT):

        def date_text(value: Any, utc: bool) -> Any:
            if value.__class__ is dt.date:
                return value.isoformat()
            if value.__class__ is str and value:  # DRF gives text back as it is
                return value
            return slow(value)

        return date_text
    elif (
        kind is fields.DateTimeField
        and not hasattr(field, "timezone")
        and _iso_8601(field, api_settings.DATETIME_FORMAT)
    ):

        def datetime_text(value: Any, utc: bool) -> Any:
            # DRF moves the value to the current time zone, then writes +00:00 as Z.
            if utc and value.__class__ is dt.datetime and value.utcoffset() == _ZERO:
                return value.isoformat()[:-6] + "Z"
            return slow(value)

        return datetime_text
    if same is None:
        return lambda value, utc: slow(value)
    return lambda value, utc: value if value.__class__ is same else slow(value)


def _field_compile(field: fields.Field) -> _Convert:
    if isinstance(field, serializers.ListSerializer):
        if field.child is None:
            raise TypeError("a ListSerializer without a child")
        child = _field_compile(field.child)

        def each(values: Any, utc: bool) -> list[Any]:
            if isinstance(values, BaseManager):  # as ListSerializer does
                values = values.all()
            return [child(value, utc) for value in values]

        return each
    if isinstance(field, serializers.Serializer):
        return _serializer_compile(field)
    return _leaf_compile(field)


_SLOW = object()  # a value the fast path leaves to DRF's get_attribute


@functools.cache
def _is_mapping(kind: type) -> bool:
    return issubclass(kind, Mapping)


def _getter_compile(field: fields.Field) -> Callable[[Any], Any]:
    """The value DRF's get_attribute would find along the field's source, or _SLOW where
    it would do more than read it: a mapping other than a dict, a missing key or
    attribute, a related object that does not exist, a callable."""
    attrs = tuple(field.source_attrs)

    def get(instance: Any) -> Any:
        value = instance
        for attr in attrs:
            kind = value.__class__
            if kind is dict:
                if attr not in value:
                    return _SLOW
                value = value[attr]
            elif _is_mapping(kind):
                return _SLOW
            else:
                try:
                    value = getattr(value, attr)
                except Exception:  # DRF's own lookup raises it, or handles it, again
                    return _SLOW
            if callable(value):
                return _SLOW
        return value

    return get


def _serializer_compile(serializer: serializers.Serializer) -> _Convert:
    """Each field's value read along its source (_getter_compile, or directly for a key
    of a dict row), DRF's `field.get_attribute` wherever that would do more (defaults,
    SkipField, callables), then DRF's None rule. A serializer with related fields (not
    used here) is left to DRF."""
    readable = list(serializer._readable_fields)
    if any(isinstance(field, RELATED_FIELDS) for field in readable):
        return lambda instance, utc: serializer.to_representation(instance)
    plan = []
    for field in readable:
        key = field.source_attrs[0] if len(field.source_attrs) == 1 else None
        name = str(field.field_name)
        plan.append((name, key, _getter_compile(field), field, _field_compile(field)))

    def represent(instance: Any, utc: bool) -> dict[str, Any]:
        row = instance.__class__ is dict
        result: dict[str, Any] = {}
        for name, key, get, field, convert in plan:
            if row and key in instance:
                value = instance[key]
                if callable(value):
                    value = _SLOW
            else:
                value = get(instance)
            if value is _SLOW:
                try:
                    value = field.get_attribute(instance)
                except fields.SkipField:
                    continue
            result[name] = None if value is None else convert(value, utc)
        return result

    return represent


def representation_compile(serializer: serializers.BaseSerializer) -> Representation:
    """A function giving what `serializer.to_representation(instance)` gives (a test
    holds them equal), faster; for a Serializer or a ListSerializer (many=True)."""
    convert = _field_compile(serializer)

    def represent(instance: Any) -> Any:
        utc = settings.USE_TZ and timezone.get_current_timezone() in _UTC
        return convert(instance, utc)

    return represent


_RENDERER = JSONRenderer()


def json_render(data: Any) -> str:
    """`data` as DRF's JSONRenderer writes it (compact, UTF-8 unless UNICODE_JSON is
    off, no NaN), as text."""
    text = json.dumps(
        data,
        cls=_RENDERER.encoder_class,
        ensure_ascii=_RENDERER.ensure_ascii,
        allow_nan=not _RENDERER.strict,
        separators=(",", ":") if _RENDERER.compact else (", ", ": "),
    )
    # As DRF does: JSON that is also a strict JavaScript subset.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def json_objects_join(first: str, second: str) -> str:
    """The members of two rendered JSON objects as one object, in order: how a
    serializer made of two serializers' fields (class C(A, B)) renders, from A's and
    B's renderings. Lets a part rendered earlier (and stored) be served as it is."""
    if not (first.startswith("{") and first.endswith("}")):
        raise ValueError("not a JSON object")
    if not (second.startswith("{") and second.endswith("}")):
        raise ValueError("not a JSON object")
    if first == "{}":
        return second
    if second == "{}":
        return first
    return f"{first[:-1]},{second[1:]}"
