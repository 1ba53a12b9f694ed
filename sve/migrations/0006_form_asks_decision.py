"""A form says whether it asks for a decision (issue 24 §4, sve.deadlines
.implicit_outcome_announced); the catalogue's report and question forms already enabled by
communes stop announcing an implicit outcome for new requests. Requests already filed keep
the date their acknowledgement announced. "Traitée" closes a message that asked no decision."""

from django.db import migrations, models

# The catalogue's ready forms that are reports or questions (sve/catalogue.py).
NOT_DECISIONS = ("intervention", "contact")


def catalogue_forms_mark(apps, schema_editor):
    FormVersion = apps.get_model("sve", "FormVersion")
    FormVersion.objects.filter(form__template_code__in=NOT_DECISIONS).update(asks_decision=False)


class Migration(migrations.Migration):
    dependencies = [
        ("sve", "0005_request_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="formversion",
            name="asks_decision",
            field=models.BooleanField(default=True, verbose_name="demande une décision"),
        ),
        migrations.AlterField(
            model_name="request",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Brouillon"),
                    ("submitted", "Déposée"),
                    ("acknowledged", "Accusé de réception envoyé"),
                    ("awaiting_pieces", "En attente de pièces"),
                    ("instruction", "En cours d'instruction"),
                    ("accepted", "Acceptée"),
                    ("rejected", "Refusée"),
                    ("implicitly_accepted", "Acceptée implicitement"),
                    ("implicitly_rejected", "Refusée implicitement"),
                    ("closed", "Classée sans suite"),
                    ("handled", "Traitée"),
                ],
                default="draft",
                max_length=20,
                verbose_name="statut",
            ),
        ),
        migrations.RunPython(catalogue_forms_mark, migrations.RunPython.noop),
    ]
