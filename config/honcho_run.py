"""`make run` and `make demo`'s process manager: honcho, given time to stop a worker.

On Ctrl-C honcho sends SIGTERM to every process, and SIGKILL to those still running
KILL_WAIT (5) seconds after the first one stopped: the web server stops at once, so a
Celery worker had 5 s. A worker needs longer to stop cleanly: up to
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT for running collections, then about 5 s more on the
filesystem broker (its event loop polls every 2 s). Killed, it lost what it was running.
honcho has no option for this wait, hence its module constant.

    python -m config.honcho_run start --env /dev/null --procfile Procfile --port 8000
"""

import sys

import honcho.command
import honcho.manager

# Above the soft shutdown's default 5 s plus the ~5 s a worker takes to stop, with margin.
honcho.manager.KILL_WAIT = 30

if __name__ == "__main__":
    sys.exit(honcho.command.main())
