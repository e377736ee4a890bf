from django.db import migrations, models
from django.db.models import F, Q


def traffic_days_mark_partial(apps, schema_editor):
    """Rows stored before days were flagged: complete, except each repository's newest
    collected day (last seen as today, in progress) and its oldest (last seen cut short)."""
    TrafficDay = apps.get_model("traffic", "TrafficDay")
    TrafficDay.objects.filter(
        Q(date=F("repository__collected_until")) | Q(date=F("repository__collected_from"))
    ).update(partial=True)


class Migration(migrations.Migration):
    dependencies = [
        ("repositories", "0003_collection_lease"),
        ("traffic", "0003_repository_snapshot"),
    ]

    operations = [
        migrations.AddField(
            model_name="trafficday",
            name="partial",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(traffic_days_mark_partial, migrations.RunPython.noop),
    ]
