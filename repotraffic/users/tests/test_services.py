import pytest

from repotraffic.users.services import email_normalize


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
