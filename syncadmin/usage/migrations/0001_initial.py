"""Adopts the tables health.0001–0003 created (ApiUsage, ApiUsageHour, OrgLimit): the model
state moves here, the database is not touched (health.0004 drops the same models from its
state). The content types follow, so permissions granted on these models survive."""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("apiusage", "apiusagehour", "orglimit")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label="usage", model=model).exists():
            ContentType.objects.using(db).filter(app_label="health", model=model).update(
                app_label="usage")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label="health", model=model).exists():
            ContentType.objects.using(db).filter(app_label="usage", model=model).update(
                app_label="health")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('health', '0003_usage_hour_rollup'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ApiUsage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('remote', models.CharField(max_length=10)),
                        ('endpoint', models.CharField(max_length=100)),
                        ('minute', models.DateTimeField()),
                        ('calls', models.PositiveIntegerField(default=0)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_usage', to='accounts.account')),
                    ],
                    options={
                        'db_table': 'health_apiusage',
                        'indexes': [models.Index(fields=['account', 'remote', 'minute', 'calls'], name='usage_minute_calls')],
                        'constraints': [models.UniqueConstraint(fields=('account', 'remote', 'endpoint', 'minute'), name='one_usage_bucket')],
                    },
                ),
                migrations.CreateModel(
                    name='ApiUsageHour',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('remote', models.CharField(max_length=10)),
                        ('hour', models.DateTimeField()),
                        ('calls', models.PositiveIntegerField(default=0)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                    ],
                    options={
                        'db_table': 'health_apiusagehour',
                        'constraints': [models.UniqueConstraint(fields=('account', 'remote', 'hour'), name='one_usage_hour')],
                    },
                ),
                migrations.CreateModel(
                    name='OrgLimit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('used', models.PositiveIntegerField(default=0)),
                        ('max', models.PositiveIntegerField(default=0)),
                        ('seen_at', models.DateTimeField(auto_now=True)),
                        ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='org_limit', to='accounts.account')),
                    ],
                    options={
                        'db_table': 'health_orglimit',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
