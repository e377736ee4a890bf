"""The token or share key in page URLs never reaches a log line, however the URL is
spelt: Django's, ours or gunicorn's."""

import io
import json
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
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.tests.factories import share_link_with_key
from repotraffic.users.tests.factories import user_with_token

TOKEN = "0123456789abcdef0123456789abcdef"
KEY = "s_Ab-9_zQx0123456789abcdefABCDEF0"
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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/share/{KEY}/repos", "Not Found: /share/<key>/repos"),
        (f"/share/{KEY}/elsewhere", "Not Found: /share/<key>/elsewhere"),
        # Django decodes the path once: these are /users/... and /share/... to it.
        (f"/users%2F{TOKEN}/repos", "Not Found: /users/<token>/repos"),
        (f"/%75sers/{TOKEN}/repos", "Not Found: /users/<token>/repos"),
        (f"/share%2F{KEY}/repos", "Not Found: /share/<key>/repos"),
        # Decoded once, this is no page: Django's own 404 logs it, still masked.
        (f"/users%252F{TOKEN}/repos", "Not Found: /users/<token>/repos"),
    ],
)
def test_the_404_warning_is_masked_in_every_spelling(client, path, logged):
    with captured_handlers("django.request") as output:
        response = client.get(path)

    assert response.status_code == 404
    assert logged in output.getvalue()
    assert TOKEN not in output.getvalue()
    assert KEY not in output.getvalue()


@pytest.mark.django_db
def test_percent_encoded_spellings_serve_the_pages(client):
    """Why the mask decodes: these reach the page views with the secret in clear."""
    user, token = user_with_token()
    repository = RepositoryFactory.create(user=user, owner="acme", name="rocket")
    _, key = share_link_with_key(user=user)

    for path in [
        f"/users%2F{token}/repos",
        f"/%75sers/{token}/repos/{repository.id}",
        f"/share%2F{key}/repos",
        f"/%73hare/{key}/repos/{repository.id}",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "acme/rocket" in response.content.decode()


# Run in the server's environment before it starts: its database, with a user who has a
# repository and a share link.
SEED = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.tests.factories import share_link_with_key
from repotraffic.users.tests.factories import user_with_token
user, token = user_with_token()
repository = RepositoryFactory.create(user=user)
key = share_link_with_key(user=user)[1]
print(json.dumps({"token": token, "key": key, "repository": str(repository.id)}))
"""


def _server_env(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        REPOTRAFFIC_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        WEB_CONCURRENCY="1",
    )


@contextmanager
def gunicorn_server(tmp_path: Path, env: dict[str, str]):
    """The real server with config/gunicorn.py; yields its port and its log file."""
    log = tmp_path / "gunicorn.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "config.wsgi",
        "--config", "config/gunicorn.py", "--bind", "127.0.0.1:0", "--no-control-socket",
    ]  # fmt: skip
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        yield _listening_port(log), log
    finally:
        server.terminate()
        server.wait(timeout=10)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorns_access_log_is_masked(tmp_path):
    """The 404 needs no database."""
    with gunicorn_server(tmp_path, _server_env(tmp_path)) as (port, log):
        assert _status(f"http://127.0.0.1:{port}/users/{TOKEN}/elsewhere") == 404
        poll_until(lambda: "gunicorn.access" in log.read_text(), what="gunicorn's access log")

    text = log.read_text()
    assert '"GET /users/<token>/elsewhere HTTP/1.1" 404' in text
    assert TOKEN not in text


def test_gunicorns_access_log_masks_share_keys_and_encoded_spellings(tmp_path):
    env = _server_env(tmp_path)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    secrets = json.loads(seeded.stdout.strip().splitlines()[-1])
    token, key, repository = secrets["token"], secrets["key"], secrets["repository"]
    requests = {
        f"/users/{token}/repos": 200,
        f"/users%2F{token}/repos": 200,
        f"/%75sers/{token}/repos/{repository}": 200,
        f"/share/{key}/repos": 200,
        f"/share%2F{key}/repos": 200,
        f"/%73hare/{key}/repos/{repository}/traffic.csv": 200,
        f"/users%252F{token}/repos": 404,
        f"/share/{key}/elsewhere": 404,
    }

    with gunicorn_server(tmp_path, env) as (port, log):
        for path, status in requests.items():
            assert _status(f"http://127.0.0.1:{port}{path}") == status, path
        poll_until(
            lambda: log.read_text().count("gunicorn.access") == len(requests),
            what="gunicorn's access log",
        )

    text = log.read_text()
    assert token not in text
    assert key not in text
    assert text.count('"GET /users/<token>/repos HTTP/1.1" 200') == 2
    assert text.count('"GET /share/<key>/repos HTTP/1.1" 200') == 2
    assert f'"GET /users/<token>/repos/{repository} HTTP/1.1" 200' in text
    assert f'"GET /share/<key>/repos/{repository}/traffic.csv HTTP/1.1" 200' in text
    assert '"GET /users/<token>/repos HTTP/1.1" 404' in text
    assert "Not Found: /share/<key>/elsewhere" in text


def _listening_port(log: Path) -> int:
    poll_until(lambda: "Listening at" in log.read_text(), what="gunicorn to listen")
    found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
    assert found is not None
    return int(found.group(1))
