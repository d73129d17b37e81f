"""`hongmian run_all`: the web server, the task worker and the scheduler, side by side.

For the demo and small installations. Production runs the three as separate services
(docs/deployment.md). If one of them exits, the others are stopped, so a broken worker is
never hidden behind a running web server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server, the background worker and the scheduler together."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="web worker processes")
        # Threads overlap the database round trips; 2 × 8 measured best on two cores
        # (docs/decisions/0011-intake-throughput.md).
        parser.add_argument("--threads", type=int, default=8, help="threads per web worker")

    def handle(self, *args: Any, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        hongmian = os.path.join(bin_dir, "hongmian")
        commands = {
            "web": [
                os.path.join(bin_dir, "gunicorn"),
                # The access log with secrets redacted (hongmian.core.logredact).
                "--config",
                str(Path(settings.BASE_DIR) / "config" / "gunicorn.py"),
                "config.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--threads",
                str(options["threads"]),
                # API clients keep their connection between requests (a new TCP connection
                # per request costs more than the request itself).
                "--keep-alive",
                "75",
                "--access-logfile",
                "-",
            ],
            "worker": [hongmian, "db_worker", "--interval", "1"],
            "scheduler": [hongmian, "crontask"],
        }
        procs: dict[str, subprocess.Popen[bytes]] = {}
        for name, argv in commands.items():
            procs[name] = subprocess.Popen(argv)  # noqa: S603 — our own executables, fixed argv
            self.stdout.write(f"started {name} (pid {procs[name].pid})")
        self.stdout.write(
            self.style.SUCCESS(f"红棉 Hongmian: http://{options['host']}:{options['port']}/")
        )

        def stop(*_: object) -> None:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        try:
            while all(p.poll() is None for p in procs.values()):
                time.sleep(0.5)
            for name, proc in procs.items():
                if proc.poll() not in (None, 0, -signal.SIGTERM):
                    self.stderr.write(f"{name} exited with {proc.returncode}; stopping the rest")
                    exit_code = 1
        finally:
            stop()
            for proc in procs.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if exit_code:
            sys.exit(exit_code)
