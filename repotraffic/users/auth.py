from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from repotraffic.users.selectors import user_get_by_token

HEADER = "X-API-Token"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = request.headers.get(HEADER)
        if token is None:
            raise exceptions.NotAuthenticated(f"Missing {HEADER} header.")
        user = user_get_by_token(token=token.strip())
        if user is None:
            raise exceptions.AuthenticationFailed(f"Unknown {HEADER}.")
        return user, None

    def authenticate_header(self, request):
        # Having a value here makes DRF answer 401 rather than 403.
        return HEADER


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "repotraffic.users.auth.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": HEADER}
