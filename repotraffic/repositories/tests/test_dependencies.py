"""Dependencies point one way, dashboard -> traffic -> repositories: `repositories` never
imports an app above it, not even lazily inside a function (which once hid a cycle with
`traffic`). It tells them of a new repository with a signal instead (signals.py)."""

import ast
from pathlib import Path

import pytest

import repotraffic.repositories

PACKAGE = "repotraffic.repositories"
ROOT = Path(repotraffic.repositories.__file__).parent
ABOVE = ("repotraffic.traffic", "repotraffic.dashboard", "repotraffic.sharing")


def modules() -> list[Path]:
    """The package's own modules, its tests left out (they may use any app)."""
    return sorted(
        path for path in ROOT.rglob("*.py") if "tests" not in path.relative_to(ROOT).parts
    )


def imported(source: str, *, package: str) -> set[str]:
    """Every module the source of a module in `package` imports, at its top or anywhere
    inside, relative imports resolved."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def above(names: set[str]) -> set[str]:
    return {name for name in names for app in ABOVE if name == app or name.startswith(f"{app}.")}


def test_the_check_sees_lazy_and_relative_imports():
    source = (
        "import repotraffic.dashboard.views\n"
        "def queue():\n"
        "    from repotraffic.traffic.tasks import traffic_fetch_repository_queue\n"
        "    from ..sharing import models\n"
        "    from . import selectors\n"
    )

    assert above(imported(source, package=PACKAGE)) == {
        "repotraffic.dashboard.views",
        "repotraffic.traffic.tasks",
        "repotraffic.traffic.tasks.traffic_fetch_repository_queue",
        "repotraffic.sharing",
        "repotraffic.sharing.models",
    }
    assert ROOT / "services.py" in modules()
    assert not any("tests" in path.parts for path in modules())


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_imports_an_app_above_repositories(path):
    package = ".".join([PACKAGE, *path.relative_to(ROOT).parent.parts])

    found = above(imported(path.read_text(), package=package))

    assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}"
