"""Production: no insecure defaults. Refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import DEV_SECRET_KEY, env_bool, env_choice, env_int, env_list, env_str

if env_bool("DJANGO_DEBUG", default=False):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG must not be true in production: debug pages show settings and code "
        "to anyone (unset it, or use config.settings.dev)"
    )
DEBUG = False

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random string of at least 32 characters in "
        "production (python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list the host names this server answers to in production, "
        "comma-separated (e.g. traffic.example.com)"
    )
REPOTRAFFIC_ENCRYPTION_KEY = env_str("REPOTRAFFIC_ENCRYPTION_KEY")
if not REPOTRAFFIC_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "REPOTRAFFIC_ENCRYPTION_KEY must be set in production to a Fernet key (python -c "
        "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.ModulesManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=0)
# Redirect plain http to https (when no proxy in front does it already).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
# A public instance lends the server's GitHub token only to users an operator trusts.
REPOTRAFFIC_SERVER_TOKEN_FOR = env_choice(
    "REPOTRAFFIC_SERVER_TOKEN_FOR", choices=("everyone", "trusted", "nobody"), default="trusted"
)
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
