import unicodedata

from django.db import migrations, models


def email_keys_fill(apps, schema_editor):
    User = apps.get_model("users", "User")
    for user in User.objects.all().only("id", "email"):
        key = unicodedata.normalize("NFKC", user.email).casefold()
        User.objects.filter(id=user.id).update(email_key=key)


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=1024, null=True),
        ),
        migrations.RunPython(email_keys_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=1024, unique=True),
        ),
        migrations.RemoveConstraint(model_name="user", name="users_user_email_ci_unique"),
        migrations.AddField(
            model_name="user",
            name="trusted",
            field=models.BooleanField(
                default=False, help_text="May use the server's GitHub token (operators decide)."
            ),
        ),
    ]
