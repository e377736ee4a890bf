"""Read endpoints for the daily snapshots: GET /api/repos/<id>/referrers, /paths, /stars,
/releases; and GET /api/repos/<id>/export, everything stored for one repository."""

import csv

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.apis import repository_and_range_read
from repotraffic.traffic.archive_selectors import (
    KIND_NAMES,
    repository_archive_lines,
    repository_kind_table,
)
from repotraffic.traffic.models import PopularSnapshot
from repotraffic.traffic.popular_selectors import (
    repository_snapshot_list,
    star_history_get,
    traffic_popular_list,
)
from repotraffic.traffic.release_selectors import release_downloads_list

ROLLING_NOTE = (
    "GitHub's figures are totals over the 14 days up to each date, not one day's: they "
    "are never added across days. Leaders are ranked by the highest 14-day count they "
    "reached in the range."
)


class PopularPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField(help_text="Views in the 14 days up to this date.")
    uniques = serializers.IntegerField(help_text="Unique visitors in those 14 days.")


class PopularItemSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The referring site, or the page's path.")
    title = serializers.CharField(allow_blank=True, help_text="The page's title; empty for a site.")
    first_seen = serializers.DateField(help_text="First day in the top 10, in all history.")
    last_seen = serializers.DateField(help_text="Last day in the top 10, in all history.")
    peak = PopularPointSerializer(help_text="The highest 14-day count in the range.")
    latest = PopularPointSerializer(help_text="The last day in the range.")
    series = PopularPointSerializer(many=True)


class _PopularApi(APIView):
    kind = ""

    @extend_schema_serializer(component_name="PopularList")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        note = serializers.CharField()
        items = PopularItemSerializer(many=True)

    def get(self, request, repository_id: str):
        repository, date_range = repository_and_range_read(
            request=request, repository_id=repository_id
        )
        items = traffic_popular_list(repository=repository, kind=self.kind, date_range=date_range)
        body = {"id": repository.id, "note": ROLLING_NOTE, "items": items}
        return Response(self.OutputSerializer(body).data)


PARAMETERS = [
    OpenApiParameter("repository_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
    OpenApiParameter("start", str, description="YYYY-MM-DD, inclusive"),
    OpenApiParameter("end", str, description="YYYY-MM-DD, inclusive"),
]


class RepositoryReferrersApi(_PopularApi):
    kind = PopularSnapshot.Kind.REFERRER

    @extend_schema(
        operation_id="repos_referrers",
        parameters=PARAMETERS,
        responses={200: _PopularApi.OutputSerializer, **error_responses(400, 401, 404, 405)},
        description="The referring sites GitHub listed in its top 10 on the days collected, "
        "each with its 14-day figure over time. " + ROLLING_NOTE,
    )
    def get(self, request, repository_id: str):
        return super().get(request, repository_id)


class RepositoryPathsApi(_PopularApi):
    kind = PopularSnapshot.Kind.PATH

    @extend_schema(
        operation_id="repos_paths",
        parameters=PARAMETERS,
        responses={200: _PopularApi.OutputSerializer, **error_responses(400, 401, 404, 405)},
        description="The repository's pages GitHub listed in its top 10 (popular content) on "
        "the days collected, each with its 14-day figure over time. " + ROLLING_NOTE,
    )
    def get(self, request, repository_id: str):
        return super().get(request, repository_id)


class RepositoryStarsApi(APIView):
    @extend_schema_serializer(component_name="RepositoryCounts")
    class OutputSerializer(serializers.Serializer):
        class DaySerializer(serializers.Serializer):
            date = serializers.DateField()
            stars = serializers.IntegerField()
            forks = serializers.IntegerField()
            watchers = serializers.IntegerField(help_text="People watching the repository.")
            open_issues = serializers.IntegerField(
                help_text="Open issues and pull requests, as GitHub counts them."
            )

        @extend_schema_serializer(component_name="StarHistory")
        class HistorySerializer(serializers.Serializer):
            class PointSerializer(serializers.Serializer):
                date = serializers.DateField()
                stars = serializers.IntegerField(
                    help_text="Today's stargazers who had starred by the end of this day."
                )

            rebuilt_on = serializers.DateField(help_text="The day the list was read.")
            stars_total = serializers.IntegerField(help_text="The stars GitHub counted then.")
            pages_total = serializers.IntegerField(
                help_text="Pages of 100 stargazers the whole list has."
            )
            pages_read = serializers.IntegerField()
            complete = serializers.BooleanField(
                help_text="Every page was read: every day with a star is in `items`. "
                "Otherwise only the days the pages read pin down exactly are."
            )
            items = PointSerializer(many=True)

        id = serializers.UUIDField()
        items = DaySerializer(many=True)
        history = HistorySerializer(
            allow_null=True,
            help_text="The star history before the first collection, rebuilt once from "
            "GitHub's stargazer list within a page budget; null until it is. It counts "
            "today's stargazers only: someone who starred and later unstarred is missing.",
        )

    @extend_schema(
        operation_id="repos_stars",
        parameters=PARAMETERS,
        responses={200: OutputSerializer, **error_responses(400, 401, 404, 405)},
        description="Stars, forks, watchers and open issues on each day collected, and the "
        "star history rebuilt from the stargazer list.",
    )
    def get(self, request, repository_id: str):
        repository, date_range = repository_and_range_read(
            request=request, repository_id=repository_id
        )
        body = {
            "id": repository.id,
            "items": repository_snapshot_list(repository=repository, date_range=date_range),
            "history": star_history_get(repository=repository, date_range=date_range),
        }
        return Response(self.OutputSerializer(body).data)


class DownloadPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    total = serializers.IntegerField(help_text="Cumulative downloads on this collected day.")
    downloads = serializers.IntegerField(
        allow_null=True,
        help_text="Downloads since the previous collected day (its exact difference, never "
        "negative); null on the first collected day, as nothing earlier is known.",
    )
    days = serializers.IntegerField(
        allow_null=True,
        help_text="The days that difference spans: 1 when the previous collected day is the "
        "day before, more after days without a collection.",
    )


class ReleaseAssetSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="GitHub's id of the asset.")
    name = serializers.CharField()
    series = DownloadPointSerializer(many=True)


