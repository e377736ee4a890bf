"""Headers every page under /users/<token>/ and /share/<key>/ sends, and the page for
"not found"."""

import functools

from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

# No inline script or style anywhere: chart data travels in json_script elements, which
# are data, not code. uPlot only sets element.style properties, which CSP allows.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

# The front page (/) has no secret in its URL: it may be indexed and cached.
PUBLIC_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
}
# The token or share key travels in the URL: keep it out of Referer headers, search
# engines and caches.
PAGE_HEADERS = {
    **PUBLIC_PAGE_HEADERS,
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}


def _page(headers: dict[str, str]):
    """A page view decorator: answer GET and HEAD only, and send `headers` with every
    response, errors included.

    The pages change nothing, so they need no CSRF check; exempting them lets any other
    method get this 405 (with the headers) instead of the CSRF failure page.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                response = view(request, *args, **kwargs)
            else:
                response = HttpResponseNotAllowed(["GET", "HEAD"])
            for name, value in headers.items():
                response[name] = value
            return response

        return csrf_exempt(wrapped)

    return decorate


# A page under /users/<token>/ or /share/<key>/.
private_page = _page(PAGE_HEADERS)
# A page without a secret in its URL (/).
public_page = _page(PUBLIC_PAGE_HEADERS)


@private_page
def page_not_found(request, *args, **kwargs):
    """A plain 404 that says nothing about which part was wrong.

    Rendered rather than raised, so DEBUG's technical 404 page never lists a token.
    """
    return render(request, "dashboard/not_found.html", status=404)
