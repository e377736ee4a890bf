import pytest
from django.db import IntegrityError

from repotraffic.users.models import User
from repotraffic.users.services import email_normalize
from repotraffic.users.tests.factories import UserFactory


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  A.B@Example.COM ", "A.B@example.com"),
        ("weird@local@Example.Org", "weird@local@example.org"),
        ("no-at-sign", "no-at-sign"),
    ],
)
def test_email_normalize(raw, normalised):
    assert email_normalize(raw) == normalised


@pytest.mark.django_db
def test_database_refuses_a_case_variant_of_an_existing_email():
    UserFactory.create(email="someone@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create(email="SOMEONE@example.com", token_digest="f" * 64)
