import datetime as dt
import uuid

import pytest
import time_machine

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.keys import share_key_digest
from repotraffic.sharing.models import ShareLink
from repotraffic.sharing.selectors import share_link_get_by_key
from repotraffic.sharing.services import share_link_create, share_link_revoke
from repotraffic.sharing.tests.factories import ShareLinkFactory
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


class TestShareLinkCreate:
    def test_a_link_to_all_repositories_stores_only_the_keys_digest(self, user):
        created = share_link_create(user=user)

        link = ShareLink.objects.get()
        assert created.share_link == link
        assert (link.user, link.repository, link.label, link.revoked_at) == (user, None, "", None)
        assert link.key_digest == share_key_digest(created.key)
        assert created.key not in str(ShareLink.objects.values().get())
        assert share_link_get_by_key(key=created.key) == link

    def test_a_link_to_one_repository_with_a_trimmed_label(self, user):
        repository = RepositoryFactory.create(user=user)

        created = share_link_create(
            user=user, repository_id=str(repository.id), label="  for the team "
        )

        assert created.share_link.repository == repository
        assert created.share_link.label == "for the team"

    def test_each_link_has_its_own_key(self, user):
        first, second = share_link_create(user=user), share_link_create(user=user)

        assert first.key != second.key

    def test_another_users_repository_cannot_be_shared(self, user):
        theirs = RepositoryFactory.create()

        with pytest.raises(ApplicationError) as error:
            share_link_create(user=user, repository_id=theirs.id)

        assert error.value.status_code == 404
        assert error.value.message == f"You have no repository with id {theirs.id}."
        assert not ShareLink.objects.exists()

    @pytest.mark.parametrize("repository_id", ["00000000-0000-4000-8000-000000000000", "nope"])
    def test_an_unknown_or_malformed_repository_is_a_404(self, user, repository_id):
        with pytest.raises(ApplicationError) as error:
            share_link_create(user=user, repository_id=repository_id)

        assert error.value.status_code == 404

    def test_a_label_over_100_characters_is_refused(self, user):
        with pytest.raises(ApplicationError) as error:
            share_link_create(user=user, label="x" * 101)

        assert error.value.status_code == 400
        assert "at most 100" in error.value.message
        share_link_create(user=user, label="x" * 100)

    def test_live_links_are_limited_per_user(self, user, settings):
        settings.REPOTRAFFIC_MAX_SHARE_LINKS_PER_USER = 2
        share_link_create(user=user)
        share_link_create(user=user)

        with pytest.raises(ApplicationError) as error:
            share_link_create(user=user)

        assert error.value.status_code == 403
        assert "most allowed (2)" in error.value.message
        assert ShareLink.objects.filter(user=user).count() == 2
        share_link_create(user=UserFactory.create())  # the limit is per user

    def test_revoked_links_do_not_count_towards_the_limit(self, user, settings):
        settings.REPOTRAFFIC_MAX_SHARE_LINKS_PER_USER = 1
        first = share_link_create(user=user)
        share_link_revoke(user=user, share_link_id=first.share_link.id)

        assert share_link_create(user=user).share_link.revoked_at is None


class TestShareLinkRevoke:
    def test_sets_revoked_at_and_the_key_stops_working(self, user):
        created = share_link_create(user=user)

        with time_machine.travel(NOW, tick=False):
            revoked = share_link_revoke(user=user, share_link_id=str(created.share_link.id))

        assert revoked.revoked_at == NOW
        assert ShareLink.objects.get().revoked_at == NOW
        assert share_link_get_by_key(key=created.key) is None

    def test_revoking_again_keeps_the_first_time(self, user):
        link = ShareLinkFactory.create(user=user)
        with time_machine.travel(NOW, tick=False):
            share_link_revoke(user=user, share_link_id=link.id)

        with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
            again = share_link_revoke(user=user, share_link_id=link.id)

        assert again.revoked_at == NOW

    @pytest.mark.parametrize("whose", ["someone else's", "unknown", "malformed"])
    def test_someone_elses_or_an_unknown_link_is_a_404(self, user, whose):
        theirs = ShareLinkFactory.create()
        share_link_id = {
            "someone else's": str(theirs.id),
            "unknown": str(uuid.uuid4()),
            "malformed": "nope",
        }[whose]

        with pytest.raises(ApplicationError) as error:
            share_link_revoke(user=user, share_link_id=share_link_id)

        assert error.value.status_code == 404
        assert error.value.message == f"You have no share link with id {share_link_id}."
        assert ShareLink.objects.get().revoked_at is None
