"""Shared by the page tests: URLs, the headers every page sends, and a plain 404."""

import json
import re

from repotraffic.dashboard.responses import CONTENT_SECURITY_POLICY


def page_url(token: str, repository=None) -> str:
    if repository is None:
        return f"/users/{token}/repos"
    return f"/users/{token}/repos/{repository.id}"


def share_url(key: str, repository=None) -> str:
    if repository is None:
        return f"/share/{key}/repos"
    return f"/share/{key}/repos/{repository.id}"


PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}

BAD_RANGES = [
    ("start=2024-1-1", "start must be a date in the form YYYY-MM-DD"),
    ("end=01/31/2024", "end must be a date in the form YYYY-MM-DD"),
    ("start=2021-02-30", "start is not a real date: 2021-02-30"),
    ("start=2024-02-01&end=2024-01-31", "start (2024-02-01) is after end (2024-01-31)"),
]


def assert_private(response):
    for name, value in PRIVATE_HEADERS.items():
        assert response[name] == value, name


def chart_data(response, repository) -> dict:
    """A repository's daily chart data: its traffic-<id> script, or on its own page the
    days of the repository-data script."""
    html = response.content.decode()
    match = re.search(
        rf'<script id="traffic-{repository.id}" type="application/json">(.*?)</script>', html
    )
    if match is not None:
        return json.loads(match.group(1))
    match = re.search(r'<script id="repository-data" type="application/json">(.*?)</script>', html)
    assert match is not None, f"no chart data for {repository.id} in the page"
    return json.loads(match.group(1))["days"]


def daily_dates(response) -> list[str]:
    """The dates of the repository page's daily table, as shown: newest first."""
    html = response.content.decode()
    table = html[
        html.index("Daily traffic of") : html.index("</table>", html.index("Daily traffic of"))
    ]
    return re.findall(r'<th scope="row"><time datetime="([\d-]+)">', table)


def table_dates(response) -> list[str]:
    return re.findall(r'<th scope="row"><time datetime="([\d-]+)">', response.content.decode())


def assert_plain_404(response):
    assert response.status_code == 404
    assert_private(response)
    html = response.content.decode()
    assert "Page not found" in html
    assert "rocket" not in html
    assert "Traceback" not in html
    assert "Django" not in html
