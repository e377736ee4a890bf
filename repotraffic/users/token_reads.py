"""API views that read their answer with the token (see TokenReadApi). Apart from
users.auth, which DRF's settings import before rest_framework.views is ready."""

from typing import Any

from django.http import HttpResponse
from rest_framework.views import APIView

from repotraffic.users.auth import HEADER_META
from repotraffic.users.models import User


class TokenReadApi(APIView):
    """A read whose token is checked in the same query that reads the answer
    (token_authenticate), and whose answer, when that query found it whole (token_answer),
    is served straight from dispatch with the headers DRF gives it.

    Measured (docs/benchmarks.md, "JSON API"): DRF's dispatch (its Request, the
    authentication and permission steps, negotiation, finalize_response) cost a cached
    list 50-60 us of 534 in one process, more under gunicorn, where it held the list
    and the cached detail under their targets. Everything else takes DRF's path as
    before, reusing the query's result: a missing or unknown token, a not-found id, a
    filtered read, an error; so do the schema, the status codes and the error bodies."""

    def token_authenticate(self, request, token: str) -> tuple[User, Any] | None:
        """(the token's user, request.auth) in one query, or None for an unknown token."""
        raise NotImplementedError

    def token_answer(self, auth: Any) -> str | None:
        """The whole answer as JSON text when request.auth (`auth`) holds it, else None."""
        return None

    def dispatch(self, request, *args, **kwargs):
        token = request.META.get(HEADER_META)
        if request.method == "GET" and token is not None:
            self.kwargs = kwargs  # token_authenticate reads the URL's
            found = self.token_authenticate(request, token.strip())
            request.token_found = found  # for ApiTokenAuthentication, if DRF answers
            body = None if found is None else self.token_answer(found[1])
            if body is not None:
                response = HttpResponse(body, content_type="application/json")
                for name, value in self.default_response_headers.items():
                    response[name] = value
                return response
        return super().dispatch(request, *args, **kwargs)
