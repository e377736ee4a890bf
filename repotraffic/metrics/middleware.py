"""The request figures of /metrics: how many requests each view answered, with what
status, and how long they took."""

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed

from repotraffic.metrics.http import http_request_observe


class HttpMetricsMiddleware:
    """Counts every request and times it until its response is ready (a streamed body's
    transfer is not included). Not used at all while /metrics is off: it costs a
    request nothing then."""

    def __init__(self, get_response):
        if not settings.REPOTRAFFIC_METRICS_TOKEN:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        http_request_observe(
            method=request.method or "",
            view=match.view_name if match is not None else "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response
