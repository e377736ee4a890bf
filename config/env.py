"""Strict parsing of environment settings.

A wrong value fails at start with a message that names the variable, instead of
surfacing later as a confusing error deep inside a request.
"""

import os
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# Every variable the settings asked for: a test holds .env.example, the one
# configuration reference, to exactly this set.
NAMES_READ: set[str] = set()


def _raw(name: str) -> str | None:
    NAMES_READ.add(name)
    return os.environ.get(name)


def env_str(name: str, default: str = "") -> str:
    raw = _raw(name)
    return (default if raw is None else raw).strip()


def env_bool(name: str, *, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    raw = _raw(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_float(name: str, *, default: float, minimum: float = 0.0) -> float:
    raw = _raw(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def crontab_parse(name: str, value: str, *, nowfun=None):
    """A five-field cron expression ("30 22 * * *") as a Celery crontab; `nowfun`, when
    given, is its clock."""
    from celery.schedules import crontab

    fields = value.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(
            f"{name} must be a cron expression of five fields "
            f"(minute hour day-of-month month day-of-week), not {value!r}"
        )
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        schedule = crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
            nowfun=nowfun,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid cron expression: {exc}") from None
    return schedule


def env_choice(name: str, *, choices: tuple[str, ...], default: str) -> str:
    raw = _raw(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return value


_RATE_PERIODS = ("second", "minute", "hour", "day")


def env_rate(name: str, *, default: str) -> str:
    """A request rate such as "10/hour" (per second, minute, hour or day)."""
    raw = _raw(name)
    value = default if raw is None or not raw.strip() else raw.strip().lower()
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in _RATE_PERIODS:
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 10/hour (per {', '.join(_RATE_PERIODS)}), not {raw!r}"
        )
    return f"{int(count)}/{period}"


def env_rsa_private_key(name: str) -> str:
    """An RSA private key in PEM, given as its text (newlines as they are, or written
    "\\n" as env files often need) or as the path of a file holding it; "" when unset.
    The key is loaded once here, so a wrong one stops the start; the message never
    shows the key."""
    raw = env_str(name)
    if not raw:
        return ""
    if raw.startswith("-----BEGIN"):
        pem, source = raw.replace("\\n", "\n").encode(), "its PEM text"
    else:
        # Not echoed: a key pasted without its BEGIN line would be shown.
        try:
            pem, source = Path(raw).expanduser().read_bytes(), "the file it names"
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise ImproperlyConfigured(
                f"{name} must be the PEM text of a private key (-----BEGIN ...) or the path "
                f"of a file holding one; as a path, it cannot be read ({why})"
            ) from None
    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ImproperlyConfigured(
            f"{name}: {source} is not an unencrypted PEM private key; use the .pem file "
            "GitHub gave when you generated the key (the app's settings, Private keys)"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise ImproperlyConfigured(
            f"{name}: {source} holds a private key that is not RSA; GitHub Apps sign "
            "with RS256, so the key must be the RSA key GitHub generated"
        )
    return pem.decode()
