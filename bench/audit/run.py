"""`make bench`'s entry for the audit log: chained appends per second on SQLite and
PostgreSQL (append.py prints its figures; see its docstring for its options)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

if __name__ == "__main__":
    script = Path(__file__).with_name("append.py")
    sys.exit(subprocess.call([sys.executable, str(script)]))  # noqa: S603 (our own script)
