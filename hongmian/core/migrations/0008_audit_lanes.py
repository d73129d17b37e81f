"""The audit chain becomes lanes (decision 0061): each entry records its lane, places are
unique within a lane, and the heads of lanes 1..HONGMIAN_AUDIT_LANES exist. The entries
written before are lane 1's with their places and hashes unchanged (lane 1's entries are
serialised as before, `audit_chain.canonical`), so no entry is rewritten."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations, models


def heads_create(apps: Any, schema_editor: Any) -> None:
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    existing = set(AuditChainHead.objects.values_list("id", flat=True))
    lanes = max(1, int(settings.HONGMIAN_AUDIT_LANES))
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(id=lane) for lane in range(1, lanes + 1) if lane not in existing]
    )


def heads_remove(apps: Any, schema_editor: Any) -> None:
    # Back to one chain only while everything is still on lane 1: entries on other lanes
    # cannot be moved into it without rewriting their hashes.
    AuditEvent = apps.get_model("core", "AuditEvent")
    if AuditEvent.objects.exclude(lane=1).exists():
        raise RuntimeError("audit entries on lanes other than 1: the lanes cannot be undone")
    apps.get_model("core", "AuditChainHead").objects.exclude(id=1).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0007_rate_counter")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="lane",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="分链"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(verbose_name="链序号"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("lane", "seq"), name="audit_lane_seq_uniq"),
        ),
        migrations.RemoveConstraint(
            model_name="auditchainhead", name="core_auditchainhead_one_row"
        ),
        migrations.AddConstraint(
            model_name="auditchainhead",
            constraint=models.CheckConstraint(
                condition=models.Q(("id__gte", 1)), name="core_auditchainhead_lane"
            ),
        ),
        migrations.RunPython(heads_create, heads_remove, elidable=True),
    ]
