"""/ (what repotraffic is, and sign-up) and where the owner's panel (_manage.html)
appears: on the owner's overview only, never on a share link's pages."""

import re

import pytest

from repotraffic.dashboard.tests.helpers import page_url, share_url

pytestmark = pytest.mark.django_db

HEX_TOKEN = re.compile(r"\b[0-9a-f]{32}\b")


class TestHome:
    def test_explains_what_github_keeps_what_repotraffic_keeps_and_what_it_needs(self, client):
        response = client.get("/")

        assert response.status_code == 200
        html = " ".join(response.content.decode().split())
        assert "GitHub keeps only the last 14 days" in html
        assert "daily views and clones" in html
        assert "push access" in html and "<code>repo</code>" in html
        assert "stored encrypted" in html

    def test_has_a_labelled_sign_up_form_run_by_a_module_of_our_own(self, client):
        html = client.get("/").content.decode()

        assert '<label for="signup-email">Email address</label>' in html
        assert 'id="signup-email" name="email" type="email" autocomplete="email"' in html
        assert re.search(r'<script type="module" src="/static/dashboard/home\.js">', html)
        assert 'href="/static/dashboard/home.css"' in html
        # No third-party assets and no inline script or style: the CSP forbids both.
        assert not re.search(r'(src|href)="(https?:)?//', html)
        assert "<script>" not in html and "style=" not in html

    def test_says_the_token_is_shown_once_and_the_link_is_a_secret(self, client):
        html = client.get("/").content.decode()

        assert "This is the only time your token is shown." in html
        assert "keep them secret" in html

    def test_holds_no_secret_of_anyone(self, client, token, share_key):
        html = client.get("/").content.decode()

        assert token not in html and share_key not in html
        assert not HEX_TOKEN.search(html)

    def test_is_a_public_page_search_engines_may_index_and_answers_only_get(self, client):
        page = client.get("/")
        response = client.post("/", {"email": "a@example.com"})

        assert response.status_code == 405
        for answer in (page, response):
            # No secret in this URL: no noindex, no no-store; the same script policy.
            assert "X-Robots-Tag" not in answer
            assert "Cache-Control" not in answer
            assert answer["Content-Security-Policy"].startswith("default-src 'none'")
            assert answer["Referrer-Policy"] == "no-referrer"
        html = page.content.decode()
        assert 'name="robots"' not in html
        assert '<meta name="description"' in html

    def test_a_server_closed_to_sign_ups_says_so_instead_of_offering_the_form(
        self, client, settings
    ):
        settings.REPOTRAFFIC_REGISTRATION = "closed"

        html = client.get("/").content.decode()

        assert "This server does not take sign-ups" in html
        assert "signup-form" not in html and "home.js" not in html


class TestManagePanel:
    def test_the_owners_overview_has_the_panel_and_its_module(self, client, token):
        html = client.get(page_url(token)).content.decode()

        # Folded away above the overview; manage.js opens it for a user with nothing
        # tracked (test_manage_browser).
        assert '<section class="manage" id="manage"' in html
        assert '<div class="manage-sections" id="manage-body" hidden>' in html
        assert '<script type="module" src="/static/dashboard/manage.js">' in html

    def test_the_panel_never_carries_the_token_itself(self, client, token):
        html = client.get(page_url(token)).content.decode()
        panel = html[html.index('<section class="manage"') : html.index("</dialog>")]

        assert token not in panel

    @pytest.mark.parametrize("shared_page", ["all", "one"])
    def test_a_share_links_pages_have_no_panel(
        self, client, share_key, repository_share_key, repository, shared_page
    ):
        url = (
            share_url(share_key)
            if shared_page == "all"
            else share_url(repository_share_key, repository)
        )

        html = client.get(url).content.decode()

        assert "manage" not in html
        assert "X-API-Token" not in html
