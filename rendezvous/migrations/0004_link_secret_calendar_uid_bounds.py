"""Issue 8: links sign their own secret (not the hold token), the calendar UID is a random
UUID, and the commune's delays are bounded (validators and check constraints)."""

import secrets
import uuid

import django.core.validators
from django.db import migrations, models

import rendezvous.models


def fill(apps, schema_editor):
    Appointment = apps.get_model("rendezvous", "Appointment")
    for appointment in Appointment.objects.only("pk").iterator():
        Appointment.objects.filter(pk=appointment.pk).update(
            link_secret=secrets.token_urlsafe(24), calendar_uid=uuid.uuid4()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rendezvous", "0003_appointment_replaces"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="link_secret",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="appointment",
            name="calendar_uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appointment",
            name="link_secret",
            field=models.CharField(
                default=rendezvous.models.new_token, editable=False, max_length=64, unique=True
            ),
        ),
        migrations.AlterField(
            model_name="appointment",
            name="calendar_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="rendezvoussettings",
            name="reminder_hours",
            field=models.PositiveIntegerField(
                default=48,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(720),
                ],
                verbose_name="rappel envoyé (heures avant)",
            ),
        ),
        migrations.AddConstraint(
            model_name="rendezvoussettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("reminder_hours__gte", 1), ("reminder_hours__lte", 720)),
                name="rendezvous_settings_reminder_bounded",
            ),
        ),
        migrations.AlterField(
            model_name="appointmenttype",
            name="buffer_minutes",
            field=models.PositiveIntegerField(
                default=0,
                validators=[django.core.validators.MaxValueValidator(1440)],
                verbose_name="battement après (minutes)",
            ),
        ),
        migrations.AlterField(
            model_name="appointmenttype",
            name="cancellable_until_hours",
            field=models.PositiveIntegerField(
                default=24,
                validators=[django.core.validators.MaxValueValidator(8760)],
                verbose_name="annulable par l'usager jusqu'à (heures avant)",
            ),
        ),
        migrations.AlterField(
            model_name="appointmenttype",
            name="duration_minutes",
            field=models.PositiveIntegerField(
                default=30,
                validators=[
                    django.core.validators.MinValueValidator(5),
                    django.core.validators.MaxValueValidator(1440),
                ],
                verbose_name="durée (minutes)",
            ),
        ),
        migrations.AlterField(
            model_name="appointmenttype",
            name="max_delay_days",
            field=models.PositiveIntegerField(
                default=90,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(730),
                ],
                verbose_name="délai maximal (jours)",
            ),
        ),
        migrations.AlterField(
            model_name="appointmenttype",
            name="min_delay_hours",
            field=models.PositiveIntegerField(
                default=2,
                validators=[django.core.validators.MaxValueValidator(8760)],
                verbose_name="délai minimal (heures)",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointmenttype",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("buffer_minutes__lte", 1440),
                    ("cancellable_until_hours__lte", 8760),
                    ("duration_minutes__gte", 5),
                    ("duration_minutes__lte", 1440),
                    ("max_delay_days__gte", 1),
                    ("max_delay_days__lte", 730),
                    ("min_delay_hours__lte", 8760),
                ),
                name="appointment_type_delays_bounded",
            ),
        ),
    ]
