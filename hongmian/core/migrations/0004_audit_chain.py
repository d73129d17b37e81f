"""The audit log becomes a hash chain (decision 0046): the entries already written are
chained in the order they were written (by id), then every column is required."""

from __future__ import annotations

import hashlib
from typing import Any

import django.utils.timezone
from django.db import migrations, models

BATCH = 2000


def chain_existing(apps: Any, schema_editor: Any) -> None:
    # The historical model has no methods: the canonical form comes from the chain module,
    # which is the one definition of it (a second copy here could drift from it).
    from hongmian.core.audit_chain import GENESIS, canonical

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    prev_hash, seq, last_id = GENESIS, 0, 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        for event in rows:
            seq += 1
            content = canonical(
                seq=seq,
                created_at=event.created_at,
                actor_label=event.actor_label,
                via=event.via,
                client_address=event.client_address,
                action=event.action,
                target_type=event.target_type,
                target_id=event.target_id,
                before=event.before,
                after=event.after,
            )
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = hashlib.sha256(
                prev_hash.encode() + b"\n" + content
            ).hexdigest()
        AuditEvent.objects.bulk_update(rows, ["seq", "prev_hash", "hash"])
        if len(rows) < BATCH:
            break
        last_id = rows[-1].id
    AuditChainHead.objects.update_or_create(id=1, defaults={"length": seq, "last_hash": prev_hash})


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendar_overrides")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("length", models.PositiveBigIntegerField(default=0, verbose_name="长度")),
                (
                    "last_hash",
                    models.CharField(default="0" * 64, max_length=64, verbose_name="末条哈希"),
                ),
            ],
            options={
                "verbose_name": "审计链头",
                "verbose_name_plural": "审计链头",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="core_auditchainhead_one_row"
                    )
                ],
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="时间"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="前一条哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=True),
    ]
