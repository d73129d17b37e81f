"""Queues at a million orders, the second step (decision 0037): an index for `sort=age` over
every status, and on PostgreSQL the character-bigram GIN index that `q` asks first
(hotline/text_search.py). The inbox needs no new column: it reads `lead_unit`."""

import datetime

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from hongmian.hotline.text_search import GRAMS_DROP_SQL, text_search_index_ensure


def grams_create(apps, schema_editor):
    # PostgreSQL only: SQLite's `q` stays the plain LIKE scan.
    text_search_index_ensure(using=schema_editor.connection.alias)


def grams_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GRAMS_DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("hotline", "0009_queueperf_clock_fields"),
        ("identity", "0002_api_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    "dispatched_at",
                    models.Value(datetime.datetime(9000, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    output_field=models.DateTimeField(),
                ),
                models.F("created_at"),
                models.F("id"),
                name="hotline_order_age",
            ),
        ),
        migrations.RunPython(grams_create, grams_drop, elidable=False),
    ]
