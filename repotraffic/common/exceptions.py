class ApplicationError(Exception):
    """An error a client caused or can act on; the API turns it into {"error": message}.

    Services raise it with the HTTP status that fits, so the interfaces stay thin.
    """

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(ApplicationError):
    status_code = 404
