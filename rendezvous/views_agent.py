"""Agents' pages (back office): agenda, an appointment, booking for a citizen who phoned,
survey results, configuration. Every view requires a membership of this commune; objects
are looked up in this commune's schema only (another commune's ids give 404)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from portal.accounts.models import User
from portal.permissions import member_required
from rendezvous import selectors, services
from rendezvous.agenda import agenda_content
from rendezvous.forms import (
    AbsenceForm,
    HoursForm,
    PlaceForm,
    RuleForm,
    ServiceForm,
    SettingsForm,
    TypeForm,
)
from rendezvous.models import (
    Appointment,
    AppointmentDocument,
    AppointmentType,
    Mode,
    Place,
    RendezvousSettings,
    SurveyResponse,
)
from rendezvous.sms import sms_for
from rendezvous.views import _date, _int
from tenants.selectors import collectivite_staff, collectivite_staff_labels


def _agents(request) -> dict[int, User]:
    return {u.pk: u for u in collectivite_staff(collectivite=request.tenant)}


@member_required
def agenda(request):
    """Day or week agenda: the agent's own appointments by default; the team's, or one
    colleague's, one place's, from the page's filters (issue 24 §2: a booking made with a
    colleague was invisible)."""
    content = agenda_content(
        request,
        day=_date(request.GET.get("jour")) or timezone.localdate(),
        week=request.GET.get("vue") == "semaine",
        agent=request.GET.get("agent") or ("tous" if request.GET.get("tous") == "1" else ""),
        place=request.GET.get("lieu", ""),
        agent_labels={
            staff.pk: staff.label
            for staff in collectivite_staff_labels(collectivite=request.tenant)
        },
    )
    return render(request, "rendezvous/agent/agenda.html", {"content": content})


@member_required
def appointment_detail(request, pk: int):
    appointment = get_object_or_404(Appointment.objects.select_related("type", "place"), pk=pk)
    if appointment.status in (Appointment.Status.HELD, Appointment.Status.EXPIRED):
        raise Http404
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                services.appointment_cancel(
                    acting_user=request.user,
                    appointment=appointment,
                    by="agent",
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, "Rendez-vous annulé ; l'usager est prévenu.")
            elif action in (Appointment.Status.SEEN, Appointment.Status.NO_SHOW):
                services.appointment_mark(
                    acting_user=request.user,
                    appointment=appointment,
                    status=action,
                    recap=request.POST.get("recap", ""),
                )
                messages.success(request, "Rendez-vous mis à jour.")
            elif action == "document" and request.FILES.get("fichier"):
                services.document_add(
                    acting_user=request.user,
                    appointment=appointment,
                    uploaded=request.FILES["fichier"],
                    author=AppointmentDocument.Author.AGENT,
                )
                messages.success(request, "Document partagé avec l'usager.")
            else:
                raise ValidationError("Action inconnue.")
        except ValidationError as exc:
            error = " ".join(
                m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms
            )
        else:
            return redirect("rendezvous:agent-appointment", pk=pk)
    agent = User.objects.filter(pk=appointment.agent_id).first()
    return render(
        request,
        "rendezvous/agent/appointment.html",
        {
            "appointment": appointment,
            "agent": agent,
            "documents": list(appointment.documents.all()),
            "texts": sms_for(appointment_id=appointment.pk),  # issue 28: SMS sent
            "error": error,
        },
        status=400 if error else 200,
    )


@member_required
def document(request, pk: int, document_id: int):
    doc = get_object_or_404(AppointmentDocument, pk=document_id, appointment_id=pk)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.name)


@member_required
def book_for_citizen(request):
    """Book on behalf of a citizen who phoned: pick a type, a slot, enter their details."""
    kinds = list(AppointmentType.objects.select_related("service"))
    kind = next((k for k in kinds if k.pk == _int(request.GET.get("type"))), None)
    today = timezone.localdate()
    start = max(_date(request.GET.get("date")) or today, today)
    slots = []
    errors: dict = {}
    values = {
        k: request.POST.get(k, "")
        for k in ("mode", "first_name", "last_name", "email", "phone", "note", "slot")
    }
    if kind is not None:
        slots = selectors.distinct_slots(
            selectors.free_slots(appointment_type=kind, start=start, end=start + timedelta(days=6))
        )
        if request.method == "POST":
            place, _, moment = values["slot"].partition("|")
            starts_at = selectors.parse_slot_start(moment)
            try:
                if starts_at is None or _int(place) is None:
                    raise ValidationError({"slot": "Choisissez un créneau."})
                appointment = services.appointment_book(
                    acting_user=request.user,
                    appointment_type=kind,
                    place_id=_int(place),
                    starts_at=starts_at,
                    booked_by_agent_id=request.user.pk,
                    **{k: v for k, v in values.items() if k != "slot"},
                )
            except ValidationError as exc:
                errors = getattr(exc, "message_dict", {"general": exc.messages})
            else:
                messages.success(request, "Rendez-vous pris ; l'usager reçoit sa confirmation.")
                return redirect("rendezvous:agent-appointment", pk=appointment.pk)
    return render(
        request,
        "rendezvous/agent/book.html",
        {
            "kinds": kinds,
            "kind": kind,
            "start": start,
            "slots": slots,
            "places_by_id": {p.pk: p for p in Place.objects.all()},
            "values": values,
            "errors": errors,
            "modes": [(m, Mode(m).label) for m in (kind.modes if kind else [])],
        },
        status=400 if errors else 200,
    )


@member_required
def surveys(request):
    """Satisfaction survey results (seed 000: short survey after the appointment)."""
    by_type = (
        SurveyResponse.objects.values("appointment__type__name")
        .annotate(count=Count("id"), average=Avg("score"))
        .order_by("appointment__type__name")
    )
    latest = SurveyResponse.objects.select_related("appointment__type").order_by("-created_at")[:50]
    return render(request, "rendezvous/agent/surveys.html", {"by_type": by_type, "latest": latest})


# --- configuration (the commune's admin and agents) -------------------------------------


CONFIG = {
    "services": ("Services", ServiceForm, False),
    "lieux": ("Lieux", PlaceForm, False),
    "types": ("Types de rendez-vous", TypeForm, False),
    "plages": ("Plages d'ouverture des agents", RuleForm, True),
    "absences": ("Absences", AbsenceForm, True),
}


@member_required
def config_list(request, section: str = "services"):
    if section not in CONFIG:
        raise Http404
    title, form_class, per_agent = CONFIG[section]
    model = form_class._meta.model
    objects = model.objects.all()
    if per_agent and not request.membership.is_admin:
        objects = objects.filter(agent_id=request.user.pk)
    if section == "plages":
        objects = objects.select_related("place")  # each line names its place
    objects = list(objects[:500])
    # Issue 11: places show their hours (or why they offer no slot), openings whether they
    # still fit in their place's hours.
    if model is Place:
        objects = selectors.places_described(objects)
    elif section == "plages":
        objects = selectors.rules_checked(objects)
    return render(
        request,
        "rendezvous/agent/config_list.html",
        {
            "section": section,
            "title": title,
            "objects": objects,
            "sections": [(key, value[0]) for key, value in CONFIG.items()],
            "agents": _agents(request),
        },
    )


@member_required
def config_edit(request, section: str, pk: int | None = None):
    if section not in CONFIG:
        raise Http404
    title, form_class, per_agent = CONFIG[section]
    model = form_class._meta.model
    instance = get_object_or_404(model, pk=pk) if pk else None
    agents = _agents(request)
    if per_agent and not request.membership.is_admin:
        # Agents open their own slots and record their own absences (seed 000 brochure).
        agents = {request.user.pk: request.user}
        if instance is not None and instance.agent_id != request.user.pk:
            raise Http404
    elif not per_agent and not request.membership.is_admin:
        raise Http404
    kwargs = {"agents": agents} if per_agent else {}
    form = form_class(request.POST or None, instance=instance, **kwargs)
    if request.method == "POST" and form.is_valid():
        services.config_save(acting_user=request.user, form=form, section=title)
        messages.success(request, "Enregistré.")
        return redirect("rendezvous:config", section=section)
    return render(
        request,
        "rendezvous/agent/config_edit.html",
        {"form": form, "title": title, "section": section, "instance": instance},
        status=400 if form.errors else 200,
    )


@member_required(admin=True)
def place_edit(request, pk: int | None = None):
    """A place and its weekly hours, on one page, saved together (issue 11)."""
    place = get_object_or_404(Place, pk=pk) if pk else Place()
    hours = selectors.place_hours(place_ids=[pk]).get(pk, {}) if pk else {}
    form = PlaceForm(request.POST or None, instance=place)
    hours_form = HoursForm(request.POST or None, hours=hours)
    if request.method == "POST" and form.is_valid() and hours_form.is_valid():
        try:
            services.place_save(
                acting_user=request.user, place=form.place(), hours=hours_form.cleaned_data["hours"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Lieu et horaires enregistrés.")
            return redirect("rendezvous:config", section="lieux")
    return render(
        request,
        "rendezvous/agent/place_edit.html",
        {"form": form, "hours_form": hours_form, "place": place},
        status=400 if request.method == "POST" else 200,
    )


@member_required(admin=True)
def settings_edit(request):
    form = SettingsForm(request.POST or None, instance=RendezvousSettings.current())
    if request.method == "POST" and form.is_valid():
        services.settings_save(acting_user=request.user, form=form)
        messages.success(request, "Réglages enregistrés.")
        return redirect("rendezvous:settings")
    return render(
        request,
        "rendezvous/agent/config_edit.html",
        {"form": form, "title": "Réglages des rendez-vous", "section": None},
        status=400 if form.errors else 200,
    )
