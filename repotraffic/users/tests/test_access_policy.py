"""Who may act at GitHub with which token, sign-up policy, and the operator's commands."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.models import User
from repotraffic.users.selectors import user_github_token_get
from repotraffic.users.tests.factories import UserFactory
from repotraffic.users.tokens import api_token_digest

pytestmark = pytest.mark.django_db


class TestTokenPolicy:
    def test_a_users_own_token_comes_first_whatever_the_policy(self, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"
        user = UserFactory.create(github_token_encrypted=secret_encrypt("ghp_mine"))

        choice = user_github_token_get(user=user)

        assert (choice.token, choice.source) == ("ghp_mine", "own")

    @pytest.mark.parametrize(
        ("policy", "trusted", "lent"),
        [
            ("everyone", False, True),
            ("trusted", False, False),
            ("trusted", True, True),
            ("nobody", True, False),
        ],
    )
    def test_the_servers_token_follows_the_policy(self, settings, policy, trusted, lent):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = policy

        choice = user_github_token_get(user=UserFactory.create(trusted=trusted))

        assert (choice.token == settings.GITHUB_TOKEN) is lent
        assert bool(choice.refusal) is not lent

    def test_a_token_that_cannot_be_decrypted_says_so(self, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"
        user = UserFactory.create(github_token_encrypted="gAAAA-from-another-key")

        choice = user_github_token_get(user=user)

        assert choice.token is None
        assert "cannot be read any more" in choice.refusal


class TestRegistration:
    def test_closed_registration_is_403_and_creates_nobody(self, api_client, settings):
        settings.REPOTRAFFIC_REGISTRATION = "closed"

        response = api_client.post("/api/users/create", {"email": "a@example.com"}, format="json")

        assert response.status_code == 403
        assert "ask its operator" in response.json()["error"]
        assert not User.objects.exists()

    def test_the_operator_creates_a_user_and_sees_the_token_once(self, settings):
        settings.REPOTRAFFIC_REGISTRATION = "closed"
        out = io.StringIO()

        call_command("user_create", "New@Example.com", "--trusted", stdout=out)

        user = User.objects.get()
        token = out.getvalue().split("keep it): ")[1].strip()
        assert user.token_digest == api_token_digest(token)
        assert user.email == "New@example.com" and user.trusted

    def test_the_operator_cannot_create_a_duplicate(self):
        UserFactory.create(email="taken@example.com")

        with pytest.raises(CommandError, match="already exists"):
            call_command("user_create", "TAKEN@example.com", stdout=io.StringIO())


class TestUserTrust:
    def test_trust_and_revoke(self):
        user = UserFactory.create(email="ops@example.com")

        call_command("user_trust", "OPS@example.com", stdout=io.StringIO())
        user.refresh_from_db()
        assert user.trusted

        call_command("user_trust", "ops@example.com", "--revoke", stdout=io.StringIO())
        user.refresh_from_db()
        assert not user.trusted

    def test_an_unknown_email_is_an_error(self):
        with pytest.raises(CommandError, match="no user with the email"):
            call_command("user_trust", "ghost@example.com", stdout=io.StringIO())

    def test_the_admin_can_trust_a_user(self, admin_client):
        user = UserFactory.create(email="admin-trust@example.com")
        page = admin_client.get(f"/admin/users/user/{user.id}/change/")
        assert b'name="trusted"' in page.content

        admin_client.post(
            f"/admin/users/user/{user.id}/change/",
            {"email": user.email, "trusted": "on"},
        )

        user.refresh_from_db()
        assert user.trusted


class TestEmailIdentity:
    """One rule, ours (NFKC, then case folding), decides: SQLite and PostgreSQL agree."""

    def sign_up(self, api_client, email):
        return api_client.post("/api/users/create", {"email": email}, format="json")

    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ("kelvin@example.com", "\u212aelvin@example.com"),  # KELVIN SIGN folds to k
            ("KELVIN@example.com", "\u212aelvin@EXAMPLE.com"),
            ("\u0130stanbul@example.com", "\u0130STANBUL@example.com"),  # dotted capital I
        ],
    )
    def test_the_same_address_in_another_form_is_one_person(self, api_client, first, second):
        assert self.sign_up(api_client, first).status_code == 200

        again = self.sign_up(api_client, second)

        assert again.status_code == 400 and "already exists" in again.json()["error"]
        assert User.objects.count() == 1

    def test_a_dotted_capital_i_is_not_a_plain_i(self, api_client):
        # Case folding keeps the dot (i + U+0307): a different address, on every database.
        assert self.sign_up(api_client, "istanbul@example.com").status_code == 200
        assert self.sign_up(api_client, "\u0130stanbul@example.com").status_code == 200
        assert User.objects.count() == 2

    def test_the_database_refuses_a_second_user_with_the_same_key(self):
        UserFactory.create(email="someone@example.com")
        with pytest.raises(IntegrityError):
            User.objects.create(email="SOMEONE@example.com", token_digest="f" * 64)


class TestServerTokenPool:
    """GITHUB_TOKEN may hold several tokens, comma-separated: each repository is acted on
    by one of them, always the same, and the repositories spread over all of them."""

    def test_each_repository_keeps_its_token_and_all_tokens_get_a_share(self, settings):
        settings.GITHUB_TOKEN = " pool-a, pool-b ,,pool-c "
        user = UserFactory.create()
        keys = [f"acme/repo-{number}" for number in range(300)]

        picked = {key: user_github_token_get(user=user, repository_key=key).token for key in keys}

        assert set(picked.values()) == {"pool-a", "pool-b", "pool-c"}
        shares = sorted(list(picked.values()).count(token) for token in set(picked.values()))
        assert shares[0] >= 70, shares  # 100 each on average
        assert picked == {  # the same again, whatever the case of the name
            key: user_github_token_get(user=user, repository_key=key.upper()).token for key in keys
        }

    def test_one_token_acts_on_everything(self, settings):
        settings.GITHUB_TOKEN = "only-one"
        user = UserFactory.create()

        tokens = {user_github_token_get(user=user, repository_key=f"a/{n}").token for n in range(9)}

        assert tokens == {"only-one"}

    def test_commas_alone_are_no_token(self, settings):
        settings.GITHUB_TOKEN = " , ,"

        choice = user_github_token_get(user=UserFactory.create(), repository_key="acme/rocket")

        assert choice.token is None
        assert "no GitHub token for its users" in choice.refusal
