"""Sign-up on / and the owner's panel (_manage.html) in a real browser: Debian's
chromium driven by Playwright, against a live server and the bundled fake GitHub."""

import re

import pytest
from playwright.sync_api import expect

from repotraffic.dashboard.tests import test_views_browser
from repotraffic.dashboard.tests.axe import axe_report, axe_violations
from repotraffic.dashboard.tests.helpers import page_url
from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.models import ShareLink
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.models import User

pytestmark = pytest.mark.browser

# The live server's chromium and its tabs, as the chart pages' browser tests start them.
browser = test_views_browser.browser
tab = test_views_browser.tab

CLIPBOARD = {"permissions": ["clipboard-read", "clipboard-write"]}
WIDE = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}}


@pytest.fixture
def fake(github):
    """The fake GitHub: the server's token pushes to acme/rocket, acme/one and
    octo/widgets, and only sees acme/docs; ghp_mine is alice's token."""
    for owner, name in (("acme", "rocket"), ("acme", "one"), ("octo", "widgets")):
        github.add_repo(owner, name)
    github.add_repo("acme", "docs", push_tokens=["someone-else"])
    github.add_token("ghp_mine", login="alice")
    return github


def open_panel(tab, live_server, token, **options):
    """The owner's overview, its panel loaded (manage.js marks it) and open."""
    opened = tab(**{**WIDE, **options})
    opened.open(live_server.url + page_url(token), charts=False)
    expect(opened.page.locator("#manage")).to_have_attribute("data-loaded", "true")
    toggle = opened.page.locator("#manage-toggle")
    if toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    expect(opened.page.locator("#manage-body")).to_be_visible()
    return opened


def said(state, text: str, *, not_: str) -> None:
    """The token's state as shown (the other one is in the page, hidden)."""
    expect(state).to_contain_text(text, use_inner_text=True)
    expect(state).not_to_contain_text(not_, use_inner_text=True)


def tracked(user) -> list[str]:
    return sorted(r.full_name for r in Repository.objects.filter(user=user))


