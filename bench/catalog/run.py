"""`make bench`'s entry for the catalogue: the import figures, then search quality and
latency (each script prints its own; see their docstrings for their options)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

if __name__ == "__main__":
    for script in ("import_bench.py", "search_bench.py"):
        print(f"-- {script}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / script)])  # noqa: S603 (our own script)
        if code:
            sys.exit(code)
