"""AuditEntry moved to the audit app (accounts writes it too, and must not import
integration). Only Django's model state changes here; the table stays, and audit.0001
adopts it."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('integration', '0002_value_mappings_object_deletion'),
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AuditEntry')],
            database_operations=[],
        ),
    ]
