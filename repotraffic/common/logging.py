import logging
import re

# Page URLs carry a secret: the user's API token in /users/<token>/repos..., a share
# key in /share/<key>/repos... The segment after the prefix is masked, also after
# repeated slashes or dot segments (/users//x, /users/./x) and in any letter case:
# those spellings serve no page, but a log line would still show the secret.
_PAGE_SECRET = re.compile(
    r"(?<!/api)(/(users|share)/+(?:\.{1,2}/+)*)[^/\s?\"']+", flags=re.IGNORECASE
)
_PLACEHOLDERS = {"users": "<token>", "share": "<key>"}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Escapes decoded before masking: printable ASCII, the alphabet of tokens, keys and the
# path around them. Whitespace, control characters, quotes and "?" stay escaped, so
# the decoded text still splits where the logged text did and cannot forge a log line.
_DECODED = {chr(code) for code in range(0x21, 0x7F)} - set("?\"'")


def _secrets_mask(text: str) -> str:
    return _PAGE_SECRET.sub(lambda m: m[1] + _PLACEHOLDERS[m[2].lower()], text)


def _unescape(match: re.Match[str]) -> str:
    char = chr(int(match[1], 16))
    return char if char in _DECODED else match[0]


def _unescaped(text: str) -> str:
    """Percent-escapes of printable characters decoded until none is left. Django
    decodes a path once, so /users%2F<token>/repos serves the page; decoding again
    catches a secret spelt /users%252F<token> as well. Every round that changes the
    text shortens it, so this ends."""
    while True:
        decoded = _ESCAPE.sub(_unescape, text)
        if decoded == text:
            return text
        text = decoded


def token_mask(text: str) -> str:
    """The text with every page secret masked, however its URL was percent-encoded.

    The text comes back as it was, masked; or, when only its decoded form shows a
    secret, decoded and masked.
    """
    masked = _secrets_mask(text)
    if "%" not in text:
        return masked
    decoded = _unescaped(text)
    decoded_masked = _secrets_mask(decoded)
    return masked if decoded_masked == decoded else decoded_masked


class MaskPageTokensFilter(logging.Filter):
    """Masks the secret segment of page URLs (API tokens, share keys) in every log line
    we write."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = token_mask(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
