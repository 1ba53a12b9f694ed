"""Agents' pages (back office): agenda, an appointment, booking for a citizen who phoned,
survey results, configuration. Every view requires a membership of this commune; objects
are looked up in this commune's schema only (another commune's ids give 404)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from portal.accounts.models import User
from portal.permissions import member_required
from rendezvous import rules, selectors, services
from rendezvous.agenda import agenda_content
from rendezvous.forms import (
    AbsenceForm,
    CancelForm,
    DocumentForm,
    HoursForm,
    MarkForm,
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
from rendezvous.views import PostedAction, _date, _int, _posted
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


# What an agent posts to an appointment's page (the button's "action"): form and service.
APPOINTMENT_ACTIONS = {
    "cancel": PostedAction(
        CancelForm,
        partial(services.appointment_cancel, by="agent"),
        "Rendez-vous annulé ; l'usager est prévenu.",
    ),
    **{
        status: PostedAction(
            MarkForm, partial(services.appointment_mark, status=status), "Rendez-vous mis à jour."
        )
        for status in (Appointment.Status.SEEN, Appointment.Status.NO_SHOW)
    },
    "document": PostedAction(
        DocumentForm,
        partial(services.document_add, author=AppointmentDocument.Author.AGENT),
        "Document partagé avec l'usager.",
    ),
}


@member_required
def appointment_detail(request, pk: int):
    appointment = get_object_or_404(Appointment.objects.select_related("type", "place"), pk=pk)
    if appointment.status in (Appointment.Status.HELD, Appointment.Status.EXPIRED):
        raise Http404
    errors = []
    if request.method == "POST":
        action = APPOINTMENT_ACTIONS.get(request.POST.get("action"))
        _done, errors = (
            _posted(request, action, appointment=appointment)
            if action
            else (None, ["Action inconnue."])
        )
        if not errors:
            return redirect("rendezvous:agent-appointment", pk=pk)
    context = {
        "appointment": appointment,
        "actions": rules.agent_actions(status=appointment.status),
        "agent": User.objects.filter(pk=appointment.agent_id).first(),
        "documents": list(appointment.documents.all()),
        "texts": sms_for(appointment_id=appointment.pk),  # issue 28: SMS sent
        "error": " ".join(errors),
    }
    return render(
        request, "rendezvous/agent/appointment.html", context, status=400 if errors else 200
    )


@member_required
def document(request, pk: int, document_id: int):
    doc = get_object_or_404(AppointmentDocument, pk=document_id, appointment_id=pk)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.name)


BOOK_FIELDS = ("mode", "first_name", "last_name", "email", "phone", "sms_opt_out", "note", "slot")


@member_required
def book_for_citizen(request):
    """Book on behalf of a citizen who phoned: pick a type, a slot, enter their details."""
    kinds = list(AppointmentType.objects.select_related("service"))
    kind = next((k for k in kinds if k.pk == _int(request.GET.get("type"))), None)
    values = {name: request.POST.get(name, "") for name in BOOK_FIELDS}
    errors: dict = {}
    if kind is not None and request.method == "POST":
        try:
            appointment = _book_posted(request, kind, values)
        except ValidationError as exc:
            errors = getattr(exc, "message_dict", {"general": exc.messages})
        else:
            messages.success(request, "Rendez-vous pris ; l'usager reçoit sa confirmation.")
            return redirect("rendezvous:agent-appointment", pk=appointment.pk)
    today = timezone.localdate()
    start = max(_date(request.GET.get("date")) or today, today)
    context = {"kinds": kinds, "kind": kind, "start": start, "values": values, "errors": errors}
    context |= {
        "slots": _week_slots(kind, start) if kind else [],
        "places_by_id": {p.pk: p for p in Place.objects.all()},
        "modes": [(m, Mode(m).label) for m in (kind.modes if kind else [])],
    }
    return render(request, "rendezvous/agent/book.html", context, status=400 if errors else 200)


def _week_slots(kind: AppointmentType, start) -> list:
    return selectors.distinct_slots(
        selectors.free_slots(appointment_type=kind, start=start, end=start + timedelta(days=6))
    )


def _book_posted(request, kind: AppointmentType, values: dict) -> Appointment:
    """Book the slot chosen in the form ("<place id>|<start>") with the posted details."""
    place, _, moment = values["slot"].partition("|")
    starts_at = selectors.parse_slot_start(moment)
    if starts_at is None or _int(place) is None:
        raise ValidationError({"slot": "Choisissez un créneau."})
    return services.appointment_book(
        acting_user=request.user,
        appointment_type=kind,
        place_id=_int(place),
        starts_at=starts_at,
        booked_by_agent_id=request.user.pk,
        **{name: value for name, value in values.items() if name not in ("slot", "sms_opt_out")},
        sms_opt_out=values["sms_opt_out"] == "on",  # issue 28: the citizen said so by phone
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


@dataclass(frozen=True)
class Section:
    """A configuration page: its title, form, the service that saves it (``instance``
    names the service's argument for the row being edited) and whether each agent edits
    their own rows (openings, absences) rather than only the admin."""

    title: str
    form_class: type[forms.ModelForm]
    save: Callable | None = None  # None: edited on its own page (places)
    instance: str = ""
    per_agent: bool = False


CONFIG = {
    "services": Section("Services", ServiceForm, services.service_save, "service"),
    "lieux": Section("Lieux", PlaceForm),
    "types": Section("Types de rendez-vous", TypeForm, services.type_save, "appointment_type"),
    "plages": Section(
        "Plages d'ouverture des agents", RuleForm, services.opening_save, "opening", True
    ),
    "absences": Section("Absences", AbsenceForm, services.absence_save, "absence", True),
}


@member_required
def config_list(request, section: str = "services"):
    if section not in CONFIG:
        raise Http404
    model = CONFIG[section].form_class._meta.model
    objects = model.objects.all()
    if CONFIG[section].per_agent and not request.membership.is_admin:
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
    context = {"section": section, "title": CONFIG[section].title, "objects": objects}
    context |= {"sections": [(key, value.title) for key, value in CONFIG.items()]}
    return render(
        request, "rendezvous/agent/config_list.html", context | {"agents": _agents(request)}
    )


def _editable(request, section: Section, pk: int | None):
    """The row to edit (None for a new one) and the agents it may name; 404 for a page or
    a row the member may not edit (agents open their own slots and record their own
    absences, seed 000 brochure; the rest is the admin's)."""
    if section.save is None:
        raise Http404
    instance = get_object_or_404(section.form_class._meta.model, pk=pk) if pk else None
    if request.membership.is_admin:
        return instance, _agents(request)
    if not section.per_agent or (instance is not None and instance.agent_id != request.user.pk):
        raise Http404
    return instance, {request.user.pk: request.user}


@member_required
def config_edit(request, section: str, pk: int | None = None):
    if section not in CONFIG:
        raise Http404
    page = CONFIG[section]
    instance, agents = _editable(request, page, pk)
    kwargs = {"agents": agents} if page.per_agent else {}
    form = page.form_class(request.POST or None, instance=instance, **kwargs)
    if request.method == "POST" and form.is_valid():
        saved = _service_call(
            form, page.save, acting_user=request.user, **{page.instance: instance}
        )
        if saved:
            messages.success(request, "Enregistré.")
            return redirect("rendezvous:config", section=section)
    context = {"form": form, "title": page.title, "section": section, "instance": instance}
    return render(
        request, "rendezvous/agent/config_edit.html", context, status=400 if form.errors else 200
    )


def _service_call(form: forms.Form, service: Callable, /, **arguments) -> bool:
    """Call ``service`` with the form's cleaned values; its refusal shows on the form."""
    try:
        service(**arguments, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


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
        if _service_call(form, services.settings_save, acting_user=request.user):
            messages.success(request, "Réglages enregistrés.")
            return redirect("rendezvous:settings")
    return render(
        request,
        "rendezvous/agent/config_edit.html",
        {"form": form, "title": "Réglages des rendez-vous", "section": None},
        status=400 if form.errors else 200,
    )
