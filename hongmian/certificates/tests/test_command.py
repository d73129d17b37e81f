"""`hongmian certificates …`: the exact command-line contract."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import jwt
import pytest
from django.core.management import CommandError, call_command

from hongmian.certificates.models import Certificate
from hongmian.certificates.states import KEY_PURPOSE
from hongmian.certificates.tests.conftest import MARRIAGE, World
from hongmian.certificates.type_specs import SPECS
from hongmian.core.keyring import keyring_jwks

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("certificates", *args, stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return out.getvalue(), int(exit_.code or 0)
    return out.getvalue(), 0


def test_types_one_code_a_line() -> None:
    out, status = run("types")
    assert status == 0
    assert out.splitlines() == list(SPECS)


def test_issue_verify_revoke(world: World, tmp_path: Path) -> None:
    path = tmp_path / "cert.jws"
    out, status = run(
        "issue",
        "--type",
        "marriage",
        "--holder",
        world.person.resident_id,
        "--data",
        json.dumps(MARRIAGE),
        "--out",
        str(path),
    )
    assert status == 0
    token = path.read_text().strip()
    assert token.count(".") == 2
    cert = Certificate.objects.get(token=token)
    assert cert.person == world.person
    # Verifiable by a third party with the key set alone.
    key = jwt.PyJWKSet.from_dict(keyring_jwks(KEY_PURPOSE))[cert.kid].key
    assert jwt.decode(token, key, algorithms=["ES256"])["ctp"] == "marriage"

    out, status = run("verify", str(path))
    assert (out.strip(), status) == ('{"valid":true,"reason":"ok"}', 0)

    run("revoke", "--id", str(cert.cert_id))
    out, status = run("verify", str(path))
    assert (out.strip(), status) == ('{"valid":false,"reason":"revoked"}', 1)

    path.write_text(token[:-6] + "AAAAAA")
    out, _ = run("verify", str(path))
    assert json.loads(out) == {"valid": False, "reason": "bad_signature"}


def test_issue_to_a_username_and_a_credit_code(world: World, tmp_path: Path) -> None:
    run(
        "issue",
        "--type",
        "marriage",
        "--holder",
        "zhangsan",
        "--data",
        json.dumps(MARRIAGE),
        "--out",
        str(tmp_path / "a"),
    )
    assert world.person.certificates.count() == 1
    data = {"licence_no": "JY14401060001234", "business_type": "热食类食品制售"}
    run(
        "issue",
        "--type",
        "food_licence",
        "--holder",
        world.enterprise.credit_code,
        "--data",
        json.dumps(data),
        "--out",
        str(tmp_path / "b"),
    )
    assert world.enterprise.certificates.count() == 1


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (
            ["--type", "passport", "--holder", "zhangsan", "--data", "{}"],
            "certificate.type_unknown",
        ),
        (["--type", "marriage", "--holder", "ghost", "--data", "{}"], "certificate.holder_unknown"),
        (
            ["--type", "marriage", "--holder", "zhangsan", "--data", "{oops"],
            "certificate.data_not_json",
        ),
        (
            ["--type", "marriage", "--holder", "zhangsan", "--data", "{}"],
            "certificate.data_invalid",
        ),
    ],
)
def test_issue_errors_are_coded_and_write_nothing(
    world: World, tmp_path: Path, args: list[str], code: str
) -> None:
    target = tmp_path / "out.jws"
    with pytest.raises(CommandError, match=re.escape(code)):
        call_command("certificates", "issue", *args, "--out", str(target), stderr=StringIO())
    assert not target.exists()
    assert not Certificate.objects.exists()


def test_verify_garbage_and_missing_file(tmp_path: Path, db: None) -> None:
    path = tmp_path / "x.jws"
    path.write_bytes(b"\xff\xfe not a certificate")
    out, status = run("verify", str(path))
    assert (out.strip(), status) == ('{"valid":false,"reason":"bad_format"}', 1)
    with pytest.raises(CommandError, match=r"certificate\.file_unreadable"):
        call_command("certificates", "verify", str(tmp_path / "missing"))


def test_revoke_unknown_id(db: None) -> None:
    with pytest.raises(CommandError, match=r"certificate\.not_found"):
        call_command("certificates", "revoke", "--id", "not-a-uuid")
