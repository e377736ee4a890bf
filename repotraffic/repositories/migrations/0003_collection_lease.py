from django.db import migrations, models


class Migration(migrations.Migration):
    """The fixed 10-minute collection lock becomes a lease with an owner, renewed while
    its collection runs; and a collection request that a worker's start catches up on."""

    dependencies = [
        ('repositories', '0002_collected_range'),
    ]

    operations = [
        migrations.RenameField(
            model_name='repository',
            old_name='collection_lock_until',
            new_name='collection_lease_until',
        ),
        migrations.AddField(
            model_name='repository',
            name='collection_lease_owner',
            field=models.CharField(blank=True, default='', editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name='repository',
            name='collection_requested_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
