"""The single-repository page in a real browser (Debian's chromium, Playwright): every
interaction a person has with it. Run with `pytest -m browser`."""

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from repotraffic.dashboard.tests import test_views_browser
from repotraffic.dashboard.tests.axe import axe_report, axe_violations
from repotraffic.dashboard.tests.helpers import page_url, share_url
from repotraffic.dashboard.tests.test_repository_page import seed_extras
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import collect_services
from repotraffic.traffic.models import TrafficDay
from repotraffic.traffic.tests.factories import traffic_days_create

pytestmark = pytest.mark.browser


# The browser tests' chromium (a module fixture) and tab.
browser = test_views_browser.browser
Tab = test_views_browser.Tab


@pytest.fixture
def page(browser, live_server):
    """A tab (test_views_browser.Tab: console errors, CSP violations and off-host requests
    fail the test) at 1280 px that accepts downloads; `page.errors` is its error list."""
    tab = Tab(browser, live_server, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab.page.errors = tab.errors
    yield tab.page
    tab.assert_clean()
    tab.close()


def open_page(tab, url: str) -> None:
    tab.goto(url)
    tab.wait_for_selector("html[data-repository-ready]", timeout=10_000)


def legend_texts(tab, metric: str) -> list[str]:
    return tab.locator(f"figure:has([data-metric='{metric}']) .legend-item").all_text_contents()


def drag(tab, metric: str, start: float, end: float) -> None:
    over = tab.locator(f"[data-metric='{metric}'] .u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    y = box["y"] + box["height"] / 2
    # Hover first and let uPlot take the plot's position after any scroll.
    tab.mouse.move(box["x"] + box["width"] * start, y)
    tab.wait_for_timeout(100)
    tab.mouse.move(box["x"] + box["width"] * start + 1, y)
    tab.mouse.down()
    tab.mouse.move(box["x"] + box["width"] * (start + end) / 2, y, steps=4)
    tab.mouse.move(box["x"] + box["width"] * end, y, steps=4)
    tab.mouse.up()


@pytest.fixture
def seeded(repository):
    seed_extras(repository)
    return repository


@pytest.fixture
def long_history(owner_and_token):
    """acme/old with 400 days of traffic from 2023-01-02 (a Monday)."""
    repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="old")
    traffic_days_create(repository=repository, start=dt.date(2023, 1, 2), days=400)
    return repository


def test_sixty_days_draw_by_day_with_both_charts_and_their_legends(
    page, live_server, token, seeded
):
    open_page(page, live_server.url + page_url(token, seeded))

    assert page.locator("[data-traffic-charts]").get_attribute("data-interval") == "day"
    assert page.locator("[data-auto-interval]").inner_text() == "(days)"
    assert page.locator("[data-metric] canvas").count() == 2
    views = legend_texts(page, "views")
    assert views[0].startswith("Views: ") and views[1].startswith("Unique visitors: ")
    # Every other chart on the page: a referrer's rolling figures, stars, downloads.
    assert page.locator("[data-popular-plot] canvas").count() == 2
    assert page.locator("[data-stars-plot] canvas").count() == 1
    assert page.locator("[data-downloads-plot] canvas").count() == 1


def test_a_long_history_is_drawn_by_week_and_the_switch_overrides_it(
    page, live_server, token, long_history
):
    open_page(page, live_server.url + page_url(token, long_history))
    charts = page.locator("[data-traffic-charts]")
    assert charts.get_attribute("data-interval") == "week"
    assert page.locator("input[name=average]").is_disabled()  # days only

    page.get_by_label("Months").check()
    expect(charts).to_have_attribute("data-interval", "month")
    # No monthly uniques: GitHub gives none and daily ones do not add up.
    assert [text.split(":")[0] for text in legend_texts(page, "views")] == ["Views"]

    page.get_by_label("Days").check()
    expect(charts).to_have_attribute("data-interval", "day")


def test_the_moving_average_adds_a_dashed_series(page, live_server, token, seeded):
    open_page(page, live_server.url + page_url(token, seeded))

    page.get_by_label("7-day average").check()

    expect(page.locator("figure:has([data-metric='views']) .legend-item")).to_have_count(3)
    assert legend_texts(page, "views")[2].startswith("7-day average: ")
    page.get_by_label("7-day average").uncheck()
    expect(page.locator("figure:has([data-metric='views']) .legend-item")).to_have_count(2)


def test_the_log_scale_redraws_the_charts(page, live_server, token, seeded):
    open_page(page, live_server.url + page_url(token, seeded))
    before = page.locator("[data-metric='views'] canvas").screenshot()

    page.get_by_label("Log scale").check()

    page.wait_for_timeout(100)
    assert page.locator("[data-metric='views'] canvas").screenshot() != before


def test_a_zoom_writes_the_url_both_charts_follow_and_reload_and_back_keep_it(
    page, live_server, token, seeded
):
    url = live_server.url + page_url(token, seeded)
    open_page(page, url)
    reset = page.locator("[data-zoom-reset]")
    assert reset.is_disabled()

    drag(page, "views", 0.25, 0.5)

    # Playwright learns of a pushState a moment later.
    page.wait_for_url(re.compile(r"\?start=.*&end="))
    query = parse_qs(urlsplit(page.url).query)
    assert set(query) == {"start", "end"}
    start, end = query["start"][0], query["end"][0]
    assert "2024-01-10" <= start < end <= "2024-02-05"
    assert reset.is_enabled()
    # Both charts show the same dates.
    views = page.locator("[data-metric='views']").get_attribute("data-x-range")
    clones = page.locator("[data-metric='clones']").get_attribute("data-x-range")
    assert views == clones == f"{start}/{end}"

    page.reload()
    page.wait_for_selector("html[data-repository-ready]")
    first_row = page.locator("details.daily tbody tr").first.locator("time").text_content()
    assert first_row == end  # the server's range: the zoom survives a reload

    page.go_back()
    expect(page).to_have_url(url)
    page.wait_for_selector("html[data-repository-ready]")
    assert page.locator("details.daily").first.locator("tbody tr").count() == 60


def test_reset_zoom_returns_to_the_loaded_range(page, live_server, token, seeded):
    url = live_server.url + page_url(token, seeded)
    open_page(page, url)
    drag(page, "clones", 0.1, 0.3)
    page.wait_for_url(re.compile(r"\?start="))

    page.locator("[data-zoom-reset]").click()

    expect(page).to_have_url(url)
    assert page.locator("[data-zoom-reset]").is_disabled()


def test_reset_zoom_after_reloading_a_zoomed_address_shows_every_day(
    page, live_server, token, seeded
):
    url = live_server.url + page_url(token, seeded)
    open_page(page, url)
    drag(page, "views", 0.25, 0.5)
    page.wait_for_url(re.compile(r"\?start=.*&end="))
    page.reload()
    page.wait_for_selector("html[data-repository-ready]")
    assert page.locator("details.daily").first.locator("tbody tr").count() < 60

    reset = page.locator("[data-zoom-reset]")
    expect(reset).to_be_enabled()
    reset.click()

    expect(page).to_have_url(url)
    page.wait_for_selector("html[data-repository-ready]")
    assert page.locator("details.daily").first.locator("tbody tr").count() == 60
    expect(page.locator("[data-zoom-reset]")).to_be_disabled()
    # Back returns to the zoom.
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?start=.*&end="))


def test_the_interval_switch_is_kept_in_the_url_through_zoom_reload_and_back(
    page, live_server, token, long_history
):
    url = live_server.url + page_url(token, long_history)
    open_page(page, url)
    charts = page.locator("[data-traffic-charts]")
    expect(charts).to_have_attribute("data-interval", "week")

    page.get_by_label("Months").check()

    page.wait_for_url(re.compile(r"\?interval=month$"))
    expect(charts).to_have_attribute("data-interval", "month")
    # The date filter keeps it: its links carry it and its form sends it.
    preset = page.locator("form.filter .presets a").first
    assert parse_qs(urlsplit(preset.get_attribute("href")).query)["interval"] == ["month"]
    page.reload()
    page.wait_for_selector("html[data-repository-ready]")
    expect(charts).to_have_attribute("data-interval", "month")
    expect(page.get_by_label("Months")).to_be_checked()

    drag(page, "views", 0.2, 0.6)
    page.wait_for_url(re.compile(r"start=.*&end="))
    query = parse_qs(urlsplit(page.url).query)
    assert query["interval"] == ["month"] and set(query) == {"start", "end", "interval"}
    page.reload()
    page.wait_for_selector("html[data-repository-ready]")
    # The server still reads start and end next to it.
    first_row = page.locator("details.daily tbody tr").first.locator("time").text_content()
    assert first_row == query["end"][0]
    expect(page.get_by_label("Months")).to_be_checked()

    page.go_back()
    expect(page).to_have_url(url + "?interval=month")
    page.go_back()
    expect(page).to_have_url(url)
    expect(page.get_by_label("Auto")).to_be_checked()
    expect(charts).to_have_attribute("data-interval", "week")
    assert preset.get_attribute("href").find("interval") == -1


def test_the_cursor_is_shared_between_the_charts(page, live_server, token, seeded):
    open_page(page, live_server.url + page_url(token, seeded))
    latest_views = legend_texts(page, "views")[0]
    latest_clones = legend_texts(page, "clones")[0]
    over = page.locator("[data-metric='views'] .u-over")
    over.scroll_into_view_if_needed()
    box = over.bounding_box()

    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)

    expect(page.locator("figure:has([data-metric='views']) .legend-item").first).not_to_have_text(
        latest_views
    )
    expect(page.locator("figure:has([data-metric='clones']) .legend-item").first).not_to_have_text(
        latest_clones
    )
    cursors = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-metric] .u-cursor-x'),"
        " (line) => line.style.transform)"
    )
    assert len(cursors) == 2 and cursors[0] == cursors[1] and cursors[0]


