"""Issue 11: a place's hours become weekly ranges (PlaceHours), the one source of the hours
citizens read and of the slots offered. The former free text is read only when it is
written exactly as the portal now writes hours; anything else is kept, shown to the admin
to re-enter, and the place offers no slot until then (its page says why)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Q

from rendezvous.hours import hours_parse


def structure_hours(apps, schema_editor):
    Place = apps.get_model("rendezvous", "Place")
    PlaceHours = apps.get_model("rendezvous", "PlaceHours")
    for place in Place.objects.exclude(former_hours_text=""):
        hours = hours_parse(place.former_hours_text)
        if hours is None:
            continue
        PlaceHours.objects.bulk_create(
            PlaceHours(place=place, weekday=day, opens=opens, closes=closes)
            for day, ranges in hours.items()
            for opens, closes in ranges
        )
        place.former_hours_text = ""
        place.save(update_fields=["former_hours_text"])
    # The commune's home shows the reception's hours: the one place named "Mairie..." is it;
    # when there is none and the commune had hours, a "Mairie" place (with no opening, so
    # no slot) is made to carry them. Several "Mairie..." places: the admin chooses.
    commune_text, commune_name, commune_address = _commune_row(schema_editor)
    mairies = list(Place.objects.filter(name__istartswith="mairie")[:2])
    if len(mairies) > 1:
        return
    if mairies:
        reception = mairies[0]
        Place.objects.filter(pk=reception.pk).update(is_reception=True)
    elif commune_text:
        reception = Place.objects.create(
            name=f"Mairie de {commune_name}" if commune_name else "Mairie",
            address=commune_address or commune_name,
            is_reception=True,
        )
    else:
        return
    # The commune's former free text (tenants 0008 kept its column for this): structured
    # hours when it reads, else kept for the admin when the reception has none.
    if not commune_text or PlaceHours.objects.filter(place=reception).exists():
        return
    hours = hours_parse(commune_text)
    if hours is None:
        if not reception.former_hours_text:
            Place.objects.filter(pk=reception.pk).update(former_hours_text=commune_text)
        return
    PlaceHours.objects.bulk_create(
        PlaceHours(place=reception, weekday=day, opens=opens, closes=closes)
        for day, ranges in hours.items()
        for opens, closes in ranges
    )


def _commune_row(schema_editor) -> tuple[str, str, str]:
    """The commune's former hours text, name and address (public schema), or blanks."""
    schema = getattr(schema_editor.connection, "schema_name", "")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """SELECT 1 FROM information_schema.columns WHERE table_schema = 'public'
                AND table_name = 'tenants_collectivite' AND column_name = 'opening_hours'"""
        )
        if cursor.fetchone() is None:
            return "", "", ""
        cursor.execute(
            """SELECT opening_hours, name, contact_address FROM public.tenants_collectivite
                WHERE schema_name = %s""",
            [schema],
        )
        row = cursor.fetchone()
    return tuple((value or "").strip() for value in row) if row else ("", "", "")


def text_back(apps, schema_editor):
    from rendezvous.hours import hours_text

    Place = apps.get_model("rendezvous", "Place")
    PlaceHours = apps.get_model("rendezvous", "PlaceHours")
    for place in Place.objects.filter(former_hours_text=""):
        hours = {}
        for row in PlaceHours.objects.filter(place=place).order_by("weekday", "opens"):
            hours.setdefault(row.weekday, []).append((row.opens, row.closes))
        if hours:
            place.former_hours_text = hours_text(hours)
            place.save(update_fields=["former_hours_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("rendezvous", "0004_link_secret_calendar_uid_bounds"),
    ]

    operations = [
        migrations.RenameField(
            model_name="place", old_name="opening_hours", new_name="former_hours_text"
        ),
        migrations.AlterField(
            model_name="place",
            name="former_hours_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="place",
            name="is_reception",
            field=models.BooleanField(
                default=False,
                help_text="Ses horaires sont ceux affichés sur la page d'accueil de la commune.",
                verbose_name="accueil de la mairie",
            ),
        ),
        migrations.AddConstraint(
            model_name="place",
            constraint=models.UniqueConstraint(
                condition=Q(is_reception=True),
                fields=("is_reception",),
                name="place_one_reception",
                violation_error_message="Un autre lieu est déjà l'accueil de la mairie.",
            ),
        ),
        migrations.CreateModel(
            name="PlaceHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "lundi"),
                            (1, "mardi"),
                            (2, "mercredi"),
                            (3, "jeudi"),
                            (4, "vendredi"),
                            (5, "samedi"),
                            (6, "dimanche"),
                        ],
                        verbose_name="jour",
                    ),
                ),
                ("opens", models.TimeField(verbose_name="ouverture")),
                ("closes", models.TimeField(verbose_name="fermeture")),
                (
                    "place",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hours",
                        to="rendezvous.place",
                    ),
                ),
            ],
            options={
                "verbose_name": "horaire d'ouverture",
                "verbose_name_plural": "horaires d'ouverture",
                "ordering": ["place", "weekday", "opens"],
                "constraints": [
                    models.CheckConstraint(
                        condition=Q(closes__gt=F("opens")), name="place_hours_times_ordered"
                    ),
                    models.UniqueConstraint(
                        fields=("place", "weekday", "opens"), name="place_hours_one_start"
                    ),
                ],
            },
        ),
        migrations.RunPython(structure_hours, text_back),
    ]
