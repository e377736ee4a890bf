"""Faults the fake GitHub can put in place of an answer, or into it, for tests of the
client's resilience (FakeGitHub.inject_fault; `fake_http` applies them).

Faults apply to the next `count` API requests whose path contains `path` and that are
about `repo` (each filter optional): "500", "502", "503"; "timeout" (hang `seconds`,
default 30, then close without answering); "disconnect" (close at once);
"malformed_json" (200, the real body with a stray ",," before its last bracket);
"truncated_json" (200 with the first half of the real body and a Content-Length that
matches it); "wrong_shape" (200, valid JSON, `variant`: "missing_key", "string_count",
"bad_timestamp" or "not_object"); "secondary_rate_limit" (`status` 403 or 429,
Retry-After `retry_after` seconds, default 60); "primary_rate_limit" (`status`,
Remaining 0, Reset `reset_in` seconds ahead, default 60); "no_push_access" (403,
`variant` picks the message as for token kinds). A request refused for its headers
takes no fault.
"""

import datetime as dt
import json
import math
import time
from typing import TYPE_CHECKING, Any

from repotraffic.integrations.github.fake_routes import NO_PUSH_MESSAGES, Reply, error_reply
from repotraffic.integrations.github.fake_state import TOKEN_KINDS, FakeFault

if TYPE_CHECKING:
    from repotraffic.integrations.github.fake import FakeGitHub

RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
_SERVER_ERRORS = {
    "500": (500, {"message": "Server Error"}),
    "502": (502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "503": (503, {"message": "Service Unavailable"}),
}
FAULT_KINDS = frozenset(
    {*_SERVER_ERRORS, "timeout", "disconnect", "malformed_json", "truncated_json"}
    | {"wrong_shape", "secondary_rate_limit", "primary_rate_limit", "no_push_access"}
)
SHAPE_VARIANTS = ("missing_key", "string_count", "bad_timestamp", "not_object")


def fault_build(*, kind: str, count: int, options: dict[str, Any]) -> FakeFault:
    """The fault FakeGitHub.inject_fault asks for, checked now, so that a bad request
    fails at once and not in a later request."""
    fault = FakeFault(kind=str(kind), count=int(count), **options)
    fault.seconds, fault.retry_after = float(fault.seconds), int(fault.retry_after)
    fault.reset_in, fault.status = int(fault.reset_in), int(fault.status)
    if fault.status not in (403, 429):
        raise ValueError("a rate-limit fault answers 403 or 429")
    if fault.kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {kind!r}; known: {sorted(FAULT_KINDS)}")
    if fault.kind == "wrong_shape":
        fault.variant = fault.variant or SHAPE_VARIANTS[0]
        if fault.variant not in SHAPE_VARIANTS:
            raise ValueError(f"wrong_shape variant must be one of {SHAPE_VARIANTS}")
    if fault.kind == "no_push_access":
        fault.variant = fault.variant or "classic"
        if fault.variant not in TOKEN_KINDS:
            raise ValueError(f"no_push_access variant must be one of {TOKEN_KINDS}")
    return fault


def primary_message(request_id: str) -> str:
    return (
        "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
        f"please include the request ID {request_id}."
    )


def _secondary_message(request_id: str) -> str:
    return (
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
        "again. If you reach out to GitHub Support for help, please include the request ID "
        f"{request_id}."
    )


def fault_reply(
    *, fake: "FakeGitHub", fault: FakeFault, limit: int, docs_url: str, request_id: str
) -> Reply | None:
    """The answer a fault puts in place of the real one; None for faults that corrupt it."""
    if fault.kind in _SERVER_ERRORS:
        status, content = _SERVER_ERRORS[fault.kind]
        if isinstance(content, str):
            return Reply(status=status, body=content.encode(), content_type="text/html")
        return Reply(status=status, payload=content)
    if fault.kind == "timeout":
        fake.wait(fault.seconds)
        return Reply(drop=True)
    if fault.kind == "disconnect":
        return Reply(drop=True)
    if fault.kind == "secondary_rate_limit":
        return error_reply(
            fault.status,
            _secondary_message(request_id),
            docs_url=f"{RATE_LIMIT_DOCS}#about-secondary-rate-limits",
            headers={"Retry-After": str(fault.retry_after)},
        )
    if fault.kind == "primary_rate_limit":
        headers = {
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Used": str(limit),
            "X-RateLimit-Reset": str(math.ceil(time.time() + fault.reset_in)),
        }
        return error_reply(
            fault.status, primary_message(request_id), docs_url=RATE_LIMIT_DOCS, headers=headers
        )
    if fault.kind == "no_push_access":
        return error_reply(403, NO_PUSH_MESSAGES[fault.variant], docs_url=docs_url)
    return None


def _shape_break(*, payload: Any, variant: str, today: dt.date) -> Any:
    """Valid JSON that a client must still refuse: a key gone, a count as text, and so on."""
    if variant == "not_object" or not isinstance(payload, dict):
        return ["not", "an", "object"]
    payload = dict(payload)
    key = next((k for k in ("views", "clones") if isinstance(payload.get(k), list)), None)
    if key is None:  # e.g. GET /user: only dropping its key makes sense
        return {k: v for k, v in payload.items() if k != "login"}
    buckets = [dict(bucket) for bucket in payload[key]] or [
        {"timestamp": f"{today.isoformat()}T00:00:00Z", "count": 1, "uniques": 1}
    ]
    if variant == "missing_key":
        del buckets[0]["uniques"]
    elif variant == "string_count":
        buckets[0]["count"] = str(buckets[0]["count"])
    elif variant == "bad_timestamp":
        buckets[0]["timestamp"] = "2026-13-45T00:00:00Z"
    payload[key] = buckets
    return payload


def reply_corrupt(*, reply: Reply, fault: FakeFault, today: dt.date) -> Reply:
    if reply.status != 200:
        return reply
    text = json.dumps(reply.payload)
    if fault.kind == "malformed_json":
        # A stray ",," before the closing bracket: invalid whatever the payload is.
        reply.body = (text[:-1] + ",," + text[-1]).encode()
    elif fault.kind == "truncated_json":
        reply.body = text.encode()[: len(text) // 2]
    elif fault.kind == "wrong_shape":
        reply.payload = _shape_break(payload=reply.payload, variant=fault.variant, today=today)
    return reply