def test_legend_toggles_work_from_the_keyboard(page, live_server, token, seeded):
    open_page(page, live_server.url + page_url(token, seeded))
    unique = page.locator("figure:has([data-metric='views']) .legend-item").nth(1)
    unique.focus()

    page.keyboard.press("Enter")
    expect(unique).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Space")
    expect(unique).to_have_attribute("aria-pressed", "true")


def test_the_latest_figure_leaves_a_partial_day_out(page, live_server, token, seeded):
    TrafficDay.objects.filter(repository=seeded, date=dt.date(2024, 2, 29)).update(
        partial=True, views=1
    )
    open_page(page, live_server.url + page_url(token, seeded))

    assert "(2024-02-28)" in legend_texts(page, "views")[0]


def test_tables_sort_and_scroll_from_the_keyboard(page, live_server, token, seeded):
    open_page(page, live_server.url + page_url(token, seeded))
    page.locator("details.daily summary").first.click()
    table = page.locator("details.daily table").first
    dates = table.locator("tbody th time").all_inner_texts()
    assert dates == sorted(dates, reverse=True)

    table.get_by_role("button", name="Views", exact=True).click()
    views = [int(text) for text in table.locator("tbody tr td:nth-of-type(1)").all_inner_texts()]
    assert views == sorted(views, reverse=True)
    assert table.locator("th[aria-sort]").inner_text().startswith("Views")
    table.get_by_role("button", name="Views", exact=True).click()
    views = [int(text) for text in table.locator("tbody tr td:nth-of-type(1)").all_inner_texts()]
    assert views == sorted(views)

    scroller = page.locator("details.daily .table-scroll").first
    scroller.focus()
    page.keyboard.press("PageDown")
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    page.wait_for_function("() => document.activeElement.scrollTop > 0")


