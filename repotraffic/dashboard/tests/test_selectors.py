import datetime as dt
import json

import pytest
from django.template import engines

from repotraffic.common.dates import DateRange
from repotraffic.dashboard.selectors import (
    PageGrant,
    TrafficTotals,
    date_presets,
    page_grant_by_share_key,
    page_grant_by_token,
    repository_for_page_get,
    traffic_chart_build,
    traffic_chart_data,
    traffic_totals,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.tests.factories import share_link_with_key
from repotraffic.users.tests.factories import user_with_token


def day(date: str, views: int = 0, clones: int = 0, *, partial: bool = False) -> dict:
    return {"date": date, "views": views, "unique_views": views // 2, "clones": clones,
            "unique_clones": clones // 2, "partial": partial}  # fmt: skip


class TestTrafficChart:
    def test_parallel_arrays_from_the_first_days_epoch_seconds(self):
        rows = [
            day("2024-01-01", 3, 1),
            day("2024-01-02", 0, 0),
            day("2024-01-03", 5, 2, partial=True),
        ]

        chart = traffic_chart_data(rows=rows)

        assert chart == {
            "start": 1704067200,
            "views": [3, 0, 5],
            "unique_views": [1, 0, 2],
            "clones": [1, 0, 2],
            "unique_clones": [0, 0, 1],
            "partial": [2],
        }

    def test_the_json_is_compact(self):
        chart = traffic_chart_build(rows=[day("2024-01-01", 3, 1)])

        assert chart.json == (
            '{"start":1704067200,"views":[3],"unique_views":[1],"clones":[1],"unique_clones":[0],'
            '"partial":[]}'
        )

    def test_no_rows(self):
        chart = traffic_chart_build(rows=[])

        assert json.loads(chart.json)["start"] is None
        assert chart.totals == TrafficTotals()


class TestTrafficTotals:
    def totals(self, rows):
        return traffic_totals(chart=traffic_chart_data(rows=rows), rows=rows)

    def test_sums_and_the_busiest_day_the_earliest_on_a_tie(self):
        rows = [day("2024-01-01", 4, 9), day("2024-01-02", 7, 1), day("2024-01-03", 7, 5)]

        totals = self.totals(rows)

        assert (totals.views, totals.clones, totals.days) == (18, 15, 3)
        assert (totals.first_date, totals.last_date) == ("2024-01-01", "2024-01-03")
        assert (totals.busiest_date, totals.busiest_views, totals.busiest_clones) == (
            "2024-01-02", 7, 1,
        )  # fmt: skip

    def test_without_views_the_busiest_day_has_the_most_clones(self):
        totals = self.totals([day("2024-01-01", 0, 1), day("2024-01-02", 0, 3)])

        assert totals.busiest_date == "2024-01-02"

    def test_days_without_traffic_have_no_busiest_day(self):
        totals = self.totals([day("2024-01-01"), day("2024-01-02")])

        assert totals.days == 2
        assert totals.busiest_date is None

    def test_the_busiest_day_is_a_complete_one(self):
        rows = [day("2024-01-01", 4, 1), day("2024-01-02", 9, 5, partial=True)]

        totals = self.totals(rows)

        assert (totals.views, totals.days, totals.partial_days) == (13, 2, 1)
        assert (totals.busiest_date, totals.busiest_views) == ("2024-01-01", 4)

    def test_only_partial_days_with_traffic_leave_no_busiest_day(self):
        rows = [day("2024-01-01", 0, 0), day("2024-01-02", 9, 5, partial=True)]

        assert self.totals(rows).busiest_date is None


class TestDatePresets:
    TODAY = dt.date(2024, 3, 1)

    def test_ranges_end_today(self):
        presets = date_presets(today=self.TODAY, date_range=DateRange())

        assert [(preset.label, preset.query_string, preset.active) for preset in presets] == [
            ("Last 14 days", "start=2024-02-17&end=2024-03-01", False),
            ("30 days", "start=2024-02-01&end=2024-03-01", False),
            ("90 days", "start=2023-12-03&end=2024-03-01", False),
            ("1 year", "start=2023-03-03&end=2024-03-01", False),
            ("All", "", True),
        ]

    def test_the_matching_preset_is_active_and_none_without_a_valid_range(self):
        current = DateRange(start=dt.date(2024, 2, 1), end=self.TODAY)

        assert [p.active for p in date_presets(today=self.TODAY, date_range=current)] == [
            False, True, False, False, False,
        ]  # fmt: skip
        assert not any(p.active for p in date_presets(today=self.TODAY, date_range=None))


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ('{"a":[1,2]}', '<script id="x" type="application/json">{"a":[1,2]}</script>'),
        (
            '{"a":"</script><b>&"}',
            '<script id="x" type="application/json">{"a":"\\u003C/script\\u003E\\u003Cb\\u003E'
            '\\u0026"}</script>',
        ),
    ],
)
def test_json_text_script_escapes_like_json_script(text, script):
    template = engines["django"].from_string("{% load dashboard %}{{ text|json_text_script:'x' }}")

    assert template.render({"text": text}) == script


@pytest.mark.django_db
class TestPageGrant:
    def test_an_api_token_opens_every_repository_of_its_owner(self):
        user, token = user_with_token()

        assert page_grant_by_token(token=token) == PageGrant(user=user)
        assert page_grant_by_token(token="f" * 32) is None

    def test_a_share_key_opens_what_its_link_shares(self):
        repository = RepositoryFactory.create()
        _, all_key = share_link_with_key(user=repository.user)
        _, one_key = share_link_with_key(user=repository.user, repository=repository)

        assert page_grant_by_share_key(key=all_key) == PageGrant(user=repository.user)
        assert page_grant_by_share_key(key=one_key) == PageGrant(
            user=repository.user, repository=repository
        )
        assert page_grant_by_share_key(key="s_unknown") is None

    def test_a_link_to_a_repository_of_another_user_opens_nothing(self):
        # share_link_create refuses to make one; the pages refuse to show one.
        _, key = share_link_with_key(repository=RepositoryFactory.create())

        assert page_grant_by_share_key(key=key) is None

    def test_every_repository_grant_opens_only_the_users_repositories(self):
        mine = RepositoryFactory.create()
        theirs = RepositoryFactory.create()
        grant = PageGrant(user=mine.user)

        assert repository_for_page_get(grant=grant, repository_id=str(mine.id)) == mine
        assert repository_for_page_get(grant=grant, repository_id=str(theirs.id)) is None

    def test_one_repository_grant_opens_that_one_only(self, django_assert_num_queries):
        repository = RepositoryFactory.create()
        sibling = RepositoryFactory.create(user=repository.user)
        grant = PageGrant(user=repository.user, repository=repository)

        with django_assert_num_queries(0):
            assert repository_for_page_get(grant=grant, repository_id=str(repository.id))
            assert repository_for_page_get(grant=grant, repository_id=str(sibling.id)) is None
            assert repository_for_page_get(grant=grant, repository_id="nope") is None

    def test_no_grant_opens_nothing(self):
        repository = RepositoryFactory.create()

        assert repository_for_page_get(grant=None, repository_id=str(repository.id)) is None
