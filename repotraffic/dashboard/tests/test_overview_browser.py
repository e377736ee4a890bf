"""The overview in a real browser (Debian's chromium through Playwright): the combined
chart, and sorting and searching the table by mouse and by keyboard."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from repotraffic.dashboard.tests import test_views_browser
from repotraffic.dashboard.tests.helpers import page_url, share_url
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.tests.factories import traffic_days_create

pytestmark = pytest.mark.browser

# The page tests' fixtures: Debian's chromium, and tabs that record errors.
browser = test_views_browser.browser
tab = test_views_browser.tab

WIDE = {"viewport": {"width": 1280, "height": 900}}
ROW_NAMES = ".overview-table tbody tr:not([hidden]) th a"


@pytest.fixture
def repositories(owner_and_token):
    """Four repositories: alpha (1 view a day), bravo (5), charlie (3), and a failing one
    without traffic."""
    user = owner_and_token[0]
    for name, views in (("alpha", 1), ("bravo", 5), ("charlie", 3)):
        repository = RepositoryFactory.create(user=user, owner="acme", name=name)
        traffic_days_create(
            repository=repository, start=dt.date(2024, 1, 1), days=200, views=views, clones=1
        )
    RepositoryFactory.create(
        user=user, owner="acme", name="delta", collection__last_error="acme/delta was not found"
    )


def names(page) -> list[str]:
    return [text.removeprefix("acme/") for text in page.page.locator(ROW_NAMES).all_inner_texts()]


def sort_state(page) -> dict[str, str]:
    cells = page.page.locator(".overview-table thead th[aria-sort]")
    return {cells.nth(i).inner_text().strip(): cells.nth(i).get_attribute("aria-sort")
            for i in range(cells.count())}  # fmt: skip


def test_draws_the_combined_chart_and_the_sparklines(tab, live_server, token, repositories):
    page = tab(**WIDE)

    response = page.open(live_server.url + page_url(token))

    assert response.status == 200
    assert page.page.get_attribute("html", "data-overview-ready") == "true"
    (ink,) = page.ink()
    assert ink > 1000
    # 200 days: weeks, each Monday's week; the legend shows the latest complete one.
    legend = page.page.locator("#overview-legend .legend-value")
    assert "(week of " in legend.first.inner_text()
    assert page.page.locator(".overview-table .spark polyline").count() == 3
    # Failing first, then by views.
    assert names(page) == ["delta", "bravo", "charlie", "alpha"]
    page.assert_clean()


def test_sorting_by_a_column_and_back(tab, live_server, token, repositories):
    page = tab(**WIDE)
    page.open(live_server.url + page_url(token))
    views = page.page.get_by_role("button", name="Views", exact=True)

    views.click()
    assert names(page) == ["bravo", "charlie", "alpha", "delta"]
    assert sort_state(page) == {"Views": "descending"}
    views.click()
    assert names(page) == ["delta", "alpha", "charlie", "bravo"]
    assert sort_state(page) == {"Views": "ascending"}
    page.page.get_by_role("button", name="Repository").click()
    assert names(page) == ["alpha", "bravo", "charlie", "delta"]
    assert sort_state(page) == {"Repository": "ascending"}
    page.page.get_by_role("button", name="Status").click()  # back to failing first
    assert names(page)[0] == "delta"
    page.assert_clean()


def test_search_narrows_the_rows_without_a_reload(tab, live_server, token, repositories):
    page = tab(**WIDE)
    page.open(live_server.url + page_url(token))
    page.page.evaluate("window.__notReloaded = true")

    page.page.get_by_label("Search repositories").fill("ar")

    assert names(page) == ["charlie"]
    expect(page.page.locator("#overview-count")).to_have_text("1 of 4 shown")
    page.page.get_by_label("Search repositories").fill("")
    assert len(names(page)) == 4
    assert page.page.evaluate("window.__notReloaded") is True
    page.assert_clean()


def test_sorting_and_search_work_from_the_keyboard(tab, live_server, token, repositories):
    page = tab(**WIDE)
    page.open(live_server.url + page_url(token))

    page.page.get_by_role("button", name="Clones", exact=True).focus()
    page.page.keyboard.press("Enter")
    assert sort_state(page) == {"Clones": "descending"}
    page.page.keyboard.press("Space")
    assert sort_state(page) == {"Clones": "ascending"}
    # From the search box, Tab leads into the table's scrolling region, then its buttons.
    page.page.get_by_label("Search repositories").focus()
    page.page.keyboard.type("alp")
    assert names(page) == ["alpha"]
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.getAttribute('role')") == "region"
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.textContent").strip() == "Repository"
    page.page.keyboard.press("Enter")
    assert sort_state(page) == {"Repository": "ascending"}
    page.assert_clean()


def test_a_row_opens_its_repository_in_one_click(tab, live_server, token, repositories):
    page = tab(**WIDE)
    page.open(live_server.url + page_url(token) + "?start=2024-02-01")

    with page.page.expect_navigation():
        page.page.get_by_role("link", name="acme/bravo").click()

    assert "/repos/" in page.page.url and page.page.url.endswith("?start=2024-02-01")
    assert page.page.locator("h1").inner_text() == "acme/bravo"


def test_the_share_space_draws_the_same_without_the_token(
    tab, live_server, token, share_key, repositories
):
    page = tab(**WIDE)

    page.open(live_server.url + share_url(share_key))

    assert page.page.get_attribute("html", "data-overview-ready") == "true"
    assert page.page.locator("#overview-chart canvas").count() == 1
    assert token not in page.page.content()
    assert page.page.locator(f"a[href*='/share/{share_key}/repos/']").count() == 4
    page.assert_clean()


def test_fits_a_phone(tab, live_server, token, repositories):
    page = tab(viewport={"width": 390, "height": 844})

    page.open(live_server.url + page_url(token))

    assert page.page.evaluate("document.documentElement.scrollWidth") <= 390
    (ink,) = page.ink()
    assert ink > 500
    page.assert_clean()


# --- issue 10's review of the pages --------------------------------------------------

# Pixels drawn (alpha > 0) in the chart canvas's first two columns: y-axis labels wider
# than their axis are cut off there.
LEFT_EDGE_INK = """() => {
  const canvas = document.querySelector("#overview-chart canvas");
  const { data } = canvas.getContext("2d").getImageData(0, 0, 2, canvas.height);
  let ink = 0;
  for (let i = 3; i < data.length; i += 4) ink += data[i] > 0 ? 1 : 0;
  return ink;
}"""


def test_the_y_axis_has_room_for_millions(tab, live_server, token, owner_and_token):
    for name in ("big", "bigger"):
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name=name)
        traffic_days_create(
            repository=repository, start=dt.date(2024, 1, 1), days=200, views=900_000, clones=9
        )
    page = tab(**WIDE)

    page.open(live_server.url + page_url(token))

    assert page.page.evaluate(LEFT_EDGE_INK) == 0
    page.assert_clean()


def test_a_bucket_cut_short_by_the_range_is_marked_partial(tab, live_server, token, repositories):
    page = tab(**WIDE)
    # From a Wednesday: the range holds 5 days of the week of Monday 1 January.
    page.open(live_server.url + page_url(token) + "?start=2024-01-03&end=2024-07-18")
    over = page.page.locator("#overview-chart .u-over").bounding_box()

    page.page.mouse.move(over["x"] + 1, over["y"] + over["height"] / 2)

    values = page.page.locator("#overview-legend .legend-value")
    # Its figures are the part's, from the server (1 + 5 + 3 views a day, 5 days).
    expect(values.first).to_have_text("45 (week of 1 Jan 2024, partial)")
    page.assert_clean()


def test_a_failing_repository_is_marked_beside_its_name_on_a_phone(
    tab, live_server, token, repositories
):
    page = tab(viewport={"width": 390, "height": 844})
    page.open(live_server.url + page_url(token))
    badge = page.page.locator(".overview-table tr.failing .status-badge")

    expect(badge).to_be_visible()
    assert badge.inner_text() == "failing"
    box = badge.bounding_box()
    assert box["x"] + box["width"] <= 390  # seen without scrolling sideways
    assert page.page.locator(".overview-table .status-badge").count() == 1  # delta only

    wide = tab(**WIDE)
    wide.open(live_server.url + page_url(token))
    # The status column is in view: no second mark.
    expect(wide.page.locator(".overview-table .status-badge")).to_be_hidden()
    page.assert_clean()
    wide.assert_clean()


def test_a_new_users_empty_overview_leads_to_adding_a_repository(tab, live_server, token):
    page = tab(viewport={"width": 390, "height": 844})
    page.open(live_server.url + page_url(token), charts=False)
    page.page.wait_for_selector("#manage[data-loaded]")

    # Nothing to filter or share yet.
    assert page.page.locator("form.filter").count() == 0
    assert page.page.locator("#manage-links-section").is_hidden()
    # The URL field's hint fits in it.
    field = page.page.locator("#manage-add-url")
    fits = field.evaluate(
        """(input) => {
          const style = getComputedStyle(input);
          const context = document.createElement("canvas").getContext("2d");
          context.font = `${style.fontSize} ${style.fontFamily}`;
          const room = input.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          return context.measureText(input.placeholder).width <= room;
        }"""
    )
    assert fits

    page.page.get_by_role("link", name="Add a repository").click()

    expect(field).to_be_focused()
    page.assert_clean()


def test_the_chart_legend_works_from_the_keyboard(tab, live_server, token, repositories):
    page = tab(**WIDE)
    page.open(live_server.url + page_url(token))
    clones = page.page.locator("#overview-legend button", has_text="Clones")

    clones.focus()
    page.page.keyboard.press("Enter")

    assert clones.get_attribute("aria-pressed") == "false"
    page.page.keyboard.press("Space")
    assert clones.get_attribute("aria-pressed") == "true"


def test_a_drag_across_the_chart_opens_the_page_for_those_dates(
    tab, live_server, token, repositories
):
    page = tab(**WIDE)
    page.open(live_server.url + page_url(token))
    box = page.page.locator("#overview-chart .u-over").bounding_box()
    assert box is not None

    with page.page.expect_navigation():
        page.page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
        page.page.mouse.down()
        page.page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
        page.page.mouse.up()

    query = parse_qs(urlsplit(page.page.url).query)
    start, end = dt.date.fromisoformat(query["start"][0]), dt.date.fromisoformat(query["end"][0])
    # 200 days from 2024-01-01: about a third of the way to two thirds.
    assert dt.date(2024, 2, 1) < start < end < dt.date(2024, 6, 1)
    caption = page.page.locator(".overview-table caption").inner_text()
    assert f"from {start.isoformat()} to {end.isoformat()}" in caption


# Pixels of the clones' colour in the top 40% of the chart's canvas.
CLONES_INK_HIGH = """() => {
  const canvas = document.querySelector("#overview-chart canvas");
  const hex = getComputedStyle(document.documentElement)
    .getPropertyValue("--chart-unique").trim().replace("#", "");
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const rows = Math.floor(canvas.height * 0.4);
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, rows);
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    const near = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b);
    if (data[i + 3] > 200 && near < 60) ink += 1;
  }
  return ink;
}"""


def test_clones_far_below_views_keep_their_shape_on_their_own_axis(
    tab, live_server, token, owner_and_token
):
    repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="big")
    traffic_days_create(
        repository=repository, start=dt.date(2024, 1, 1), days=200, views=900_000, clones=9
    )
    page = tab(**WIDE)

    page.open(live_server.url + page_url(token))

    # On the views' axis, 9 clones a day against 900,000 views would lie on the floor.
    assert page.page.evaluate(CLONES_INK_HIGH) > 50
    expect(page.page.locator("#overview-legend")).to_contain_text("Clones (right axis)")


def test_on_a_phone_names_stay_in_view_while_the_table_scrolls_sideways(
    tab, live_server, token, repositories
):
    page = tab(viewport={"width": 390, "height": 844})
    page.open(live_server.url + page_url(token))
    expect(page.page.locator(".overview-scroll-hint")).to_be_visible()
    name = page.page.locator(".overview-table tbody th[scope=row]").first
    status = page.page.locator(".overview-table tbody td.status").first
    before = name.bounding_box()
    assert before is not None

    page.page.locator(".overview-scroll").evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")

    name_box, status_box = name.bounding_box(), status.bounding_box()
    assert name_box is not None and status_box is not None
    assert name_box["x"] == pytest.approx(before["x"], abs=1)  # it stayed where it was
    assert status_box["x"] + status_box["width"] <= 390  # and the status came into view
