"""Prepare the second Hongmian of the two-instance test, in its own process and database:

    python -m hongmian.crosscity.tests.second_instance PARTNER_URL

builds its schema from the models (as the test database is built: no migrations to replay,
a few seconds instead of a minute), makes its small world (worlds.city_world), registers the
first instance as its partner and prints {"api_key": …} for its handler."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


class _NoMigrations(dict[str, Any]):
    # pytest-django's --no-migrations does the same: every app's tables from its models.
    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def main(partner_url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    settings.MIGRATION_MODULES = _NoMigrations()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)

    from hongmian.core.actors import Actor
    from hongmian.crosscity.services.partners import partner_add
    from hongmian.crosscity.tests.worlds import city_world
    from hongmian.identity.services.api_keys import api_key_create

    world = city_world(partner_name="广州市", prefix="ga")
    actor = Actor.cli(None, label="second instance")
    _row, key = api_key_create(actor=actor, user=world["handler"], name="two-instance test")
    partner_add(actor=actor, code="440100", name="广州市", endpoint=partner_url)
    print(json.dumps({"api_key": key}))


if __name__ == "__main__":
    main(sys.argv[1])
