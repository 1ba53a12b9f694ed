"""Issue 27: rendezvous' messages are owed messages (portal/owed); each SentMessage row
becomes an issued owed row of the same kind (an owed row already there is marked issued),
then the table goes."""

from django.db import migrations

OWED_KIND = {
    "confirmation": "rendezvous.confirmation",
    "cancellation": "rendezvous.cancellation",
    "reminder": "rendezvous.reminder",
    "followup": "rendezvous.followup",
}


def sent_to_owed(apps, schema_editor):
    SentMessage = apps.get_model("rendezvous", "SentMessage")
    OwedDocument = apps.get_model("owed", "OwedDocument")
    sent = list(SentMessage.objects.values_list("appointment_id", "kind", "sent_at"))
    for start in range(0, len(sent), 1000):
        batch = sent[start : start + 1000]
        OwedDocument.objects.bulk_create(
            [
                OwedDocument(
                    kind=OWED_KIND[kind],
                    subject_id=appointment_id,
                    task="",
                    owed_at=sent_at,
                    queued_at=sent_at,
                    issued_at=sent_at,
                )
                for appointment_id, kind, sent_at in batch
            ],
            ignore_conflicts=True,
        )
        for appointment_id, kind, sent_at in batch:
            OwedDocument.objects.filter(
                kind=OWED_KIND[kind], subject_id=appointment_id, issued_at__isnull=True
            ).update(issued_at=sent_at)


def owed_to_sent(apps, schema_editor):
    SentMessage = apps.get_model("rendezvous", "SentMessage")
    OwedDocument = apps.get_model("owed", "OwedDocument")
    Appointment = apps.get_model("rendezvous", "Appointment")
    kinds = {owed: kind for kind, owed in OWED_KIND.items()}
    rows = OwedDocument.objects.filter(kind__in=list(kinds), issued_at__isnull=False)
    existing = set(Appointment.objects.values_list("pk", flat=True))
    SentMessage.objects.bulk_create(
        [
            SentMessage(appointment_id=row.subject_id, kind=kinds[row.kind])
            for row in rows
            if row.subject_id in existing
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rendezvous", "0007_sms_appointment_opt_out"),
        ("owed", "0003_sms_due_at"),
    ]

    operations = [
        migrations.RunPython(sent_to_owed, owed_to_sent),
        migrations.DeleteModel(name="SentMessage"),
    ]
