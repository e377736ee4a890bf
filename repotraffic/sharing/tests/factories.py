import factory

from repotraffic.sharing.keys import share_key_digest, share_key_generate
from repotraffic.sharing.models import ShareLink
from repotraffic.users.tests.factories import UserFactory


class ShareLinkFactory(factory.django.DjangoModelFactory[ShareLink]):
    """A link to all of its user's repositories unless given one."""

    class Meta:
        model = ShareLink

    user = factory.SubFactory(UserFactory)
    repository = None
    key_digest = factory.LazyFunction(lambda: share_key_digest(share_key_generate()))


def share_link_with_key(**kwargs) -> tuple[ShareLink, str]:
    """A share link and the plain key whose digest it stores."""
    key = share_key_generate()
    return ShareLinkFactory.create(key_digest=share_key_digest(key), **kwargs), key
