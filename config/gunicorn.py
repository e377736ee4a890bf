"""gunicorn settings: access logs go through our token-masking filter."""

from config.env import env_int

workers = env_int("WEB_CONCURRENCY", default=2, minimum=1)
# Threads, not one request per process: a client that sends its request a byte at a
# time holds one thread, and the others go on answering everyone else. With the sync
# worker, two such clients stalled the whole web tier. Behind a buffering proxy
# (nginx) this matters less, but `make run` has none.
worker_class = "gthread"
threads = env_int("WEB_THREADS", default=8, minimum=1)
accesslog = "-"
# gunicorn 27 otherwise shares one control socket in ~/.gunicorn between all servers.
control_socket_disable = True
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "repotraffic.common.logging.MaskPageTokensFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_tokens"],
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
