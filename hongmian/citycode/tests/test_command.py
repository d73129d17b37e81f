"""`hongmian citycode issue --username U` and `hongmian citycode verify PAYLOAD [--at …]`."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hongmian.citycode.selectors import citycode_jwks
from hongmian.citycode.tests.conftest import World

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("citycode", *args, stdout=out)
    except SystemExit as exc:
        return out.getvalue().strip(), int(exc.code or 0)
    return out.getvalue().strip(), 0


def test_issue_then_verify_now_and_after_the_minute(world: World, tmp_path: object) -> None:
    payload, status = _run("issue", "--username", "zhangsan")
    assert status == 0
    assert payload.count(".") == 2
    assert _run("verify", payload) == ('{"valid":true,"reason":"ok"}', 0)
    later = (timezone.now() + dt.timedelta(seconds=61)).isoformat()
    assert _run("verify", payload, "--at", later) == ('{"valid":false,"reason":"expired"}', 1)
    assert _run("verify", "garbage") == ('{"valid":false,"reason":"malformed"}', 1)


def test_verify_with_a_downloaded_key_set_file(world: World, tmp_path: object) -> None:
    from pathlib import Path

    payload, _ = _run("issue", "--username", "zhangsan")
    keys = Path(str(tmp_path)) / "keys.json"
    keys.write_text(json.dumps(citycode_jwks()), encoding="utf-8")
    assert _run("verify", payload, "--keys", str(keys)) == ('{"valid":true,"reason":"ok"}', 0)
    keys.write_text('{"keys": []}', encoding="utf-8")
    assert (
        _run("verify", payload, "--keys", str(keys))[0] == '{"valid":false,"reason":"unknown_key"}'
    )


def test_errors_name_their_code(world: World) -> None:
    with pytest.raises(CommandError, match=r"person\.not_found"):
        _run("issue", "--username", "nobody")
    with pytest.raises(CommandError, match=r"citycode\.at_invalid"):
        _run("verify", "a.b.c", "--at", "yesterday")
