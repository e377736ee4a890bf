import pytest
from django.contrib.auth.models import User as AdminUser
from django.test import Client

pytestmark = pytest.mark.django_db


def log_in(client, password, address="203.0.113.5"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "operator", "password": password},
        REMOTE_ADDR=address,
    )


def test_repeated_failures_lock_the_admin_login_even_for_the_right_password(settings):
    AdminUser.objects.create_superuser("operator", "ops@example.com", "right-password-123")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200  # the form again, with its error
    assert log_in(client, "wrong").status_code == 429  # the last failure allowed

    locked = log_in(client, "right-password-123")

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_is_not_locked_out(settings):
    AdminUser.objects.create_superuser("operator", "ops@example.com", "right-password-123")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "wrong")

    response = log_in(Client(), "right-password-123", address="198.51.100.20")

    assert response.status_code == 302
