"""The pages in a real browser: Debian's chromium driven by Playwright, never a download.

Run with `pytest -m browser`. Skipped when /usr/bin/chromium is missing, except on CI
(CI=true), where a missing browser is a failure.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from repotraffic.common.tests.polling import poll_until
from repotraffic.dashboard.tests.helpers import page_url
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import TrafficDay
from repotraffic.traffic.tests.factories import traffic_days_create

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Records CSP violations; added through the DevTools protocol, so the policy allows it.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
INK_PER_CANVAS = """
() => Array.from(document.querySelectorAll(".chart-plot canvas"), (canvas) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha]) ink += 1;
  return ink;
})
"""
COLOUR_PIXELS = """
([red, green, blue]) => {
  const canvas = document.querySelector(".chart-plot canvas");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let count = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] === red && pixels[i + 1] === green && pixels[i + 2] === blue) count += 1;
  }
  return count;
}
"""
# The overview marks its charts drawn; the repository page marks itself ready.
CHARTS_READY = "html[data-overview-ready], html[data-repository-ready]"
FIRST_CANVAS_WIDTH = "document.querySelector('.chart-plot canvas').clientWidth"
LIGHT_VIEWS_GREEN = (0x1A, 0x7F, 0x37)
DARK_VIEWS_GREEN = (0x3F, 0xB9, 0x50)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing on CI: apt-get install chromium")
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API keeps an event loop running in this thread, which Django
    # would otherwise take for async code touching the test database.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Tab:
    """A page that records console errors, CSP violations and off-host requests."""

    def __init__(self, browser, live_server, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.page.add_init_script(CSP_RECORDER)
        self.errors: list[str] = []
        self.off_host: list[str] = []
        self.live_host = urlsplit(live_server.url).netloc
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("**/*", self._only_live_server)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _only_live_server(self, route) -> None:
        if urlsplit(route.request.url).netloc == self.live_host:
            route.continue_()
        else:
            self.off_host.append(route.request.url)
            route.abort()

    def open(self, url: str, *, charts: bool = True):
        response = self.page.goto(url)
        if charts:
            self.page.wait_for_selector(CHARTS_READY, timeout=10_000)
        return response

    def assert_clean(self, *, allowed_errors: tuple[str, ...] = ()) -> None:
        errors = [e for e in self.errors if not any(a in e for a in allowed_errors)]
        assert errors == []
        assert self.page.evaluate("window.__cspViolations") == []
        assert self.off_host == []

    def ink(self) -> list[int]:
        return self.page.evaluate(INK_PER_CANVAS)

    def table_dates(self) -> list[str]:
        """The daily table's dates (the first table of figures)."""
        return self.page.locator("details.daily").first.locator("tbody th time").all_inner_texts()

    def total(self, name: str) -> str:
        """The figure of a total, without its small print."""
        text = self.page.locator(f".totals div:has(dt:text-is('{name}')) dd").inner_text()
        return text.split()[0]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser, live_server):
    opened = []

    def open_tab(**context_options) -> Tab:
        new = Tab(browser, live_server, **context_options)
        opened.append(new)
        return new

    yield open_tab
    for each in opened:
        each.close()


@pytest.fixture
def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def recent(owner_and_token, today):
    """acme/recent with 400 days of traffic up to today."""
    repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="recent")
    traffic_days_create(repository=repository, start=today - dt.timedelta(days=399), days=400)
    return repository


def test_single_page_draws_both_charts_cleanly(tab, live_server, token, repository):
    page = tab(viewport={"width": 1280, "height": 900})

    response = page.open(live_server.url + page_url(token, repository))

    assert response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.page.get_attribute("html", "data-repository-ready") == "true"
    ink = page.ink()
    assert len(ink) == 2
    assert all(pixels > 1000 for pixels in ink), ink
    assert page.page.locator("link[href*='vendor/uplot/uPlot.min.css']").count() == 1
    assert page.page.evaluate("typeof uPlot") == "function"
    page.assert_clean()


def test_hovering_shows_the_days_figures_in_the_legend(tab, live_server, token, repository):
    page = tab(viewport={"width": 1280, "height": 900})
    page.open(live_server.url + page_url(token, repository))
    legend = page.page.locator("figure:has([data-metric='views']) .legend-item")
    # Away from the cursor, the legend shows the latest day.
    assert legend.first.text_content().endswith("(2024-02-29)")
    box = page.page.locator(".chart-plot[data-metric='views'] .u-over").bounding_box()

    page.page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)

    expect(legend.first).not_to_contain_text("2024-02-29")
    # "Views: 12 (2024-01-30)", "Unique visitors: 5 (2024-01-30)"
    (views, date), (unique_views, _) = (
        text.split(": ")[1].rstrip(")").split(" (") for text in legend.all_text_contents()
    )
    assert "2024-01-25" <= date <= "2024-02-05"
    page.page.locator("details.daily summary").first.click()
    row = page.page.locator(f"details.daily tr:has(time[datetime='{date}']) td")
    assert row.all_inner_texts()[:2] == [views, unique_views]
    page.assert_clean()


def test_a_partial_day_is_marked_and_the_legend_shows_the_latest_complete_day(
    tab, live_server, token, owner_and_token, today
):
    repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="today")
    traffic_days_create(repository=repository, start=today - dt.timedelta(days=9), days=10)
    TrafficDay.objects.filter(repository=repository, date=today).update(partial=True)
    page = tab(viewport={"width": 1280, "height": 900})

    page.open(live_server.url + page_url(token, repository))

    legend = page.page.locator("figure:has([data-metric='views']) .legend-item")
    assert legend.first.text_content().endswith(f"({(today - dt.timedelta(days=1)).isoformat()})")
    page.page.locator("details.daily summary").first.click()
    expect(page.page.locator("details.daily").first.locator("tr.partial time")).to_have_text(
        [today.isoformat()]
    )
    page.assert_clean()


