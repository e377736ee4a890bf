from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from repotraffic.users.selectors import user_get_by_token

HEADER = "X-API-Token"
HEADER_META = "HTTP_X_API_TOKEN"  # HEADER as WSGI names it in request.META
_NOT_READ = object()


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = request.headers.get(HEADER)
        if token is None:
            raise exceptions.NotAuthenticated(f"Missing {HEADER} header.")
        token = token.strip()
        # A view that reads a row of the user's on every request can read it in the
        # token's own query: its token_authenticate(request, token) gives (user,
        # request.auth) or None, and the view finds that row in request.auth. A
        # TokenReadApi (users.token_reads) has read it already, in its dispatch.
        found = getattr(request, "token_found", _NOT_READ)
        if found is _NOT_READ:
            view = (request.parser_context or {}).get("view")
            token_authenticate = getattr(view, "token_authenticate", None)
            if token_authenticate is not None:
                found = token_authenticate(request, token)
            else:
                user = user_get_by_token(token=token)
                found = None if user is None else (user, None)
        if found is None:
            raise exceptions.AuthenticationFailed(f"Unknown {HEADER}.")
        return found

    def authenticate_header(self, request):
        # Having a value here makes DRF answer 401 rather than 403.
        return HEADER


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "repotraffic.users.auth.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": HEADER}
