import uuid

import pytest
from rest_framework import serializers

from repotraffic.common.fields import StrictBooleanField, StrictCharField, StrictUUIDField


class Body(serializers.Serializer):
    text = StrictCharField(required=False)
    id = StrictUUIDField(required=False)
    flag = StrictBooleanField(required=False)


@pytest.mark.parametrize("value", [12, 1.5, True, {"a": 1}, ["x"]])
def test_a_strict_char_field_refuses_what_is_not_a_string(value):
    body = Body(data={"text": value})

    assert not body.is_valid()
    assert body.errors["text"] == ["Must be a string."]


@pytest.mark.parametrize("value", [12, 0, True, "12", "not-a-uuid", ["x"]])
def test_a_strict_uuid_field_refuses_numbers_and_malformed_strings(value):
    body = Body(data={"id": value})

    assert not body.is_valid()
    assert body.errors["id"] == ["Must be a valid UUID."]


def test_a_strict_uuid_field_takes_a_uuid_string():
    value = uuid.uuid4()
    body = Body(data={"id": str(value).upper()})

    assert body.is_valid()
    assert body.validated_data["id"] == value


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, "off", None, ["x"]])
def test_a_strict_boolean_field_refuses_what_is_not_true_or_false(value):
    body = Body(data={"flag": value})

    assert not body.is_valid()
    assert body.errors["flag"] in (["Must be true or false."], ["This field may not be null."])


@pytest.mark.parametrize("value", [True, False])
def test_a_strict_boolean_field_takes_true_and_false(value):
    body = Body(data={"flag": value})

    assert body.is_valid() and body.validated_data["flag"] is value
