import datetime as dt
import uuid

import pytest
from django.utils import timezone

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.selectors import share_link_get, share_link_get_by_key, share_link_list
from repotraffic.sharing.tests.factories import ShareLinkFactory, share_link_with_key
from repotraffic.users.tests.factories import UserFactory, user_with_token

pytestmark = pytest.mark.django_db


class TestShareLinkGetByKey:
    def test_finds_the_link_with_its_user_and_repository_in_one_query(
        self, django_assert_num_queries
    ):
        repository = RepositoryFactory.create()
        link, key = share_link_with_key(user=repository.user, repository=repository)

        with django_assert_num_queries(1):
            found = share_link_get_by_key(key=key)
            assert found is not None
            assert (found.user.email, found.repository) == (repository.user.email, repository)

        assert found == link

    def test_a_revoked_link_is_none(self):
        _, key = share_link_with_key(revoked_at=timezone.now())

        assert share_link_get_by_key(key=key) is None

    @pytest.mark.parametrize("key", ["", "s_unknown", "x" * 257])
    def test_an_unknown_empty_or_overlong_key_is_none(self, key):
        share_link_with_key()

        assert share_link_get_by_key(key=key) is None

    def test_an_api_token_is_no_key(self):
        user, token = user_with_token()
        ShareLinkFactory.create(user=user)

        assert share_link_get_by_key(key=token) is None


def test_list_is_the_users_links_revoked_included_oldest_first():
    user = UserFactory.create()
    created = timezone.now()
    links = []
    for offset in (2, 0, 1):
        link = ShareLinkFactory.create(user=user, revoked_at=created if offset == 1 else None)
        link.created_at = created + dt.timedelta(minutes=offset)
        link.save(update_fields=["created_at"])
        links.append(link)
    ShareLinkFactory.create()  # someone else's

    assert list(share_link_list(user=user)) == [links[1], links[2], links[0]]


class TestShareLinkGet:
    def test_the_users_own(self):
        link = ShareLinkFactory.create()

        assert share_link_get(user=link.user, share_link_id=str(link.id)) == link

    def test_someone_elses_or_an_unknown_or_malformed_id_is_none(self):
        link = ShareLinkFactory.create()
        other = UserFactory.create()

        assert share_link_get(user=other, share_link_id=link.id) is None
        assert share_link_get(user=link.user, share_link_id=uuid.uuid4()) is None
        assert share_link_get(user=link.user, share_link_id="not-a-uuid") is None
