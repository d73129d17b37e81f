"""Every audit entry now has its place in the chain (0004 chained the old ones). A migration
of its own: on PostgreSQL a table whose rows were just updated in the same transaction
cannot be altered."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_chain")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="链序号"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor_label", "-created_at"], name="audit_actor_idx"),
        ),
    ]
