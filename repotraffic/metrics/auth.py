"""Who may read /metrics: whoever holds REPOTRAFFIC_METRICS_TOKEN, sent as
`Authorization: Bearer <token>`. While it is unset, /metrics is off: not found."""

import hashlib
import hmac

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

_SCHEME = "bearer"
_CHALLENGE = 'Bearer realm="metrics"'


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


class MetricsTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        expected = settings.REPOTRAFFIC_METRICS_TOKEN
        if not expected:
            raise exceptions.NotFound("Not found.")
        scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() != _SCHEME or not token.strip():
            raise exceptions.NotAuthenticated(
                "Missing Authorization: Bearer <REPOTRAFFIC_METRICS_TOKEN> header."
            )
        # Digests of equal length, compared in constant time: neither the token's
        # characters nor its length leak through timing.
        if not hmac.compare_digest(_digest(token.strip()), _digest(expected)):
            raise exceptions.AuthenticationFailed("Wrong metrics token.")
        return (None, None)  # no user: the scraper holds the operator's secret

    def authenticate_header(self, request):
        # Having a value here makes DRF answer 401 rather than 403.
        return _CHALLENGE


class MetricsTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "repotraffic.metrics.auth.MetricsTokenAuthentication"
    name = "MetricsToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
