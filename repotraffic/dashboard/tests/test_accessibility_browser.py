"""Every page passes axe-core (WCAG 2.0/2.1 A and AA, and best practices) with every
<details> and panel open, at a desktop's width and a phone's, in light and dark.

A case marked xfail(strict=True) is a violation the page has today: its reason names
the rules. Once the page is fixed the case passes, strict xfail fails it, and the mark
comes off, so the page stays fixed.
"""

import datetime as dt

import pytest

from repotraffic.dashboard.tests.axe import AxeViolation, axe_report, axe_violations
from repotraffic.dashboard.tests.helpers import page_url, share_url
from repotraffic.dashboard.tests.test_views_browser import browser, tab  # noqa: F401 (fixtures)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.tests.factories import traffic_days_create

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
SCHEMES = ("light", "dark")

# Opens every <details> and clicks every control that says it is collapsed, so that axe
# sees what a user can reach. Returns how many it opened.
EXPAND_ALL = """() => {
  let opened = 0;
  for (const details of document.querySelectorAll("details:not([open])")) {
    details.open = true;
    opened += 1;
  }
  for (const control of document.querySelectorAll("[aria-expanded='false']")) {
    control.click();
    opened += 1;
  }
  return opened;
}"""
# Resolves once the page has handled the toggle events and drawn a frame since.
SETTLED = """() => new Promise((resolve) => {
  setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))), 0);
})"""
# Charts may be drawn only once they scroll into view (the benchmark hooks that say when
# they are drawn need ?bench=1): scroll down the page a screen at a time, then back up.
SCROLL_THROUGH = """async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight) {
    window.scrollTo(0, y);
    await frame();
    await frame();
  }
  window.scrollTo(0, 0);
  await frame();
}"""
STILL_COLLAPSED = (
    "document.querySelectorAll(\"details:not([open]), [aria-expanded='false']\").length"
)

# (page, width, scheme) -> the axe rules it breaks today. Fix the page, then remove its line.
KNOWN_VIOLATIONS: dict[tuple[str, str, str], str] = {}

PAGES = ("repository", "overview", "share overview", "share repository", "not found", "home")


@pytest.fixture
def pages(owner_and_token, token, share_key) -> dict[str, str]:
    """The path of each page, for an owner with a repository with 400 days up to today
    (today's partial), one with two months long ago, one never collected, and one whose
    collection fails."""
    user = owner_and_token[0]
    today = dt.datetime.now(dt.UTC).date()
    recent = RepositoryFactory.create(user=user, owner="acme", name="recent")
    traffic_days_create(repository=recent, start=today - dt.timedelta(days=399), days=400)
    old = RepositoryFactory.create(user=user, owner="acme", name="rocket")
    traffic_days_create(repository=old, start=dt.date(2024, 1, 1), days=60)
    RepositoryFactory.create(user=user, owner="acme", name="pending")
    failed_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    RepositoryFactory.create(
        user=user,
        owner="acme",
        name="broken",
        collection__last_attempt_at=failed_at,
        collection__last_error_at=failed_at,
        collection__last_error="The token has no push access to acme/broken.",
    )
    return {
        "repository": page_url(token, recent),
        "overview": page_url(token),
        "share overview": share_url(share_key),
        "share repository": share_url(share_key, recent),
        "not found": f"/users/{'0' * 32}/repos",
        "home": "/",
    }


def _cases():
    for name in PAGES:
        for width in WIDTHS:
            for scheme in SCHEMES:
                marks = []
                if rules := KNOWN_VIOLATIONS.get((name, width, scheme)):
                    marks.append(
                        pytest.mark.xfail(strict=True, raises=AssertionError, reason=rules)
                    )
                yield pytest.param(name, width, scheme, marks=marks, id=f"{name}-{width}-{scheme}")


@pytest.mark.parametrize(("name", "width", "scheme"), list(_cases()))
def test_page_has_no_axe_violations_with_everything_open(
    tab,  # noqa: F811
    live_server,
    pages,
    name,
    width,
    scheme,
):
    page = tab(viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    # Before the page loads: the repository page reloads itself when the scheme changes.
    page.page.emulate_media(color_scheme=scheme)

    response = page.open(live_server.url + pages[name], charts=False)

    if name == "home" and response.status == 404:
        pytest.skip("/ answers 404: there is no home page yet")
    assert response.status == (404 if name == "not found" else 200)
    page.page.wait_for_load_state("networkidle")
    page.page.evaluate(SCROLL_THROUGH)
    # A panel can hold more panels: open until nothing is left collapsed.
    for _ in range(5):
        opened = page.page.evaluate(EXPAND_ALL)
        page.page.evaluate(SETTLED)
        if not opened:
            break
    assert page.page.evaluate(STILL_COLLAPSED) == 0

    violations = axe_violations(page.page)

    assert violations == [], axe_report(violations)


AN_IMAGE_WITHOUT_ALT = """<!doctype html><html lang="en"><title>axe check</title><main>
<h1>Pictures</h1><div id="good"><img src="data:," alt="a dot"></div>
<div id="bad"><img id="no-alt" src="data:,"></div></main></html>"""


def test_axe_names_the_rule_and_the_element_and_keeps_to_include(browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_content(AN_IMAGE_WITHOUT_ALT)

    everywhere = axe_violations(page)
    only_good = axe_violations(page, include=["#good"])

    context.close()
    assert [(v.rule, v.impact, v.targets) for v in everywhere] == [
        ("image-alt", "critical", ("#no-alt",))
    ]
    assert isinstance(everywhere[0], AxeViolation)
    assert "image-alt (critical)" in axe_report(everywhere)
    assert only_good == []
