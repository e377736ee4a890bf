from rest_framework.parsers import JSONParser


class AnyContentJSONParser(JSONParser):
    """Parse every request body as JSON, whatever its Content-Type.

    `curl -d '{"email": ...}'` sends application/x-www-form-urlencoded; answering
    that with 415 helps nobody. A body that is not JSON gets a clear 400 instead.
    """

    media_type = "*/*"
