"""The two dependency locks: production installs requirements.lock alone."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.MULTILINE)
    }


def declared(group: list[str]) -> set[str]:
    return {re.split(r"[<>=\[ ;]", item, maxsplit=1)[0].lower() for item in group}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_every_pin_in_both_locks_carries_a_hash():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", (ROOT / lock).read_text())
        pinned = [entry for entry in entries if re.match(r"[A-Za-z0-9_.-]+==", entry)]
        assert pinned, lock
        assert all("--hash=sha256:" in entry for entry in pinned), lock


def test_the_runtime_lock_has_every_runtime_dependency_and_no_development_tool():
    runtime = pins("requirements.lock")

    assert declared(PROJECT["dependencies"]) <= set(runtime)
    development_only = declared(PROJECT["optional-dependencies"]["dev"]) - declared(
        PROJECT["dependencies"]
    )
    assert development_only & set(runtime) == set()


def test_the_development_lock_pins_the_runtime_versions():
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")

    assert {name: development.get(name) for name in runtime} == runtime
