"""Which credentials list an import's repositories, and how their lists merge."""

import pytest

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.import_listings import (
    INSTALLATION,
    OWN,
    CredentialListing,
    ImportCredential,
    ImportListing,
    import_credentials_get,
    import_listing_fetch,
)
from repotraffic.repositories.tests.installation_helpers import (
    app_installed,
    connect,
    own_token_set,
)
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed(github, settings):
    app_installed(fake=github, settings=settings)
    settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"
    return github


def described(plan) -> list[tuple[str, int | None]] | str:
    if isinstance(plan, ApplicationError):
        return f"refused {plan.status_code}"
    return [(credential.kind, credential.installation_id) for credential in plan]


def test_each_owner_is_its_installations_else_the_own_tokens_and_every_owner_is_all(installed):
    user = UserFactory.create()
    own_token_set(user=user, fake=installed)
    connect(user=user, installation_id=56, account="acme")
    connect(user=user, installation_id=55, account="alice")

    plans = import_credentials_get(user=user, owners=["ACME", "octo", None])

    assert [described(plan) for plan in plans] == [
        [(INSTALLATION, 56)],
        [(OWN, None)],
        [(OWN, None), (INSTALLATION, 56), (INSTALLATION, 55)],  # connected oldest first
    ]
    assert installed.request_counts() == {}  # nothing is minted before it lists


def test_without_an_own_token_every_owner_is_the_installations_and_another_owner_refused(
    installed,
):
    user = UserFactory.create()
    connect(user=user, installation_id=56, account="acme")

    plans = import_credentials_get(user=user, owners=[None, "acme", "octo"])

    assert [described(plan) for plan in plans] == [
        [(INSTALLATION, 56)],
        [(INSTALLATION, 56)],
        "refused 400",  # no token at all: "set your own token"
    ]


def test_a_credential_asked_for_by_several_owners_lists_once(installed):
    installed.add_repo("acme", "rocket")
    user = UserFactory.create()
    connect(user=user, installation_id=56, account="acme")
    (every, acme) = import_credentials_get(user=user, owners=[None, "acme"])
    assert isinstance(every, list) and isinstance(acme, list)

    listing = import_listing_fetch(
        credentials=[*every, *acme], created_after=None, interactive=False
    )

    assert len(listing.listings) == 1
    assert [item.repository.full_name for item in listing.candidates] == ["acme/rocket"]
    assert installed.request_counts()["/installation/repositories"] == 1


def failed(message: str, status: int) -> CredentialListing:
    return CredentialListing(
        credential=ImportCredential(kind=OWN, token="t"),
        error=ApplicationError(message, status_code=status),
    )


def test_nothing_listed_is_every_credentials_words_with_the_first_ones_status():
    listing = ImportListing(candidates=[], listings=[failed("one", 429), failed("two", 400)])

    refusal = listing.refusal()

    assert refusal is not None
    assert (refusal.message, refusal.status_code) == ("one; two", 429)


def test_one_credential_that_listed_is_no_refusal():
    listed = CredentialListing(credential=ImportCredential(kind=OWN, token="t"), source="user")

    assert ImportListing(candidates=[], listings=[failed("one", 400), listed]).refusal() is None
