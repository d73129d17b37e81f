"""`hongmian geo parse` and `hongmian geo load`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hongmian.geo.models import Division


def _run(*args: str) -> str:
    out = StringIO()
    call_command("geo", *args, stdout=out)
    return out.getvalue()


def test_parse_prints_one_line_of_json() -> None:
    out = _run("parse", "番禺大石")
    assert out.endswith("\n")
    assert out.count("\n") == 1
    assert "番禺区" in out  # ensure_ascii=False
    assert json.loads(out) == {
        "district": {"code": "440113000", "name": "番禺区"},
        "street": {"code": "440113012", "name": "大石街道"},
        "confidence": json.loads(out)["confidence"],
    }


def test_parse_unknown() -> None:
    assert json.loads(_run("parse", "北京市朝阳区")) == {
        "district": None,
        "street": None,
        "confidence": 0.0,
    }


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_refuses_empty_text(text: str) -> None:
    with pytest.raises(CommandError, match="地址不能为空"):
        _run("parse", text)


@pytest.mark.django_db
def test_load() -> None:
    assert "190" in _run("load")
    assert "：0 条" in _run("load")
    assert Division.objects.count() == 190
