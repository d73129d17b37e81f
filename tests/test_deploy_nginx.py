"""The one nginx configuration docs/deployment.md describes (deploy/nginx/hongmian.conf) is
valid for the nginx Debian ships: `nginx -t -c` over a copy whose certificate, log, pid and
cache paths point into the test's folder. Without nginx the test is skipped, unless CI=true
(.ci/run installs nginx-light), where a missing nginx is a failure."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "hongmian.conf"


def _nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx-light")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return found


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "hongmian.crt", folder / "hongmian.key"
    argv = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    argv += ["-subj", "/CN=12345.gz.gov.cn", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(  # noqa: S603 — a fixed program on the test's own files
        argv,
        check=True,
        capture_output=True,
    )
    return cert, key


def test_the_nginx_configuration_is_valid(tmp_path: Path) -> None:
    nginx = _nginx()
    cert, key = _self_signed(tmp_path)
    text = CONF.read_text(encoding="utf-8")
    moved = {
        "/etc/nginx/tls/hongmian.crt": cert,
        "/etc/nginx/tls/hongmian.key": key,
        "/run/nginx-hongmian.pid": tmp_path / "nginx.pid",
        "/var/log/nginx/": f"{tmp_path}/",
        "/var/cache/nginx/hongmian": tmp_path / "cache",
    }
    for old, new in moved.items():
        assert old in text, f"{old} is no longer in the configuration: update this test"
        text = text.replace(old, str(new))
    copy = tmp_path / "nginx.conf"
    copy.write_text(text, encoding="utf-8")
    done = subprocess.run(  # noqa: S603 — the installed nginx on the test's own copy
        [
            nginx,
            "-t",
            "-q",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(copy),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_access_log_never_holds_a_query_string() -> None:
    # An Open311 client may send its api_key in the query string (issue 16, item 4).
    formats = re.findall(r"log_format\s+\w+\s+((?:'[^']*'\s*)+);", CONF.read_text(encoding="utf-8"))
    assert formats, "no log_format in the configuration"
    for fmt in formats:
        for variable in (
            "$request ",
            '$request"',
            "$request_uri",
            "$args",
            "$query_string",
            "$arg_",
        ):
            assert variable not in fmt
    assert re.search(r"access_log\s+\S+\s+hongmian;", CONF.read_text(encoding="utf-8"))
