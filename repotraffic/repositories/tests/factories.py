import factory

from repotraffic.repositories.models import Repository
from repotraffic.users.tests.factories import UserFactory


class RepositoryFactory(factory.django.DjangoModelFactory[Repository]):
    """A repository with its collection state, as repository_create makes them;
    `collection__<field>=...` sets that state."""

    class Meta:
        model = Repository
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    owner = "acme"
    name = factory.Sequence(lambda n: f"rocket-{n}")
    collection = factory.RelatedFactory(
        "repotraffic.traffic.tests.factories.CollectionFactory", factory_related_name="repository"
    )
