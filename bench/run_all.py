"""Runs every benchmark in turn and exits non-zero if any target is missed.

make bench        (about 5 minutes on 2 cores)
"""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = ["bench_api.py", "bench_pages.py", "bench_collection.py"]


def main() -> None:
    failed = []
    for script in SCRIPTS:
        print(f"\n## {script}\n", flush=True)
        if subprocess.run([sys.executable, str(BENCH / script)], check=False).returncode:
            failed.append(script)
    if failed:
        sys.exit(f"\nmissed a target: {', '.join(failed)}")


if __name__ == "__main__":
    main()
