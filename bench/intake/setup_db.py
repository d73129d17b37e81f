"""Prepare a freshly migrated benchmark database: the organisation units of the identity
demo (dispatch rules and imported orders name them), the hotline's defaults, and one
agent account for the API. Run with DATABASE_URL set, by run.py:

    .venv/bin/python bench/intake/setup_db.py USERNAME

Prints nothing on success; `hongmian apikey create` issues the key afterwards.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction

    from hongmian.core.actors import Actor
    from hongmian.hotline.services.defaults import hotline_defaults_load
    from hongmian.identity import demo as identity_demo
    from hongmian.identity.models import OrgUnit, User
    from hongmian.identity.services import user_create
    from hongmian.identity.states import Role

    actor = Actor.system("bench")
    username = sys.argv[1]
    with transaction.atomic():
        identity_demo.seed_org_units(actor=actor, progress=lambda *_: None)
        hotline_defaults_load(actor=actor)
        if not User.objects.filter(username=username).exists():
            user_create(
                actor=actor,
                username=username,
                # Never used to log in: the benchmark authenticates with an API key.
                password=secrets.token_urlsafe(24) + "aA1!",
                role=Role.HOTLINE_AGENT,
                display_name="压测话务员",
                org_unit=OrgUnit.objects.get(code=identity_demo.HOTLINE_CODE),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
