"""The city code's key set is rows (core_signingkey with purpose `citycode`, and
citycode_keyrevocation): a backup carries them in its database dump, and after a restore a
code signed before the backup still verifies with the restored keys.json, and a revoked key
is still listed (decision 0062). Transactional, ≈ 1 s on SQLite and ≈ 7 s on PostgreSQL
(pg_dump and pg_restore): backup and restore are the operators' commands, run outside any
test transaction, and the drill is the only proof that the key set comes back whole."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from hongmian.citycode.selectors import citycode_jwks, key_set_forget
from hongmian.citycode.services.codes import citycode_issue, holder_of
from hongmian.citycode.services.keys import citycode_key_revoke, citycode_key_rotate
from hongmian.citycode.verification import KeySet, citycode_verify
from hongmian.core.actors import Actor
from hongmian.core.keyring import keyring_cache_clear
from hongmian.identity.tests.factories import PersonFactory


@pytest.mark.django_db(transaction=True)
def test_the_key_set_survives_a_backup_and_restore(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    storages = dict(settings.STORAGES)
    storages["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "attachments"), "base_url": None},
    }
    settings.STORAGES = storages
    settings.HONGMIAN_ANALYTICS_STORE = tmp_path / "analytics"
    actor = Actor.cli(None, "test")
    holder = holder_of(actor=actor, person=PersonFactory())
    old = citycode_issue(holder=holder).payload
    old_kid = citycode_jwks()["keys"][0]["kid"]
    citycode_key_rotate(actor=actor)
    payload = citycode_issue(holder=holder).payload
    citycode_key_revoke(actor=actor, kid=old_kid, reason="演练")
    before = citycode_jwks()

    out = tmp_path / "backup"
    call_command("backup", "--out", str(out), stdout=StringIO())
    counts = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["database"]
    assert counts["row_counts"]["citycode_keyrevocation"] == 1
    call_command("flush", interactive=False, verbosity=0)
    keyring_cache_clear()
    key_set_forget()
    assert citycode_jwks() == {"keys": [], "revoked": []}
    call_command("restore", str(out), stdout=StringIO())

    after = citycode_jwks()
    assert after == before
    keys = KeySet.from_jwks(after)
    assert citycode_verify(payload, keys, timezone.now()).reason == "ok"
    assert citycode_verify(old, keys, timezone.now()).reason == "revoked_key"
