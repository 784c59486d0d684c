"""ApiUsage, ApiUsageHour and OrgLimit moved to the usage app (sync writes them, health reads
them). Only Django's model state changes here; the tables stay, and usage.0001 adopts them."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('health', '0003_usage_hour_rollup'),
        ('usage', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='ApiUsage'),
                migrations.DeleteModel(name='ApiUsageHour'),
                migrations.DeleteModel(name='OrgLimit'),
            ],
            database_operations=[],
        ),
    ]