class TestSignUp:
    @pytest.mark.parametrize(
        ("viewport", "scheme"), [(WIDE, "light"), (PHONE, "dark")], ids=["1280-light", "390-dark"]
    )
    def test_signing_up_shows_the_token_once_with_a_link_that_opens_the_pages(
        self, tab, live_server, viewport, scheme, transactional_db
    ):
        page = tab(**viewport, color_scheme=scheme)
        page.open(live_server.url + "/", charts=False)

        page.page.get_by_label("Email address").fill("new@example.com")
        page.page.get_by_role("button", name="Create my account").click()

        token = page.page.locator("#signup-token")
        expect(token).to_have_text(re.compile(r"^[0-9a-f]{32}$"))
        expect(page.page.get_by_text("This is the only time your token is shown.")).to_be_visible()
        expect(page.page.locator("#signup-result-title")).to_be_focused()
        assert page.page.locator("#signup-form").is_hidden()
        link = page.page.locator("#signup-link")
        expect(link).to_have_text(f"{live_server.url}/users/{token.inner_text()}/repos")
        assert User.objects.filter(email="new@example.com").exists()
        # The page is no wider than the screen.
        assert (
            page.page.evaluate("document.documentElement.scrollWidth")
            <= viewport["viewport"]["width"]
        )

        link.click()
        heading = page.page.get_by_role("heading", name="Your repositories", exact=True)
        expect(heading).to_be_visible()
        expect(page.page.locator("#manage-repos-empty")).to_be_visible()
        # Back on /, the token is not there any more: it was shown once.
        page.page.goto(live_server.url + "/")
        assert page.page.locator("#signup-result").is_hidden()
        assert token.inner_text() == ""
        page.assert_clean()

    def test_the_copy_buttons_put_the_token_and_the_link_on_the_clipboard(
        self, tab, live_server, transactional_db
    ):
        page = tab(**WIDE, **CLIPBOARD)
        page.open(live_server.url + "/", charts=False)
        page.page.get_by_label("Email address").fill("copy@example.com")
        page.page.get_by_role("button", name="Create my account").click()
        token = page.page.locator("#signup-token")
        expect(token).to_have_text(re.compile(r"^[0-9a-f]{32}$"))

        page.page.get_by_role("button", name="Copy token").click()
        expect(page.page.locator("#signup-copy-status")).to_have_text("Copied to the clipboard.")
        assert page.page.evaluate("navigator.clipboard.readText()") == token.inner_text()

        page.page.get_by_role("button", name="Copy link").click()
        assert page.page.evaluate("navigator.clipboard.readText()") == (
            f"{live_server.url}/users/{token.inner_text()}/repos"
        )
        page.assert_clean()

    @pytest.mark.parametrize(
        ("email", "says"),
        [
            ("not an email", "'not an email' is not a valid email address."),
            ("taken@example.com", "A user with the email 'taken@example.com' already exists."),
        ],
    )
    def test_the_apis_refusal_is_shown_in_words_by_the_field(
        self, tab, live_server, email, says, transactional_db
    ):
        User.objects.create(email="taken@example.com", token_digest="0" * 64)
        page = tab(**WIDE)
        page.open(live_server.url + "/", charts=False)

        page.page.get_by_label("Email address").fill(email)
        page.page.keyboard.press("Enter")

        expect(page.page.get_by_role("alert")).to_have_text(says)
        expect(page.page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
        assert page.page.locator("#signup-result").is_hidden()
        page.assert_clean(allowed_errors=("400",))


class TestPanel:
    def test_opens_by_itself_for_a_user_with_nothing_tracked(self, tab, live_server, token):
        page = tab(**WIDE)
        page.open(live_server.url + page_url(token), charts=False)

        expect(page.page.locator("#manage-toggle")).to_have_attribute("aria-expanded", "true")
        expect(page.page.locator("#manage-repos-empty")).to_be_visible()
        page.assert_clean()

    def test_stays_folded_above_repositories_already_tracked(
        self, tab, live_server, owner_and_token
    ):
        user, token = owner_and_token
        RepositoryFactory.create(user=user, owner="acme", name="rocket")
        page = tab(**WIDE)
        page.open(live_server.url + page_url(token), charts=False)
        expect(page.page.locator("#manage")).to_have_attribute("data-loaded", "true")

        toggle = page.page.get_by_role("button", name="Show")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        assert page.page.locator("#manage-body").is_hidden()
        toggle.click()
        listed = page.page.locator("#manage-repos").get_by_role("link", name="acme/rocket")
        expect(listed).to_be_visible()
        hide = page.page.get_by_role("button", name="Hide")
        expect(hide).to_have_attribute("aria-expanded", "true")
        page.assert_clean()


class TestGitHubToken:
    def test_setting_a_token_says_whose_it_is_and_removing_it_says_so(
        self, tab, live_server, owner_and_token, fake
    ):
        user, token = owner_and_token
        page = open_panel(tab, live_server, token)
        state = page.page.locator("#manage-token-state")
        remove = page.page.get_by_role("button", name="Remove my GitHub token")
        said(state, "No GitHub token saved", not_="A GitHub token is saved")
        expect(remove).to_be_hidden()

        page.page.get_by_label("GitHub token", exact=True).fill("ghp_mine")
        page.page.get_by_role("button", name="Set token").click()

        expect(page.page.locator("#manage-token-ok")).to_contain_text("GitHub user alice")
        expect(page.page.get_by_label("GitHub token", exact=True)).to_have_value("")
        # The panel now says so, without a reload.
        said(state, "A GitHub token is saved (GitHub user alice)", not_="No GitHub token saved")
        expect(page.page.get_by_role("button", name="Replace token")).to_be_visible()
        user.refresh_from_db()
        assert user.has_github_token and user.github_login == "alice"

        remove.click()
        expect(page.page.locator("#manage-token-ok")).to_contain_text("Token removed")
        said(state, "No GitHub token saved", not_="A GitHub token is saved")
        expect(remove).to_be_hidden()
        expect(page.page.get_by_role("button", name="Set token")).to_be_visible()
        # The keyboard stays in the section when the button it was on goes.
        expect(page.page.get_by_label("GitHub token", exact=True)).to_be_focused()
        user.refresh_from_db()
        assert not user.has_github_token
        page.assert_clean()

    def test_a_saved_token_is_said_on_arrival_and_never_shown(
        self, tab, live_server, owner_and_token, fake
    ):
        user, token = owner_and_token
        user.github_token_encrypted = secret_encrypt("ghp_mine")
        user.github_login = "alice"
        user.save()
        page = open_panel(tab, live_server, token)

        state = page.page.locator("#manage-token-state")
        said(state, "A GitHub token is saved (GitHub user alice)", not_="No GitHub token saved")
        expect(page.page.get_by_role("button", name="Replace token")).to_be_visible()
        expect(page.page.get_by_role("button", name="Remove my GitHub token")).to_be_visible()
        assert "ghp_mine" not in page.page.content()
        assert page.page.get_by_label("GitHub token", exact=True).input_value() == ""
        page.assert_clean()

    def test_a_token_github_refuses_is_shown_in_words(
        self, tab, live_server, owner_and_token, fake
    ):
        user, token = owner_and_token
        page = open_panel(tab, live_server, token)

        page.page.get_by_label("GitHub token", exact=True).fill("ghp_unknown")
        page.page.get_by_role("button", name="Set token").click()

        expect(page.page.locator("#manage-token-error")).to_contain_text("GitHub refused the token")
        assert page.page.locator("#manage-token-ok").is_hidden()
        user.refresh_from_db()
        assert not user.has_github_token
        page.assert_clean(allowed_errors=("400",))


class TestRepositories:
    def test_adding_one_shows_the_access_checks_success_and_lists_it(
        self, tab, live_server, owner_and_token, fake
    ):
        user, token = owner_and_token
        page = open_panel(tab, live_server, token)

        page.page.get_by_label("Repository URL").fill("https://github.com/acme/rocket")
        page.page.get_by_role("button", name="Add", exact=True).click()

        expect(page.page.locator("#manage-add-ok")).to_contain_text("Added acme/rocket")
        expect(page.page.locator("#manage-repos")).to_contain_text("acme/rocket")
        expect(page.page.locator("#manage-repos-count")).to_have_text("(1)")
        assert tracked(user) == ["acme/rocket"]
        page.assert_clean()

    @pytest.mark.parametrize(
        ("url", "says"),
        [
            ("https://github.com/acme/docs", "push access"),
            ("https://github.com/acme/missing", "not found"),
            ("github dot com", "URL"),
        ],
        ids=["no-push-access", "not-found", "malformed"],
    )
    def test_a_refused_one_shows_the_apis_reason_in_words(
        self, tab, live_server, owner_and_token, fake, url, says
    ):
        user, token = owner_and_token
        page = open_panel(tab, live_server, token)

        page.page.get_by_label("Repository URL").fill(url)
        page.page.get_by_role("button", name="Add", exact=True).click()

        error = page.page.locator("#manage-add-error")
        expect(error).to_be_visible()
        assert says.lower() in error.inner_text().lower()
        assert page.page.locator("#manage-add-ok").is_hidden()
        assert tracked(user) == []
        page.assert_clean(allowed_errors=("400",))

    def test_importing_all_shows_added_already_tracked_and_refused(
        self, tab, live_server, owner_and_token, fake
    ):
        user, token = owner_and_token
        RepositoryFactory.create(user=user, owner="acme", name="rocket")
        page = open_panel(tab, live_server, token)

        page.page.get_by_role("button", name="Import all").click()

        outcome = page.page.locator("#manage-import-outcome")
        expect(outcome).to_contain_text("Added: 2")
        items = outcome.locator("li").all_inner_texts()
        assert items[:3] == ["acme/one", "octo/widgets", "acme/rocket"]
        assert "Already tracked: 1" in outcome.inner_text()
        assert "Refused: 1" in outcome.inner_text()
        assert items[3].startswith("acme/docs: ") and "push access" in items[3]
        expect(page.page.locator("#manage-repos-count")).to_have_text("(3)")
        assert tracked(user) == ["acme/one", "acme/rocket", "octo/widgets"]
        page.assert_clean()

    def test_deleting_asks_first_and_cancel_keeps_it(self, tab, live_server, owner_and_token):
        user, token = owner_and_token
        RepositoryFactory.create(user=user, owner="acme", name="rocket")
        page = open_panel(tab, live_server, token)

        page.page.get_by_role("button", name="Delete acme/rocket").click()
        dialog = page.page.get_by_role("dialog")
        expect(dialog).to_contain_text("Delete acme/rocket?")
        expect(page.page.get_by_role("button", name="Cancel")).to_be_focused()
        page.page.get_by_role("button", name="Cancel").click()

        expect(dialog).to_be_hidden()
        assert tracked(user) == ["acme/rocket"]
        page.assert_clean()

    def test_deleting_once_confirmed_removes_it_and_its_data(
        self, tab, live_server, owner_and_token
    ):
        user, token = owner_and_token
        RepositoryFactory.create(user=user, owner="acme", name="rocket")
        RepositoryFactory.create(user=user, owner="acme", name="one")
        page = open_panel(tab, live_server, token)

        page.page.get_by_role("button", name="Delete acme/rocket").click()
        page.page.get_by_role("dialog").get_by_role("button", name="Delete").click()

        expect(page.page.locator("#manage-repos-ok")).to_contain_text("Deleted acme/rocket")
        expect(page.page.locator("#manage-repos-ok")).to_be_focused()
        expect(page.page.locator("#manage-repos-count")).to_have_text("(1)")
        assert tracked(user) == ["acme/one"]
        page.assert_clean()


class TestShareLinks:
    def test_creating_one_shows_its_url_to_copy_and_revoking_closes_it(
        self, tab, live_server, owner_and_token
    ):
        user, token = owner_and_token
        rocket = RepositoryFactory.create(user=user, owner="acme", name="rocket")
        page = open_panel(tab, live_server, token, **CLIPBOARD)

        page.page.get_by_label("What it shows").select_option(label="Only acme/rocket")
        page.page.get_by_label("Note for you (optional)").fill("for the team")
        page.page.get_by_role("button", name="Create link").click()

        url = page.page.locator("#manage-link-url")
        expect(url).to_have_text(re.compile(rf"^{re.escape(live_server.url)}/share/[^/]+/repos/"))
        expect(page.page.locator("#manage-links li")).to_contain_text("acme/rocket · for the team")
        page.page.get_by_role("button", name="Copy link").click()
        assert page.page.evaluate("navigator.clipboard.readText()") == url.inner_text()
        shared = url.inner_text()
        link = ShareLink.objects.get(user=user)
        assert (link.repository_id, link.label) == (rocket.id, "for the team")
        assert token not in shared

        page.page.get_by_role("button", name="Revoke the link to acme/rocket").click()
        page.page.get_by_role("dialog").get_by_role("button", name="Revoke").click()

        ok = page.page.locator("#manage-links-ok")
        expect(ok).to_have_text("Revoked the link to acme/rocket.")
        expect(page.page.locator("#manage-links li")).to_contain_text("revoked")
        assert page.page.locator("#manage-link-new").is_hidden()
        link.refresh_from_db()
        assert link.revoked_at is not None
        assert page.page.goto(shared).status == 404
        page.assert_clean(allowed_errors=("404",))

    def test_the_apis_refusal_is_shown_in_words(self, tab, live_server, owner_and_token, settings):
        settings.REPOTRAFFIC_MAX_SHARE_LINKS_PER_USER = 0
        user, token = owner_and_token
        RepositoryFactory.create(user=user, owner="acme", name="rocket")
        page = open_panel(tab, live_server, token)

        page.page.get_by_role("button", name="Create link").click()

        expect(page.page.locator("#manage-link-error")).to_contain_text(
            "the most allowed (0): revoke one you no longer need first."
        )
        assert page.page.locator("#manage-link-new").is_hidden()
        page.assert_clean(allowed_errors=("403",))

    def test_they_show_once_there_is_a_repository_to_share(
        self, tab, live_server, owner_and_token, fake
    ):
        page = open_panel(tab, live_server, owner_and_token[1], **WIDE)
        links = page.page.locator("#manage-links-section")
        assert links.is_hidden()  # nothing to share yet

        page.page.get_by_label("Repository URL").fill("https://github.com/acme/rocket")
        page.page.get_by_role("button", name="Add", exact=True).click()

        expect(links).to_be_visible()
        expect(page.page.get_by_label("What it shows")).to_contain_text("Only acme/rocket")
        page.assert_clean()


class TestKeyboard:
    def test_the_panel_works_from_the_keyboard_alone(self, tab, live_server, owner_and_token, fake):
        user, token = owner_and_token
        page = open_panel(tab, live_server, token)
        keyboard = page.page.keyboard

        def tab_to(selector: str) -> None:
            for _ in range(60):
                keyboard.press("Tab")
                if page.page.evaluate(f"document.activeElement.matches({selector!r})"):
                    return
            raise AssertionError(f"Tab never reached {selector}")

        tab_to("#manage-add-url")
        keyboard.type("https://github.com/acme/rocket")
        keyboard.press("Enter")
        expect(page.page.locator("#manage-add-ok")).to_contain_text("Added acme/rocket")

        tab_to("#manage-repos button")
        keyboard.press("Enter")
        expect(page.page.get_by_role("button", name="Cancel")).to_be_focused()
        keyboard.press("Escape")
        expect(page.page.get_by_role("dialog")).to_be_hidden()
        assert tracked(user) == ["acme/rocket"]

        expect(page.page.get_by_role("button", name="Delete acme/rocket")).to_be_focused()
        keyboard.press("Enter")
        # Each key once the dialog is ready for it: a key pressed before it opens
        # go to the page behind it.
        expect(page.page.locator("#manage-confirm-no")).to_be_focused()
        keyboard.press("Shift+Tab")
        expect(page.page.locator("#manage-confirm-yes")).to_be_focused()
        keyboard.press("Enter")
        expect(page.page.locator("#manage-repos-ok")).to_be_focused()
        assert tracked(user) == []

        tab_to("#manage-link-form button[type=submit]")
        keyboard.press("Enter")
        expect(page.page.locator("#manage-link-url")).to_be_focused()
        assert ShareLink.objects.filter(user=user, revoked_at__isnull=True).count() == 1
        page.assert_clean()


SCREENS = [(WIDE, "light"), (WIDE, "dark"), (PHONE, "light"), (PHONE, "dark")]
SCREEN_IDS = ["1280-light", "1280-dark", "390-light", "390-dark"]


class TestAccessibility:
    @pytest.mark.parametrize(("viewport", "scheme"), SCREENS, ids=SCREEN_IDS)
    def test_home_is_axe_clean_before_and_after_signing_up(
        self, tab, live_server, viewport, scheme, transactional_db
    ):
        page = tab(**viewport, color_scheme=scheme)
        page.open(live_server.url + "/", charts=False)
        assert (violations := axe_violations(page.page)) == [], axe_report(violations)

        page.page.get_by_label("Email address").fill("not an email")
        page.page.keyboard.press("Enter")
        expect(page.page.locator("#signup-error")).to_be_visible()
        assert (violations := axe_violations(page.page)) == [], axe_report(violations)

        page.page.get_by_label("Email address").fill("axe@example.com")
        page.page.keyboard.press("Enter")
        expect(page.page.locator("#signup-token")).to_have_text(re.compile(r"^[0-9a-f]{32}$"))
        assert (violations := axe_violations(page.page)) == [], axe_report(violations)
        assert (
            page.page.evaluate("document.documentElement.scrollWidth")
            <= (viewport["viewport"]["width"])
        )

    @pytest.mark.parametrize(("viewport", "scheme"), SCREENS, ids=SCREEN_IDS)
    def test_the_panel_is_axe_clean_with_every_outcome_shown(
        self, tab, live_server, owner_and_token, fake, viewport, scheme
    ):
        token = owner_and_token[1]
        page = open_panel(tab, live_server, token, **viewport, color_scheme=scheme)
        page.page.get_by_label("Repository URL").fill("https://github.com/acme/docs")
        page.page.get_by_role("button", name="Add", exact=True).click()
        expect(page.page.locator("#manage-add-error")).to_be_visible()
        page.page.get_by_role("button", name="Import all").click()
        expect(page.page.locator("#manage-import-outcome")).to_contain_text("Refused: 1")
        page.page.get_by_role("button", name="Create link").click()
        expect(page.page.locator("#manage-link-new")).to_be_visible()
        assert (violations := axe_violations(page.page)) == [], axe_report(violations)
        assert (
            page.page.evaluate("document.documentElement.scrollWidth")
            <= (viewport["viewport"]["width"])
        )

        page.page.get_by_role("button", name="Delete acme/one").click()
        expect(page.page.get_by_role("dialog")).to_be_visible()
        assert (violations := axe_violations(page.page)) == [], axe_report(violations)
