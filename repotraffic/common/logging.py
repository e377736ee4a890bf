import logging
import re

# Page URLs carry the user's token: /users/<token>/repos...
_PAGE_TOKEN = re.compile(r"(?<!/api)(/users/)[^/\s?\"']+")


def token_mask(text: str) -> str:
    return _PAGE_TOKEN.sub(r"\1<token>", text)


class MaskPageTokensFilter(logging.Filter):
    """Masks the token segment of page URLs in every log line we write."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = token_mask(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
