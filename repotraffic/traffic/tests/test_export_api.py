"""GET /api/repos/<id>/export: everything stored for one repository, to the user whose
it is only; as the archive's JSON Lines (which import_archive reads back) or one kind
as CSV."""

import csv
import io

import pytest
from django.core.management import call_command

from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import TrafficDay
from repotraffic.traffic.tests.test_archive import export, seed
from repotraffic.users.tests.factories import UserFactory, user_with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def rocket(user):
    repository = RepositoryFactory.create(user=user, owner="acme", name="rocket")
    seed(repository)
    return repository


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_json_is_the_repositorys_archive_which_import_reads_back(auth_client, rocket, tmp_path):
    response = auth_client.get(f"/api/repos/{rocket.id}/export")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"] == 'attachment; filename="acme-rocket.jsonl"'
    lines = body(response).splitlines()
    # The lines after the header are export_archive's, byte for byte.
    assert lines[1:] == export("--repository", "acme/rocket").splitlines()[1:]

    path = tmp_path / "rocket.jsonl"
    path.write_text("\n".join(lines) + "\n")
    other = UserFactory.create(email="bob@example.com")
    call_command("import_archive", str(path), "--user", other.email, stdout=io.StringIO())
    copy = Repository.objects.get(user=other, owner="acme", name="rocket")
    assert list(TrafficDay.objects.filter(repository=copy).values_list("date", "views")) == list(
        TrafficDay.objects.filter(repository=rocket).values_list("date", "views")
    )


def test_csv_is_one_kind_as_a_table(auth_client, rocket):
    response = auth_client.get(f"/api/repos/{rocket.id}/export?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme-rocket-day.csv"'
    rows = list(csv.DictReader(io.StringIO(body(response))))
    stored = TrafficDay.objects.filter(repository=rocket).order_by("date")
    assert [(row["date"], int(row["views"]), row["partial"]) for row in rows] == [
        (day.date.isoformat(), day.views, str(day.partial)) for day in stored
    ]


def test_csv_of_another_kind(auth_client, rocket):
    response = auth_client.get(f"/api/repos/{rocket.id}/export?format=csv&kind=snapshot")

    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert [int(row["stars"]) for row in rows] == [1234]


@pytest.mark.parametrize(
    ("query", "said"),
    [("format=xml", "format must be json or csv"), ("format=csv&kind=nope", "kind must be")],
)
def test_a_bad_format_or_kind_is_a_400(auth_client, rocket, query, said):
    response = auth_client.get(f"/api/repos/{rocket.id}/export?{query}")

    assert response.status_code == 400
    assert said in response.json()["error"]


def test_another_users_repository_is_a_404_and_no_token_a_401(api_client, rocket):
    _, stranger = user_with_token()

    assert api_client.get(f"/api/repos/{rocket.id}/export").status_code == 401
    response = api_client.get(f"/api/repos/{rocket.id}/export", HTTP_X_API_TOKEN=stranger)
    assert response.status_code == 404
    assert "error" in response.json()
