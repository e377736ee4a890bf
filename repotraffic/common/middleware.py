from django.utils.cache import add_never_cache_headers


class TrailingSlashOptionalMiddleware:
    """Serve `/api/repos/` as `/api/repos`: people type both, and redirecting a POST
    to add or drop a slash would lose its body. Routes are declared without one."""

    PREFIXES = ("/api/", "/users/", "/share/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if len(path) > 1 and path.endswith("/") and path.startswith(self.PREFIXES):
            stripped = path.rstrip("/")
            if stripped + "/" not in self.PREFIXES:
                request.path_info = stripped
        return self.get_response(request)


class ApiNoStoreMiddleware:
    """Every /api/ answer may carry a user's data (a token, their repositories): no
    browser or proxy may keep a copy. Pages set their own, stricter, headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api"):
            add_never_cache_headers(response)
        return response
