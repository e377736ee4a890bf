"""The Celery application: the same task code runs embedded (filesystem broker,
beat inside one worker) and scaled (Redis broker, N workers, one beat)."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("repotraffic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

FILESYSTEM_BROKER_FOLDERS = (
    "data_folder_in",
    "data_folder_out",
    "processed_folder",
    "control_folder",
)


@app.on_after_configure.connect
def filesystem_broker_folders_create(sender: Celery, **kwargs: Any) -> None:
    """The embedded broker is a set of folders under var/: make them before anything
    (a worker, or a web process queueing a task) first uses the broker."""
    options = sender.conf.broker_transport_options or {}
    for key in FILESYSTEM_BROKER_FOLDERS:
        folder = options.get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)


@worker_ready.connect
def worker_interrupt_exit_code_zero(sender: Any, **kwargs: Any) -> None:
    """Ctrl-C stops a worker cleanly, as SIGTERM does, so it exits with 0, not Celery's 1.

    The first SIGINT still starts Celery's warm shutdown (running tasks finish) and the
    next one its cold shutdown; only the exit code of the first changes. Installed when
    the worker is ready, after Celery's own signal handlers.
    """
    # Not in celery-types' stubs; a module-level name of celery.apps.worker.
    from celery.apps.worker import install_worker_int_handler  # type: ignore[attr-defined]
    from celery.platforms import EX_OK

    install_worker_int_handler(sender.controller, exitcode=EX_OK)
