"""Production's static files: the JS modules import each other by their hashed names."""

import json
import re

from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.ModulesManifestStaticFilesStorage"},
}


def test_collected_modules_import_the_hashed_files_the_pages_preload(tmp_path):
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--noinput", verbosity=0)

    hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for page_script, module in [("repository.js", "charts.js"), ("manage.js", "api.js")]:
        source = (tmp_path / hashed[f"dashboard/{page_script}"]).read_text()
        imports = re.findall(r'from "\./([^"]+)"', source)
        assert imports == [hashed[f"dashboard/{module}"].removeprefix("dashboard/")]
