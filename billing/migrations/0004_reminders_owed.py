"""Issue 27: billing's reminders are owed documents (portal.owed). A reminder written before
had its row committed just before its e-mail went out: each gets its owed row, issued then
(the old table cannot tell the rare one whose e-mail a crash lost). The row keeps what the
reminder says (``subject``, ``body``); ``sent_at`` becomes ``created_at``."""

from django.db import migrations, models

OWED_KIND = "billing.reminder"  # Reminder.OWED_KIND when this migration was written
TASK = "billing.reminder_send"


def reminders_owed(apps, schema_editor):
    reminder_model = apps.get_model("billing", "Reminder")
    owed_model = apps.get_model("owed", "OwedDocument")
    rows = reminder_model.objects.values_list("pk", "created_at").iterator()
    owed_model.objects.bulk_create(
        (
            owed_model(
                kind=OWED_KIND,
                subject_id=pk,
                task=TASK,
                owed_at=created_at,
                queued_at=created_at,
                issued_at=created_at,
            )
            for pk, created_at in rows
        ),
        ignore_conflicts=True,
        batch_size=1000,
    )


def reminders_unowed(apps, schema_editor):
    apps.get_model("owed", "OwedDocument").objects.filter(kind=OWED_KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_pes_dossier_settings_and_bordereaux"),
        ("owed", "0002_once_public_table"),
    ]

    operations = [
        migrations.RenameField(model_name="reminder", old_name="sent_at", new_name="created_at"),
        migrations.AddField(
            model_name="reminder",
            name="subject",
            field=models.CharField(default="", max_length=200),
        ),
        migrations.AddField(model_name="reminder", name="body", field=models.TextField(default="")),
        migrations.RunPython(reminders_owed, reminders_unowed),
    ]
