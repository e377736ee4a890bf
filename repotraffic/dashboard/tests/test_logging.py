"""The token in page URLs never reaches a log line: Django's, ours or gunicorn's."""

import io
import logging
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from repotraffic.common.logging import MaskPageTokensFilter
from repotraffic.common.tests.polling import poll_until

TOKEN = "0123456789abcdef0123456789abcdef"
ROOT = Path(__file__).resolve().parents[3]


def test_a_record_with_a_page_url_is_masked():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET %s HTTP/1.1" %s', (
            f"/users/{TOKEN}/repos/9b1c?start=2024-01-01", 200
        ), None
    )  # fmt: skip

    assert MaskPageTokensFilter().filter(record)

    assert record.getMessage() == '"GET /users/<token>/repos/9b1c?start=2024-01-01 HTTP/1.1" 200'


def test_a_gunicorn_access_record_is_masked():
    # gunicorn logs its access format with a dict of atoms as the only argument.
    atoms = {"h": "127.0.0.1", "r": f"GET /users/{TOKEN}/repos HTTP/1.1", "s": "200"}
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s', (atoms,), None
    )

    MaskPageTokensFilter().filter(record)

    assert record.getMessage() == '127.0.0.1 "GET /users/<token>/repos HTTP/1.1" 200'


@contextmanager
def captured_handlers(logger_name: str):
    """Point every stream handler a record of logger_name reaches at one buffer."""
    buffer = io.StringIO()
    swapped = []
    logger: logging.Logger | None = logging.getLogger(logger_name)
    while logger:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler):
                swapped.append((handler, handler.setStream(buffer)))
        logger = logger.parent if logger.propagate else None
    try:
        yield buffer
    finally:
        for handler, stream in swapped:
            handler.setStream(stream)


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_the_404_warning_django_logs_is_masked(client, settings, debug):
    settings.DEBUG = debug

    with captured_handlers("django.request") as output:
        response = client.get(f"/users/{TOKEN}/repos/not-a-repository")

    assert response.status_code == 404
    assert "Not Found: /users/<token>/repos/not-a-repository" in output.getvalue()
    assert TOKEN not in output.getvalue()


def test_gunicorns_access_log_is_masked(tmp_path):
    """The real server with config/gunicorn.py; the 404 needs no database."""
    log = tmp_path / "gunicorn.log"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        REPOTRAFFIC_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        WEB_CONCURRENCY="1",
    )
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "config.wsgi",
        "--config", "config/gunicorn.py", "--bind", "127.0.0.1:0", "--no-control-socket",
    ]  # fmt: skip
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        port = _listening_port(log)
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/users/{TOKEN}/elsewhere", timeout=10)
        assert error.value.code == 404
        poll_until(lambda: "gunicorn.access" in log.read_text(), what="gunicorn's access log")
    finally:
        server.terminate()
        server.wait(timeout=10)

    text = log.read_text()
    assert '"GET /users/<token>/elsewhere HTTP/1.1" 404' in text
    assert TOKEN not in text


def _listening_port(log: Path) -> int:
    poll_until(lambda: "Listening at" in log.read_text(), what="gunicorn to listen")
    found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
    assert found is not None
    return int(found.group(1))
