from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class AnyContentJSONParser(JSONParser):
    """Parse every request body as JSON, whatever its Content-Type.

    `curl -d '{"email": ...}'` sends application/x-www-form-urlencoded; answering
    that with 415 helps nobody. A body that is not JSON gets a clear 400 instead.
    """

    media_type = "*/*"

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Python's JSON decoder recurses once per level: JSON nested a thousand deep
            # exhausts the stack. No body this API takes is nested more than once.
            raise ParseError("the JSON is nested too deeply") from None
