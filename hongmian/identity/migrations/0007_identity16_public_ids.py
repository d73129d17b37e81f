"""Opaque public ids for persons and enterprises (decision 0074): added empty, filled for
every existing row with fresh randomness, then made unique and required."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

import hongmian.identity.models


def fill(apps: Any, schema_editor: Any) -> None:
    for name in ("Person", "Enterprise"):
        model = apps.get_model("identity", name)
        rows = list(model.objects.filter(public_id__isnull=True).only("pk"))
        for row in rows:
            row.public_id = hongmian.identity.models.new_public_id()
        model.objects.bulk_update(rows, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("identity", "0006_assisted13_mandates")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="public_id",
            field=models.CharField(
                editable=False, max_length=22, null=True, verbose_name="公开标识"
            ),
        ),
        migrations.AddField(
            model_name="enterprise",
            name="public_id",
            field=models.CharField(
                editable=False, max_length=22, null=True, verbose_name="公开标识"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="person",
            name="public_id",
            field=models.CharField(
                default=hongmian.identity.models.new_public_id,
                editable=False,
                max_length=22,
                unique=True,
                verbose_name="公开标识",
            ),
        ),
        migrations.AlterField(
            model_name="enterprise",
            name="public_id",
            field=models.CharField(
                default=hongmian.identity.models.new_public_id,
                editable=False,
                max_length=22,
                unique=True,
                verbose_name="公开标识",
            ),
        ),
    ]
