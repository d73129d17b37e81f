# The classifiers and the hot spots moved to the insights app (decision 0024). Their tables
# are renamed to the new app's names here, while the models are still the hotline's in the
# migration state; then the hotline forgets them. insights/0001 takes them over, in state
# only, so every row stays where it is. Renaming a table moves no data: PostgreSQL and
# SQLite (3.26+) rewrite the foreign keys that point at it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('hotline', '0004_classifier'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable('classificationfeedback', 'insights_classificationfeedback'),
                migrations.AlterModelTable('classifiermodel', 'insights_classifiermodel'),
                migrations.AlterModelTable('hotspotalert', 'insights_hotspotalert'),
                migrations.AlterModelTable('hotspot', 'insights_hotspot'),
            ],
            state_operations=[
                migrations.DeleteModel('ClassificationFeedback'),
                migrations.DeleteModel('ClassifierModel'),
                migrations.DeleteModel('HotspotAlert'),
                migrations.DeleteModel('Hotspot'),
            ],
        ),
    ]
