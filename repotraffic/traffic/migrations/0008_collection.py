import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery

# Collection's fields, each with the Repository column it comes from.
MOVED = {
    "last_attempt_at": "last_attempt_at",
    "last_success_at": "last_success_at",
    "last_error": "last_error",
    "last_error_at": "last_error_at",
    "lease_owner": "collection_lease_owner",
    "lease_until": "collection_lease_until",
    "requested_at": "collection_requested_at",
    "collected_from": "collected_from",
    "collected_until": "collected_until",
    "traffic_updated_at": "traffic_updated_at",
}


def collection_copy(apps, schema_editor):
    """Every repository gets its Collection, holding what its own columns held: one
    INSERT ... SELECT, the same on SQLite and PostgreSQL, however many repositories."""
    Repository = apps.get_model("repositories", "Repository")
    Collection = apps.get_model("traffic", "Collection")
    quote = schema_editor.quote_name

    def columns(model, names):
        return ", ".join(quote(model._meta.get_field(name).column) for name in names)

    schema_editor.execute(
        f"INSERT INTO {quote(Collection._meta.db_table)} "
        f"({columns(Collection, ['repository', *MOVED])}) "
        f"SELECT {columns(Repository, ['id', *MOVED.values()])} "
        f"FROM {quote(Repository._meta.db_table)}"
    )


def collection_copy_back(apps, schema_editor):
    """The reverse: each repository's columns (added back, empty, by the reverse of
    repositories 0004) take its Collection's values again; one UPDATE."""
    Repository = apps.get_model("repositories", "Repository")
    Collection = apps.get_model("traffic", "Collection")
    db = schema_editor.connection.alias
    state = Collection.objects.using(db).filter(repository_id=OuterRef("pk"))
    Repository.objects.using(db).filter(Exists(state)).update(
        **{old: Subquery(state.values(new)[:1]) for new, old in MOVED.items()}
    )


class Migration(migrations.Migration):
    """A repository's collection state moves from its own columns to traffic.Collection:
    the collection owns it, and `repositories` no longer imports `traffic`. Then
    repositories 0004 drops the columns."""

    dependencies = [
        ('repositories', '0003_collection_lease'),
        ('traffic', '0007_star_history'),
    ]

    operations = [
        migrations.CreateModel(
            name='Collection',
            fields=[
                ('repository', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='collection', serialize=False, to='repositories.repository')),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('last_success_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True, default='')),
                ('last_error_at', models.DateTimeField(blank=True, null=True)),
                ('lease_owner', models.CharField(blank=True, default='', editable=False, max_length=32)),
                ('lease_until', models.DateTimeField(blank=True, editable=False, null=True)),
                ('requested_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('collected_from', models.DateField(blank=True, editable=False, null=True)),
                ('collected_until', models.DateField(blank=True, editable=False, null=True)),
                ('traffic_updated_at', models.DateTimeField(blank=True, editable=False, null=True)),
            ],
        ),
        migrations.RunPython(collection_copy, collection_copy_back, elidable=False),
    ]
