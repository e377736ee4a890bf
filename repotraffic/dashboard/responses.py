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

# The token or share key travels in the URL: keep it out of Referer headers, search
# engines and caches.
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}


def private_page(view):
    """Answer GET and HEAD only, and send PAGE_HEADERS with every response, errors included.

    The pages change nothing, so they need no CSRF check; exempting them lets any other
    method get this 405 (with the headers) instead of the CSRF failure page.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
        else:
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        for name, value in PAGE_HEADERS.items():
            response[name] = value
        return response

    return csrf_exempt(wrapped)


@private_page
def page_not_found(request, *args, **kwargs):
    """A plain 404 that says nothing about which part was wrong.

    Rendered rather than raised, so DEBUG's technical 404 page never lists a token.
    """
    return render(request, "dashboard/not_found.html", status=404)
