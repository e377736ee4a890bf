"""Dependencies point one way: `installations` sits above `users` and below
`repositories` and `traffic`, which use it to choose a credential; it never imports
them."""

from pathlib import Path

import repotraffic.installations
from repotraffic.repositories.tests.test_dependencies import imported

PACKAGE = "repotraffic.installations"
ROOT = Path(repotraffic.installations.__file__).parent
ABOVE = (
    "repotraffic.repositories",
    "repotraffic.traffic",
    "repotraffic.sharing",
    "repotraffic.dashboard",
)


def test_installations_imports_no_app_above_it():
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        names = imported(path.read_text(), package=PACKAGE)
        assert not [name for name in names if name.startswith(ABOVE)], path
