"""`hongmian crosscity partner add|list`: registers through partner_add (key URLs default to
the Hongmian paths under the endpoint); a bad address is its code, exit 1, nothing written."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hongmian.crosscity.models import Partner


def test_partner_add_then_list(db: None) -> None:
    out = StringIO()
    call_command(
        "crosscity",
        "partner",
        "add",
        "--code",
        "511600",
        "--name",
        "广安市",
        "--endpoint",
        "http://127.0.0.1:8001/",
        stdout=out,
    )
    partner = Partner.objects.get()
    assert partner.keys_url == "http://127.0.0.1:8001/api/crosscity/keys.json"
    assert partner.certificates_keys_url == "http://127.0.0.1:8001/api/certificates/keys.json"
    assert partner.account is not None
    assert not partner.account.is_active
    listed = StringIO()
    call_command("crosscity", "partner", "list", stdout=listed)
    assert listed.getvalue().split("\t")[:2] == ["511600", "广安市"]


def test_partner_add_refuses_a_file_url(db: None) -> None:
    with pytest.raises(CommandError, match=r"crosscity\.partner_url_invalid"):
        call_command(
            "crosscity",
            "partner",
            "add",
            "--code",
            "511600",
            "--name",
            "广安市",
            "--endpoint",
            "file:///etc/passwd",
        )
    assert not Partner.objects.exists()
