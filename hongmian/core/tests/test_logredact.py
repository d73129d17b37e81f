"""An Open311 `api_key` in a query string never reaches a log: runserver's request lines,
gunicorn's access log, and anything else logged through the configured handlers."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from hongmian.core.logredact import redact

SECRET = "hm_0123456789ab_s3cretvalue"


def test_redact_replaces_the_value_of_secret_parameters_only() -> None:
    line = f"GET /open311/v2/requests.json?jurisdiction_id=gz&api_key={SECRET}&x=1 HTTP/1.1"

    assert redact(line) == (
        "GET /open311/v2/requests.json?jurisdiction_id=gz&api_key=[redacted]&x=1 HTTP/1.1"
    )
    assert redact(f"/a?API_KEY={SECRET}") == "/a?API_KEY=[redacted]"
    assert redact("/a?monkey_api_key=1&apikeys=2") == "/a?monkey_api_key=1&apikeys=2"


def _captured(logger: logging.Logger, *args: object) -> str:
    """What the configured handlers of `logger` (or, propagating, the root's) write."""
    handlers = logger.handlers if not logger.propagate else logging.getLogger().handlers
    # Ours only: pytest adds its own capturing handlers next to them.
    ours = [h for h in handlers if type(h) is logging.StreamHandler]
    assert ours, "no configured stream handler"
    stream = io.StringIO()
    swapped = [(h, h.setStream(stream)) for h in ours]
    try:
        logger.info(*args)
    finally:
        for handler, old in swapped:
            handler.setStream(old)
    return stream.getvalue()


def test_runserver_request_lines_are_redacted() -> None:
    # What django.core.servers.basehttp.WSGIRequestHandler.log_message sends.
    written = _captured(
        logging.getLogger("django.server"),
        '"%s" %s %s',
        f"GET /open311/v2/requests.json?api_key={SECRET} HTTP/1.1",
        "200",
        "2",
    )

    assert "api_key=[redacted]" in written
    assert SECRET not in written


def test_any_logger_through_the_root_handler_is_redacted() -> None:
    written = _captured(
        logging.getLogger("hongmian.somewhere"), "fetched %s", f"/x?api_key={SECRET}"
    )

    assert written.strip() == "fetched /x?api_key=[redacted]"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_access_log_is_redacted(tmp_path: Path) -> None:
    # The real server with the project's config file (as `hongmian run_all` starts it), one
    # request with a key in the query string, then the access log file is read. About 2 s:
    # gunicorn's start-up and one Django request.
    port, log = _free_port(), tmp_path / "access.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    proc = subprocess.Popen(  # noqa: S603 — our own executable, fixed argv
        [
            str(gunicorn),
            "--config",
            str(Path(settings.BASE_DIR) / "config" / "gunicorn.py"),
            "--access-logfile",
            str(log),
            "--bind",
            f"127.0.0.1:{port}",
            "config.wsgi:application",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/open311/v2/discovery.json?api_key={SECRET}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=60).read()
                break
            except urllib.error.HTTPError:
                break  # an answer all the same: the request was logged
            except OSError:  # not listening yet (URLError is an OSError)
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer")
                time.sleep(0.2)
        for _ in range(50):  # the access log is written after the response
            if log.exists() and "discovery" in log.read_text():
                break
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    text = log.read_text()
    assert "/open311/v2/discovery.json?api_key=[redacted]" in text
    assert SECRET not in text