def test_choosing_a_referrer_draws_its_rolling_series(page, live_server, token, seeded):
    open_page(page, live_server.url + page_url(token, seeded))
    section = page.locator("[data-popular='referrers']")
    legend = section.locator(".legend-item").first
    assert legend.text_content().startswith("Views, 14 days: 30")

    section.get_by_label("Rolling 14-day figures of").select_option(label="docs.example.com")

    expect(legend).to_contain_text("Views, 14 days: 7")


def test_exports_download_in_the_page_space(page, live_server, token, seeded, repository_share_key):
    open_page(page, live_server.url + share_url(repository_share_key, seeded))

    with page.expect_download() as json_download:
        page.get_by_role("link", name="Everything, JSON Lines").click()
    lines = Path(json_download.value.path()).read_text().splitlines()
    assert json.loads(lines[0])["format"] == "repotraffic-archive"
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Daily traffic, CSV").click()
    assert csv_download.value.suggested_filename == "acme-rocket-day.csv"
    assert Path(csv_download.value.path()).read_text().startswith("date,views,")
    assert page.locator("button[data-collect-url]").count() == 0


def test_collect_now_queues_and_then_says_when_to_try_again(
    page, live_server, token, seeded, monkeypatch, settings
):
    queued = []
    # The service's queueing, not the Celery task object: under xdist another test's app
    # can stand behind the task's proxy by the time the live server calls it.
    monkeypatch.setattr(
        collect_services,
        "traffic_fetch_repository_queue",
        lambda *, repository_id: queued.append((str(repository_id),)),
    )
    settings.REPOTRAFFIC_THROTTLE_COLLECT_NOW = "1/hour"
    open_page(page, live_server.url + page_url(token, seeded))
    button = page.get_by_role("button", name="Collect now")
    answer = page.locator(".collect-answer")

    button.click()
    expect(answer).to_contain_text("Queued")
    assert queued == [(str(seeded.id),)]

    button.click()
    expect(answer).to_contain_text("Too many requests of this kind: try again in")
    assert len(queued) == 1
    # The browser logs the refused request itself; that is the answer shown, not a fault.
    page.errors[:] = [error for error in page.errors if "429" not in error]


