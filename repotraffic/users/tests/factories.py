import factory

from repotraffic.users.models import User
from repotraffic.users.tokens import api_token_digest, api_token_generate


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    token_digest = factory.LazyFunction(lambda: api_token_digest(api_token_generate()))


def user_with_token(**kwargs) -> tuple[User, str]:
    """A user and the plain API token whose digest it stores."""
    token = api_token_generate()
    return UserFactory.create(token_digest=api_token_digest(token), **kwargs), token