def test_filter_form_and_presets_change_the_url_and_the_data(
    tab, live_server, token, recent, today
):
    page = tab(viewport={"width": 1280, "height": 900})
    page.open(live_server.url + page_url(token, recent))
    assert page.total("Days") == "400"

    page.page.fill("input[name=start]", (today - dt.timedelta(days=9)).isoformat())
    page.page.fill("input[name=end]", (today - dt.timedelta(days=5)).isoformat())
    with page.page.expect_navigation():
        page.page.click("button[type=submit]")
    page.page.wait_for_selector(CHARTS_READY)

    assert f"start={(today - dt.timedelta(days=9)).isoformat()}" in page.page.url
    assert len(page.table_dates()) == 5
    assert page.total("Days") == "5"

    for label, days in [("Last 14 days", 14), ("30 days", 30), ("1 year", 365), ("All", 400)]:
        with page.page.expect_navigation():
            page.page.click(f".presets a:text-is('{label}')")
        page.page.wait_for_selector(CHARTS_READY)
        assert len(page.table_dates()) == days, label
        assert page.total("Days") == str(days)
        assert page.page.get_attribute(f".presets a:text-is('{label}')", "aria-current")
    assert "start=" not in page.page.url

    page.page.fill("input[name=start]", today.isoformat())
    with page.page.expect_navigation():
        page.page.click("button[type=submit]")
    assert len(page.table_dates()) == 1
    with page.page.expect_navigation():
        page.page.click("a:text-is('Reset')")
    assert urlsplit(page.page.url).query == ""
    assert len(page.table_dates()) == 400
    page.assert_clean()


def test_bad_range_page_shows_its_message(tab, live_server, token, repository):
    page = tab(viewport={"width": 390, "height": 844})

    response = page.open(
        live_server.url + page_url(token, repository) + "?start=2021-02-30", charts=False
    )

    assert response.status == 400
    assert page.page.locator("[role=alert]").inner_text() == "start is not a real date: 2021-02-30."
    assert page.page.locator("form.filter input[type=date]").count() == 2
    page.assert_clean(allowed_errors=("status of 400",))


# The overview in the browser: test_overview_browser.py.


def test_charts_follow_the_width_down_to_a_phone(tab, live_server, token, repository):
    page = tab(viewport={"width": 1280, "height": 900})
    page.open(live_server.url + page_url(token))
    wide = page.page.evaluate(FIRST_CANVAS_WIDTH)

    page.page.set_viewport_size({"width": 390, "height": 844})
    # Polled from Python: page.wait_for_function would need 'unsafe-eval' under our CSP.
    poll_until(
        lambda: page.page.evaluate(FIRST_CANVAS_WIDTH) < wide - 30, what="the chart to narrow"
    )

    fits = (
        "[...document.querySelectorAll('.chart-plot')].every(p => p.scrollWidth <= p.clientWidth)"
    )
    assert page.page.evaluate(fits)
    assert page.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert all(pixels > 500 for pixels in page.ink())
    page.assert_clean()


def test_charts_follow_the_system_colour_scheme(tab, live_server, token, repository):
    page = tab(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page.open(live_server.url + page_url(token, repository))
    assert page.page.evaluate(COLOUR_PIXELS, list(LIGHT_VIEWS_GREEN)) > 0
    assert page.page.evaluate(COLOUR_PIXELS, list(DARK_VIEWS_GREEN)) == 0

    page.page.emulate_media(color_scheme="dark")
    poll_until(
        lambda: page.page.evaluate(COLOUR_PIXELS, list(DARK_VIEWS_GREEN)) > 0,
        what="the dark palette's green",
    )

    assert page.page.evaluate(COLOUR_PIXELS, list(DARK_VIEWS_GREEN)) > 0
    assert page.page.evaluate(COLOUR_PIXELS, list(LIGHT_VIEWS_GREEN)) == 0
    page.assert_clean()


LAYOUT_SHIFTS = """
window.__layoutShifts = [];
new PerformanceObserver((list) => {
  list.getEntries().forEach((entry) => {
    const moved = entry.sources.map((source) => source.node?.id || source.node?.className);
    window.__layoutShifts.push(`${entry.value.toFixed(4)} ${moved.join(", ")}`);
  });
}).observe({ type: "layout-shift", buffered: true });
"""
TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@pytest.mark.parametrize("which", ["overview", "repository"])
def test_nothing_moves_on_a_phone_as_the_scripts_fill_the_page_in(
    tab, live_server, token, owner_and_token, today, which
):
    # Over two years of days: the repository page's "Auto" interval says "(months)", its
    # widest, and the overview's chart has the legend of a month.
    long = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="long")
    traffic_days_create(repository=long, start=today - dt.timedelta(days=799), days=800)
    page = tab(viewport={"width": 390, "height": 844})
    page.page.add_init_script(LAYOUT_SHIFTS)

    page.open(live_server.url + (page_url(token) if which == "overview" else page_url(token, long)))
    page.page.evaluate(TWO_FRAMES)

    assert page.page.evaluate("window.__layoutShifts") == []
    page.assert_clean()
