"""Issue 27: conventions' reminders are owed documents (portal.owed). Every reminder written
before was mailed when its row committed: each gets its owed row, issued then. The row keeps
what the reminder says (``text``); ``sent_at`` becomes ``created_at``."""

from django.db import migrations, models

OWED_KIND = "conventions.reminder"  # Reminder.OWED_KIND when this migration was written
TASK = "conventions.reminder_send"


def reminders_owed(apps, schema_editor):
    reminder_model = apps.get_model("conventions", "Reminder")
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
        ("conventions", "0001_initial"),
        ("owed", "0002_once_public_table"),
    ]

    operations = [
        migrations.RenameField(model_name="reminder", old_name="sent_at", new_name="created_at"),
        migrations.AddField(
            model_name="reminder", name="text", field=models.TextField(default="")
        ),
        migrations.RemoveConstraint(model_name="reminder", name="reminder_once"),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                fields=("convention", "key"), name="conventions_reminder_one_per_key"
            ),
        ),
        migrations.RunPython(reminders_owed, reminders_unowed),
    ]
