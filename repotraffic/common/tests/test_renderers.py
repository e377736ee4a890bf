"""common.renderers: the compiled serializers give exactly what DRF gives."""

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from repotraffic.common.renderers import json_objects_join, json_render, representation_compile

UTC_NOON = dt.datetime(2026, 11, 27, 12, 0, 5, 123456, tzinfo=dt.UTC)


class PointSerializer(serializers.Serializer):
    day = serializers.DateField()
    count = serializers.IntegerField()
    seen = serializers.BooleanField()


class ThingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)
    owner_name = serializers.CharField(source="owner.name", allow_blank=True)
    score = serializers.IntegerField(required=False)
    tag = serializers.CharField(default="none")
    shout = serializers.CharField(source="loud")
    whole = PointSerializer(source="*")
    points = PointSerializer(many=True)


@dataclass
class Owner:
    name: str


class Thing:
    name: str

    def __init__(self, **values):
        self.__dict__.update(values)

    def loud(self) -> str:  # a method: DRF calls it
        return self.name.upper()


def thing(**changes) -> Thing:
    values = {
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "name": "rocket “ü”",
        "at": UTC_NOON,
        "owner": Owner("acme"),
        "score": 7,
        "day": dt.date(2026, 1, 2),
        "count": 3,
        "seen": True,
        "points": [
            {"day": dt.date(2026, 1, 1), "count": 1, "seen": False},
            {"day": "2026-01-02", "count": 2, "seen": True},
        ],
    }
    values.update(changes)
    return Thing(**values)


CASES = {
    "plain": thing(),
    "null datetime": thing(at=None),
    "another zone": thing(at=UTC_NOON.astimezone(zoneinfo.ZoneInfo("Europe/Sofia"))),
    "naive datetime": thing(at=dt.datetime(2026, 1, 1, 3)),
    "datetime text": thing(at="yesterday"),
    "missing optional": Thing(**{k: v for k, v in vars(thing()).items() if k != "score"}),
    "bool as int": thing(seen=1, count=True),
    "text count": thing(count="12"),
    "row with a missing key": thing(points=[{"day": dt.date(2026, 1, 1), "count": 1}]),
    "row with a callable": thing(points=[{"day": dt.date(2026, 1, 1), "count": len, "seen": 1}]),
}


@pytest.mark.parametrize("instance", CASES.values(), ids=CASES)
def test_a_compiled_serializer_gives_what_drf_gives(instance):
    serializer = ThingSerializer()
    try:
        expected = serializer.to_representation(instance)
    except Exception as error:  # the compiled one fails alike
        with pytest.raises(type(error)):
            representation_compile(ThingSerializer())(instance)
        return

    assert representation_compile(ThingSerializer())(instance) == expected


def test_many_gives_a_list_in_order():
    rows = [thing(name="a"), thing(name="b")]

    compiled = representation_compile(ThingSerializer(many=True))(rows)

    assert compiled == ThingSerializer(many=True).to_representation(rows)
    assert [row["name"] for row in compiled] == ["a", "b"]


def test_datetimes_follow_the_current_time_zone_as_drf_does():
    instance = thing()
    with timezone.override(zoneinfo.ZoneInfo("Europe/Sofia")):
        compiled = representation_compile(ThingSerializer())(instance)
        assert compiled == ThingSerializer().to_representation(instance)
    assert compiled["at"] == "2026-11-27T14:00:05.123456+02:00"


def test_json_render_is_drfs_rendering():
    data = representation_compile(ThingSerializer())(thing(name="a\u2028b"))

    assert json_render(data).encode() == JSONRenderer().render(data)


def test_two_rendered_objects_join_into_one():
    assert json_objects_join('{"a":1}', '{"b":[2]}') == '{"a":1,"b":[2]}'
    assert json_objects_join("{}", '{"b":2}') == '{"b":2}'
    assert json_objects_join('{"a":1}', "{}") == '{"a":1}'
    with pytest.raises(ValueError, match="not a JSON object"):
        json_objects_join("[1]", '{"b":2}')
