import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_queueing_a_task_creates_the_embedded_brokers_folders(tmp_path):
    """A fresh var/ has no broker folders: the first task queued (by the web process,
    before any worker ran) must still land in the queue, not fail."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "REPOTRAFFIC_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "",
    }
    script = (
        "import django; django.setup()\n"
        "from repotraffic.traffic.tasks import traffic_fetch_stale\n"
        "traffic_fetch_stale.delay()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)

    queued = list((tmp_path / "celery" / "queue").iterdir())
    assert len(queued) == 1 and queued[0].name.endswith(".msg")
    assert (tmp_path / "celery" / "control").is_dir()