def test_a_failing_repository_shows_its_error_in_place_of_the_charts_and_passes_axe(
    page, live_server, token, owner_and_token
):
    failed_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    broken = RepositoryFactory.create(
        user=owner_and_token[0],
        owner="acme",
        name="broken",
        collection__last_attempt_at=failed_at,
        collection__last_error_at=failed_at,
        collection__last_error="The token has no push access to acme/broken.",
    )

    open_page(page, live_server.url + page_url(token, broken))

    traffic = page.locator("section[aria-labelledby='traffic-title']")
    expect(traffic.locator(".collection-error")).to_contain_text("no push access to acme/broken")
    expect(traffic.locator(".collection-error")).to_contain_text("Next attempt:")
    assert traffic.locator("canvas").count() == 0
    violations = axe_violations(page)
    assert violations == [], axe_report(violations)


# --- issue 10's review of the pages --------------------------------------------------

# Pixels drawn (alpha > 0) in the canvas's first two columns of each chart: y-axis labels
# wider than their axis are cut off there.
LEFT_EDGE_INK = """(selector) => Array.from(document.querySelectorAll(selector), (canvas) => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, 2, canvas.height);
  let ink = 0;
  for (let i = 3; i < data.length; i += 4) ink += data[i] > 0 ? 1 : 0;
  return ink;
})"""


def test_y_axis_labels_of_big_figures_are_not_cut_off(page, live_server, token, owner_and_token):
    busy = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="busy")
    traffic_days_create(
        repository=busy, start=dt.date(2023, 1, 2), days=800, views=90_000, clones=1_234
    )

    for interval in ("month", "day"):
        open_page(page, live_server.url + page_url(token, busy) + f"?interval={interval}")
        assert page.evaluate(LEFT_EDGE_INK, "[data-metric] canvas") == [0, 0]
        # Both plots start at the same x: the shared cursor lines up.
        lefts = page.evaluate(
            "() => Array.from(document.querySelectorAll('[data-metric] .u-over'),"
            " (over) => over.getBoundingClientRect().left)"
        )
        assert lefts[0] == lefts[1]


def test_legends_name_weeks_and_months_in_words(page, live_server, token, long_history):
    open_page(page, live_server.url + page_url(token, long_history) + "?interval=month")
    # The last complete month of 2023-01-02 + 400 days (the last one is cut short).
    assert legend_texts(page, "views")[0] == "Views: 310 (Jan 2024)"

    page.get_by_label("Weeks").check()
    expect(page.locator(".legend-item").first).to_have_text(
        re.compile(r"^Views: [\d,]+ \(week of \d{1,2} [A-Z][a-z]{2} 2024\)$")
    )


def test_without_uniques_the_caption_leaves_them_out_and_the_legend_says_why(
    page, live_server, token, long_history
):
    open_page(page, live_server.url + page_url(token, long_history) + "?interval=month")
    views = page.locator("figure:has([data-metric='views'])")

    expect(views.locator("figcaption")).to_have_text("Views", use_inner_text=True)
    expect(views.locator(".legend-note")).to_have_text(
        "Unique visitors: GitHub gives none by month"
    )

    # Weekly uniques are GitHub's own, for whole weeks (TrafficWeek): none here.
    page.get_by_label("Weeks").check()
    expect(views.locator(".legend-note")).to_have_text(
        "Unique visitors: none from GitHub for these weeks"
    )

    page.get_by_label("Days").check()
    expect(views.locator("figcaption")).to_have_text(
        "Views and unique visitors", use_inner_text=True
    )
    assert views.locator(".legend-note").count() == 0


def test_no_empty_band_under_the_charts(page, live_server, token, seeded):
    open_page(page, live_server.url + page_url(token, seeded))

    for selector in ("[data-metric='views']", "[data-stars-plot]", "[data-popular-plot]"):
        plot = page.locator(selector).first.bounding_box()
        drawn = page.locator(f"{selector} .uplot").first.bounding_box()
        assert plot["y"] + plot["height"] - (drawn["y"] + drawn["height"]) < 2, selector


def test_reset_zoom_looks_disabled_in_dark_mode(browser, live_server, token, seeded):
    tab = Tab(browser, live_server, viewport={"width": 1280, "height": 900}, color_scheme="dark")
    open_page(tab.page, live_server.url + page_url(token, seeded))
    reset = tab.page.locator("[data-zoom-reset]")
    apply = tab.page.get_by_role("button", name="Apply")

    assert reset.is_disabled()
    style = "(element) => getComputedStyle(element).backgroundColor"
    assert reset.evaluate(style) == "rgba(0, 0, 0, 0)"  # an outline, not a filled button
    assert apply.evaluate(style) != "rgba(0, 0, 0, 0)"
    tab.assert_clean()
    tab.close()
