import datetime as dt
import json

import pytest
from django.template import engines

from repotraffic.common.dates import DateRange
from repotraffic.dashboard.selectors import (
    TrafficTotals,
    date_presets,
    traffic_chart_build,
    traffic_chart_data,
    traffic_totals,
)


def day(date: str, views: int = 0, clones: int = 0) -> dict:
    return {"date": date, "views": views, "unique_views": views // 2, "clones": clones,
            "unique_clones": clones // 2}  # fmt: skip


class TestTrafficChart:
    def test_parallel_arrays_from_the_first_days_epoch_seconds(self):
        rows = [day("2024-01-01", 3, 1), day("2024-01-02", 0, 0), day("2024-01-03", 5, 2)]

        chart = traffic_chart_data(rows=rows)

        assert chart == {
            "start": 1704067200,
            "views": [3, 0, 5],
            "unique_views": [1, 0, 2],
            "clones": [1, 0, 2],
            "unique_clones": [0, 0, 1],
        }

    def test_the_json_is_compact(self):
        chart = traffic_chart_build(rows=[day("2024-01-01", 3, 1)])

        assert chart.json == (
            '{"start":1704067200,"views":[3],"unique_views":[1],"clones":[1],"unique_clones":[0]}'
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
