"""demo_link (`make demo`): the demo's link, printed again once the web server answers,
below the logs of the processes started next to it."""

import io
import re
import socket

import pytest
from django.core.management import CommandError, call_command

TOKEN = "0123456789abcdef0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_prints_the_kept_link_once_the_server_answers(live_server, var_dir):
    (var_dir / "demo-api-token").write_text(TOKEN + "\n")
    out = io.StringIO()

    call_command("demo_link", "--base-url", live_server.url, stdout=out)

    assert f"The demo is up: {live_server.url}/users/{TOKEN}/repos" in out.getvalue()


def test_without_a_kept_token_it_says_to_seed_first(live_server, var_dir):
    with pytest.raises(CommandError, match=re.escape("run `manage.py demo_seed` first")):
        call_command("demo_link", "--base-url", live_server.url)


def test_gives_up_when_nothing_answers_without_printing_the_token(var_dir):
    (var_dir / "demo-api-token").write_text(TOKEN + "\n")
    url = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(CommandError, match=re.escape(f"{url} did not answer")) as raised:
        call_command("demo_link", "--base-url", url, "--timeout", "0.2")

    assert TOKEN not in str(raised.value)


def test_refuses_a_base_url_it_cannot_poll(var_dir):
    (var_dir / "demo-api-token").write_text(TOKEN + "\n")

    with pytest.raises(CommandError, match="must be an http"):
        call_command("demo_link", "--base-url", "file:///etc/passwd")
