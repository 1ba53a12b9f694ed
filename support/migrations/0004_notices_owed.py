"""Issue 27: the desk's notices are owed documents (portal.owed); each existing notice gets
its owed row (sent ones issued when they were sent, unsent ones still owed: the public
sweep queues them), then the notice's own ``sent_at`` flag goes."""

from django.db import migrations, models

OWED_KIND = "support.notice"  # SupportNotice.OWED_KIND when this migration was written
TASK = "support.notice_send"


def notices_owed(apps, schema_editor):
    notice_model = apps.get_model("support", "SupportNotice")
    owed_model = apps.get_model("owed", "OwedDocument")
    rows = notice_model.objects.values_list("pk", "created_at", "sent_at").iterator()
    owed_model.objects.bulk_create(
        (
            owed_model(
                kind=OWED_KIND,
                subject_id=pk,
                task=TASK,
                owed_at=created_at,
                queued_at=created_at,
                issued_at=sent_at,
            )
            for pk, created_at, sent_at in rows
        ),
        ignore_conflicts=True,
        batch_size=1000,
    )


def notices_unowed(apps, schema_editor):
    owed_model = apps.get_model("owed", "OwedDocument")
    notice_model = apps.get_model("support", "SupportNotice")
    issued = dict(
        owed_model.objects.filter(kind=OWED_KIND).values_list("subject_id", "issued_at")
    )
    for notice in notice_model.objects.filter(pk__in=issued):
        notice.sent_at = issued[notice.pk]
        notice.save(update_fields=["sent_at"])
    owed_model.objects.filter(kind=OWED_KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0003_deskmember_data_version"),
        ("owed", "0002_once_public_table"),
    ]

    operations = [
        migrations.RunPython(notices_owed, notices_unowed),
        migrations.RemoveConstraint(
            model_name="supportnotice",
            name="support_notice_once",
        ),
        migrations.RemoveField(
            model_name="supportnotice",
            name="sent_at",
        ),
        migrations.AddConstraint(
            model_name="supportnotice",
            constraint=models.UniqueConstraint(
                fields=("request", "kind", "key"), name="support_notice_one_per_key"
            ),
        ),
    ]
