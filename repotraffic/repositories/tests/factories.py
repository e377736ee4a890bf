import factory

from repotraffic.repositories.models import Repository
from repotraffic.users.tests.factories import UserFactory


class RepositoryFactory(factory.django.DjangoModelFactory[Repository]):
    class Meta:
        model = Repository

    user = factory.SubFactory(UserFactory)
    owner = "acme"
    name = factory.Sequence(lambda n: f"rocket-{n}")
