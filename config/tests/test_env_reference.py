"""`.env.example` is the one configuration reference: it lists exactly the variables
that the settings read, so the two cannot drift apart."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Read by something other than config/env.py's helpers: Django and Celery's entry points
# (manage.py, wsgi.py, celery.py), and the Makefile and Procfile.
READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE", "PORT"}

PRODUCTION_SECRETS = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "traffic.example.com",
    "REPOTRAFFIC_ENCRYPTION_KEY": "q8fJ3UOz4J9Xw2b0xR9c1sB7yXy1mD0pQ6vT3nL5kAw=",
}


def names_read_by(settings_module: str) -> set[str]:
    """Every variable the settings module (and gunicorn's config) asks for."""
    script = (
        "import json, importlib\n"
        f"importlib.import_module({settings_module!r})\n"
        "importlib.import_module('config.gunicorn')\n"
        "from config.env import NAMES_READ\n"
        "print(json.dumps(sorted(NAMES_READ)))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(PRODUCTION_SECRETS)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout))


def names_documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_every_variable_the_settings_read_is_documented():
    read = names_read_by("config.settings.production") | names_read_by("config.settings.dev")

    assert read - names_documented() == set()


def test_nothing_documented_is_left_unread():
    read = names_read_by("config.settings.production") | names_read_by("config.settings.dev")

    assert names_documented() - read - READ_ELSEWHERE == set()


def test_the_readme_points_to_the_reference():
    assert "[.env.example](.env.example)" in (ROOT / "README.md").read_text()
