"""Issue 11: the commune's hours are its places' (rendezvous.PlaceHours), no longer a free
text here. The column leaves the model but stays in the database, with a default, until
every commune's schema has been migrated: rendezvous 0005 reads it to give the text to the
mairie's reception place. A later migration may drop it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0007_membership_title"),
    ]

    operations = [
        migrations.AlterField(
            model_name="collectivite",
            name="opening_hours",
            field=models.TextField(blank=True, db_default="", verbose_name="horaires d'ouverture"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="collectivite", name="opening_hours")]
        ),
    ]