class ReleaseSerializer(serializers.Serializer):
    tag = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField(allow_null=True)
    assets = ReleaseAssetSerializer(many=True)
    series = DownloadPointSerializer(many=True, help_text="Its assets added up, per day.")


class RepositoryReleasesApi(APIView):
    @extend_schema_serializer(component_name="ReleaseDownloads")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        releases = ReleaseSerializer(many=True)
        totals = DownloadPointSerializer(many=True, help_text="All assets added up, per day.")

    @extend_schema(
        operation_id="repos_releases",
        parameters=PARAMETERS,
        responses={200: OutputSerializer, **error_responses(400, 401, 404, 405)},
        description="The download counts of the release assets on each day collected, newest "
        "release first. GitHub's counts are cumulative, so a day's downloads are the "
        "exact difference from the previous collected day (`days` says how far back it "
        "is); a count that drops reports 0 and the total keeps the highest count seen.",
    )
    def get(self, request, repository_id: str):
        repository, date_range = repository_and_range_read(
            request=request, repository_id=repository_id
        )
        report = release_downloads_list(repository=repository, date_range=date_range)
        body = {"id": repository.id, "releases": report.releases, "totals": report.totals}
        return Response(self.OutputSerializer(body).data)


class _Echo:
    """A file-like object for csv.writer that hands back what it is given."""

    def write(self, value: str) -> str:
        return value


class RepositoryExportApi(APIView):
    @extend_schema(
        operation_id="repos_export",
        parameters=[
            PARAMETERS[0],
            OpenApiParameter(
                "format",
                str,
                enum=["json", "csv"],
                default="json",
                description="json: the repository's archive as JSON Lines (application/"
                "x-ndjson): a header line, then one line per stored row of every kind, "
                "which `manage.py import_archive` reads back. csv: one kind's rows as a "
                "table, with a header row.",
            ),
            OpenApiParameter(
                "kind",
                str,
                enum=list(KIND_NAMES),
                default="day",
                description="With format=csv: which rows (day: the daily views and clones).",
            ),
        ],
        responses={
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(400, 401, 404, 405),
        },
        description="Everything stored for the repository, to keep or to move: all of it "
        "as JSON Lines, or one kind as CSV. Streamed; no date filter.",
    )
    def get(self, request, repository_id: str):
        export_format = request.query_params.get("format") or "json"
        kind = request.query_params.get("kind") or "day"
        if export_format not in ("json", "csv"):
            raise ApplicationError(f"format must be json or csv, not {export_format!r}.")
        if export_format == "csv" and kind not in KIND_NAMES:
            raise ApplicationError(f"kind must be one of {', '.join(KIND_NAMES)}, not {kind!r}.")
        repository, _ = repository_and_range_read(request=request, repository_id=repository_id)
        name = f"{repository.owner}-{repository.name}"
        if export_format == "json":
            response = StreamingHttpResponse(
                repository_archive_lines(repository=repository),
                content_type="application/x-ndjson",
            )
            filename = f"{name}.jsonl"
        else:
            writer = csv.writer(_Echo())
            rows = repository_kind_table(repository=repository, kind=kind)
            response = StreamingHttpResponse(
                (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
            )
            filename = f"{name}-{kind}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
