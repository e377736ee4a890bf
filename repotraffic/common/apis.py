import logging

from django.db import DatabaseError
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from repotraffic.common.api_errors import error_responses
from repotraffic.common.models import Heartbeat

logger = logging.getLogger(__name__)


class HealthApi(APIView):
    """Liveness: answers without touching the database (also the benchmarks' baseline)."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="health",
        responses={200: inline_serializer("Health", {"status": serializers.CharField()})},
        auth=[],
    )
    def get(self, request):
        return Response({"status": "ok"})


class ReadyApi(APIView):
    """Readiness: answers 200 only when the database takes a write and gives it back.

    For load balancers and orchestrators: a web process whose database is gone, full or
    read-only says 503 here while /api/health still says it is alive."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        operation_id="ready",
        responses={
            200: inline_serializer("Ready", {"status": serializers.CharField()}),
            **error_responses(503),
        },
        auth=[],
    )
    def get(self, request):
        now = timezone.now()
        try:
            Heartbeat.objects.update_or_create(id=1, defaults={"checked_at": now})
            read_back = Heartbeat.objects.filter(id=1).values_list("checked_at", flat=True).first()
        except DatabaseError as exc:
            logger.error("readiness check: the database failed: %s", exc)
            read_back = None
        if read_back != now:
            return Response(
                {"error": "Not ready: the database cannot be written and read back."},
                status=503,
            )
        return Response({"status": "ready"})
