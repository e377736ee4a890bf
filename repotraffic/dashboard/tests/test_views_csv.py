import uuid

import pytest

from repotraffic.dashboard.tests.helpers import (
    BAD_RANGES,
    assert_plain_404,
    assert_private,
    page_url,
)
from repotraffic.repositories.tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


class TestTrafficCsv:
    def test_downloads_the_shown_range(self, client, token, repository):
        response = client.get(
            page_url(token, repository) + "/traffic.csv?start=2024-01-02&end=2024-01-03"
        )

        assert response.status_code == 200
        assert_private(response)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="acme-rocket-traffic.csv"'
        assert response.content.decode() == (
            "date,views,unique_views,clones,unique_clones,partial\n"
            "2024-01-02,6,3,1,1,false\n2024-01-03,7,4,2,0,false\n"
        )

    def test_without_a_range_downloads_everything(self, client, token, repository):
        lines = client.get(page_url(token, repository) + "/traffic.csv").content.decode()

        assert len(lines.splitlines()) == 61

    def test_filename_keeps_only_safe_characters(self, client, token, owner_and_token):
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="a.b", name='x"y z')

        response = client.get(page_url(token, repository) + "/traffic.csv")

        assert response["Content-Disposition"] == 'attachment; filename="a.b-x-y-z-traffic.csv"'

    @pytest.mark.parametrize(("query", "message"), BAD_RANGES)
    def test_bad_range_is_a_400(self, client, token, repository, query, message):
        response = client.get(f"{page_url(token, repository)}/traffic.csv?{query}")

        assert response.status_code == 400
        assert_private(response)
        assert message in response.content.decode()

    def test_unknown_token_or_repository_is_a_404(self, client, token, repository):
        assert_plain_404(client.get(page_url("f" * 32, repository) + "/traffic.csv"))
        assert_plain_404(client.get(f"/users/{token}/repos/{uuid.uuid4()}/traffic.csv"))
