"""Adopts the table integration.0001 created for AuditEntry: the model state moves here, the
database is not touched (integration.0003 drops the model from its state). The content type
follows, so permissions granted on the model survive."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, source="integration", target="audit"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=target, model="auditentry").exists():
        types.filter(app_label=source, model="auditentry").update(app_label=target)


def restore_content_type(apps, schema_editor):
    move_content_type(apps, schema_editor, source="audit", target="integration")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('integration', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('create', 'Created'), ('change', 'Changed'), ('delete', 'Deleted'), ('refused', 'Refused')], max_length=8)),
                        ('target', models.CharField(max_length=200)),
                        ('changes', models.JSONField(blank=True, default=dict)),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_entries', to='accounts.account')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'audit entries',
                        'ordering': ['-at', '-id'],
                        'db_table': 'integration_auditentry',
                        'indexes': [models.Index(fields=['account', '-at'], name='integration_account_492189_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
