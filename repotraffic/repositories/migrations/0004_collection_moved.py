from django.db import migrations


class Migration(migrations.Migration):
    """The collection state, copied to traffic.Collection by traffic 0008, leaves the
    repository."""

    dependencies = [
        ('repositories', '0003_collection_lease'),
        ('traffic', '0008_collection'),
    ]

    operations = [
        migrations.RemoveField(model_name='repository', name=name)
        for name in (
            'last_attempt_at',
            'last_success_at',
            'last_error',
            'last_error_at',
            'collection_lease_owner',
            'collection_lease_until',
            'collection_requested_at',
            'collected_from',
            'collected_until',
            'traffic_updated_at',
        )
    ]
