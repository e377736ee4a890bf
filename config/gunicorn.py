"""gunicorn settings: access logs go through our token-masking filter."""

import os
from pathlib import Path

from config.env import env_int, env_str

# With /metrics on, each worker process keeps its request figures in files here
# (prometheus_client's multiprocess mode), and whichever worker answers /metrics sums
# every process's. Set before the workers start, so that each inherits it.
if env_str("REPOTRAFFIC_METRICS_TOKEN"):
    _var_dir = env_str("REPOTRAFFIC_VAR_DIR") or str(Path(__file__).resolve().parent.parent / "var")
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(Path(_var_dir) / "prometheus"))


def on_starting(server) -> None:
    """The figures count from gunicorn's start: the files of an earlier run go (as
    prometheus_client asks), and the folder is there before a worker writes to it."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink(missing_ok=True)


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
