from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from repotraffic.common.api_errors import ErrorSerializer, error_responses
from repotraffic.metrics.auth import MetricsTokenAuthentication
from repotraffic.metrics.exposition import CONTENT_TYPE, metrics_text


class MetricsApi(APIView):
    """Prometheus' scrape target, for the operator: off (404) unless
    REPOTRAFFIC_METRICS_TOKEN is set, and then only with that token."""

    authentication_classes = [MetricsTokenAuthentication]
    permission_classes = []

    @extend_schema(
        operation_id="metrics",
        summary="Figures for Prometheus (text exposition format 0.0.4)",
        description=(
            "Collections by outcome and reason, repositories without a successful "
            "collection for 36 hours, GitHub rate limits per token (masked), queue depth "
            "and HTTP request figures. Off (404) unless REPOTRAFFIC_METRICS_TOKEN is set; "
            "then it needs `Authorization: Bearer <REPOTRAFFIC_METRICS_TOKEN>`."
        ),
        responses={
            (200, "text/plain"): OpenApiResponse(
                OpenApiTypes.STR, description="Prometheus text format, version 0.0.4."
            ),
            401: OpenApiResponse(ErrorSerializer, description="Missing or wrong bearer token."),
            **error_responses(404),
        },
    )
    def get(self, request):
        response = HttpResponse(metrics_text(now=timezone.now()), content_type=CONTENT_TYPE)
        add_never_cache_headers(response)
        return response
