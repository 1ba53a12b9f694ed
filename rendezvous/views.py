"""Citizen pages: search, slots, hold, booking, the appointment's page behind signed links
(details, documents, cancel, move to another slot, survey).

Thin: parse input, call one selector or service, render. Agents' pages are in
``views_agent.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from portal import limits
from portal.audit.trail import request_actor
from portal.inputs import row_id
from portal.sms.phones import phone_display
from rendezvous import links, rules, selectors, services
from rendezvous.forms import DocumentForm, SurveyForm
from rendezvous.models import Appointment, AppointmentDocument, AppointmentType, Mode
from rendezvous.search_html import places_html, results_html

WEEK_DAYS = 7
SEARCH_TYPES_SHOWN = 10
# The search page shows each type's next slots within four weeks (bounded queries).
SEARCH_HORIZON_DAYS = 28
HOLDS_PER_IP = "60/m"


_int = row_id  # a row id from the query or form, or None


def _date(value) -> date | None:
    """A date typed in a search; one outside the dates anything can be booked is ignored."""
    try:
        parsed = date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if selectors.search_date_allowed(parsed) else None


def _errors(error: ValidationError) -> list[str]:
    return [
        m
        for messages_ in getattr(error, "message_dict", {"": error.messages}).values()
        for m in messages_
    ]


@dataclass(frozen=True)
class PostedAction:
    """An action posted to an appointment's page: the form that reads the POST, the service
    that acts (given the page's arguments and the form's values), the message once done."""

    form: type[forms.Form]
    service: Callable[..., object]
    done: str


def _posted(request, action: PostedAction, **arguments) -> tuple[object, list[str]]:
    """Run ``action`` on the POST as the request's actor: (what the service returned, [])
    with the message queued, or (None, the French errors) and nothing written."""
    form = action.form(request.POST, request.FILES)
    if not form.is_valid():
        return None, [message for field in form.errors.values() for message in field]
    try:
        result = action.service(
            acting_user=request_actor(request), **arguments, **form.cleaned_data
        )
    except ValidationError as error:
        return None, _errors(error)
    messages.success(request, action.done)
    return result, []


DOCUMENT_DROP = PostedAction(
    DocumentForm,
    partial(services.document_add, author=AppointmentDocument.Author.CITIZEN),
    "Votre document a bien été déposé.",
)
CITIZEN_CANCEL = PostedAction(
    forms.Form, partial(services.appointment_cancel, by="citizen"), "Votre rendez-vous est annulé."
)
SURVEY = PostedAction(SurveyForm, services.survey_submit, "Merci pour votre avis !")


def search(request):
    """Keyword search across services and types; filters by place, mode and date."""
    filters = {
        "query": request.GET.get("q", "").strip(),
        "place_id": _int(request.GET.get("lieu")),
        "mode": request.GET.get("modalite", ""),
        "after": _date(request.GET.get("date")),
    }
    results, places = selectors.search_page(
        **filters,
        types_shown=SEARCH_TYPES_SHOWN,
        slots_shown=3,
        horizon_days=SEARCH_HORIZON_DAYS,
    )
    context = {
        "searched": any(filters.values()),
        "date": filters.pop("after"),
        "results": results,
        "results_html": results_html(results),
        "places": places,
        "places_html": places_html(places),
        "modes": Mode.choices,
    }
    return render(request, "rendezvous/search.html", context | filters)


def _week_slots(
    kind: AppointmentType, *, start: date, place_id: int | None, chosen: bool
) -> tuple[date, list]:
    """The week from ``start`` and its free slots; with no slot that week and no week
    ``chosen``, the week of the next free slot."""
    week = {"appointment_type": kind, "place_id": place_id}
    end = start + timedelta(days=WEEK_DAYS - 1)
    slots = selectors.distinct_slots(selectors.free_slots(start=start, end=end, **week))
    upcoming = [] if slots or chosen else selectors.next_free_slots(count=1, **week)
    if not upcoming:
        return start, slots
    return _week_slots(
        kind, start=timezone.localtime(upcoming[0].starts_at).date(), place_id=place_id, chosen=True
    )


def _week(request, kind: AppointmentType) -> dict:
    """A type's places and free slots over one week (from ``date``), grouped by day."""
    place_id = _int(request.GET.get("lieu"))
    today = timezone.localdate()
    start = max(_date(request.GET.get("date")) or today, today)
    start, slots = _week_slots(kind, start=start, place_id=place_id, chosen="date" in request.GET)
    places = list(selectors.places_for_type(appointment_type=kind))
    by_day: dict[date, list] = {}
    for slot in slots:
        by_day.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    return {
        "kind": kind,
        "places": places,
        "places_html": places_html(places),
        "places_by_id": {p.pk: p for p in places},
        "place_id": place_id,
        "start": start,
        "previous_week": max(start - timedelta(days=WEEK_DAYS), today),
        "next_week": start + timedelta(days=WEEK_DAYS),
        "can_go_back": start > today,
        "by_day": sorted(by_day.items()),
    }


def type_detail(request, type_id: int):
    """A type's description, places and its free slots over one week (from ``date``)."""
    kind = get_object_or_404(
        AppointmentType.objects.select_related("service"), pk=type_id, is_active=True
    )
    context = _week(request, kind)
    context["hold_url"] = reverse("rendezvous:hold", args=[kind.pk])
    return render(request, "rendezvous/type_detail.html", context)


@require_POST
@ratelimit(key="ip", rate=HOLDS_PER_IP, method="POST", block=False)
def hold(request, type_id: int):
    kind = get_object_or_404(AppointmentType, pk=type_id, is_active=True)
    if getattr(request, "limited", False):
        messages.error(request, "Trop de tentatives : patientez une minute avant de réessayer.")
        return redirect("rendezvous:type", type_id=kind.pk)
    starts_at = selectors.parse_slot_start(request.POST.get("debut", ""))
    place_id = _int(request.POST.get("lieu"))
    if starts_at is None or place_id is None:
        messages.error(request, "Choisissez un créneau dans la liste.")
        return redirect("rendezvous:type", type_id=kind.pk)
    try:
        appointment = services.appointment_hold(
            appointment_type=kind, place_id=place_id, starts_at=starts_at
        )
    except services.SlotUnavailable as error:
        messages.error(request, " ".join(error.messages))
        return redirect("rendezvous:type", type_id=kind.pk)
    return redirect("rendezvous:book", token=appointment.token)


def _held_form(
    request,
    template: str,
    context: dict,
    *,
    values: dict,
    confirm: Callable[..., Appointment],
    done: Callable[[Appointment], str],
    taken_url: str,
):
    """The form that confirms a held slot (a booking or a move): on POST, ``confirm`` is
    called with the posted ``values``; a slot taken meanwhile goes back to ``taken_url``; what the
    service refuses shows on the form; a confirmed appointment's page follows, with the
    ``done`` message."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values |= {name: request.POST.get(name, "") for name in values}
        try:
            booked = confirm(**values)
        except services.SlotUnavailable as error:
            messages.error(request, " ".join(error.messages))
            return redirect(taken_url)
        except ValidationError as error:
            errors = getattr(error, "message_dict", {"general": error.messages})
        else:
            messages.success(request, done(booked))
            return redirect("rendezvous:manage", signed=links.link_sign(appointment=booked))
    modes = [(m, Mode(m).label) for m in context["appointment"].type.modes]
    context |= {"values": values, "errors": errors, "modes": modes}
    return render(request, template, context, status=400 if errors else 200)


def _held(request, token: str) -> tuple[Appointment | None, object]:
    """The slot held under ``token``, or the page to show instead (already booked: the form
    sent twice; released: back to the type's slots)."""
    appointment = Appointment.objects.select_related("type", "place").filter(token=token).first()
    if appointment is None:
        raise Http404
    if appointment.status == Appointment.Status.BOOKED:
        # Form sent twice, or an old address: the hold token is no link (it signs nothing).
        return None, render(request, "rendezvous/already_booked.html", {"appointment": appointment})
    if appointment.status != Appointment.Status.HELD:
        messages.error(request, services.SLOT_TAKEN)
        return None, redirect("rendezvous:type", type_id=appointment.type_id)
    return appointment, None


def _contact_values(kind: AppointmentType, *, user, source: Appointment | None) -> dict:
    """The booking form's first values: the account's name and e-mail, or, booking anew
    through the link of a cancelled or past appointment, its contact details."""
    values = {
        "mode": kind.modes[0] if len(kind.modes) == 1 else "",
        "first_name": user.first_name if user else "",
        "last_name": user.last_name if user else "",
        "email": user.email if user else "",
        "phone": "",
        "note": "",
    }
    if source is None:
        return values
    mode = source.mode if source.mode in kind.modes else values["mode"]
    return values | {name: getattr(source, name) for name in values} | {"mode": mode}


@limits.limit("booking", account=limits.user_or_email("email"))
def book(request, token: str):
    """The contact form while the slot is held; confirming books it (with the contact
    details and account of the appointment whose rebook link led here, if one did)."""
    appointment, page = _held(request, token)
    source, error_page = (
        _from_link(request, request.GET["depuis"]) if "depuis" in request.GET else (None, None)
    )
    if page or error_page:  # error_page: that link has booked already (single use), or expired
        return page or error_page
    user = request.user if request.user.is_authenticated else None
    confirm = partial(
        services.appointment_confirm,
        acting_user=request_actor(request),
        appointment=appointment,
        citizen_id=user.pk if user else (source.citizen_id if source else None),
        source=source,
        sms_opt_out=request.POST.get("sms_opt_out") == "on",  # issue 28
    )
    return _held_form(
        request,
        "rendezvous/book.html",
        {"appointment": appointment},
        values=_contact_values(appointment.type, user=user, source=source),
        confirm=confirm,
        done=lambda booked: "Votre rendez-vous est confirmé. Un courriel vous a été envoyé.",
        taken_url=reverse("rendezvous:type", args=[appointment.type_id]),
    )


def _from_link(request, signed: str):
    try:
        return links.appointment_from_link(signed=signed), None
    except links.LinkError as error:
        return None, render(
            request, "rendezvous/link_error.html", {"message": error.message}, status=400
        )


def manage(request, signed: str):
    """The appointment's page behind the signed link: details, visio link, documents (the
    citizen may add one)."""
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return error_page
    errors = []
    if request.method == "POST" and request.FILES.get("fichier"):
        _document, errors = _posted(request, DOCUMENT_DROP, appointment=appointment)
        if not errors:
            return redirect("rendezvous:manage", signed=signed)
    context = {
        "appointment": appointment,
        "actions": rules.citizen_actions(status=appointment.status),
        "signed": signed,
        "documents": list(appointment.documents.all()),
        "moved_to": Appointment.objects.filter(replaces=appointment).first(),
        "errors": errors,
    }
    return render(request, "rendezvous/manage.html", context, status=400 if errors else 200)


def document(request, signed: str, document_id: int):
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return error_page
    doc = get_object_or_404(AppointmentDocument, pk=document_id, appointment=appointment)
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.name)


def cancel(request, signed: str):
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return error_page
    errors = []
    if request.method == "POST":
        link_secret = appointment.link_secret
        cancelled, errors = _posted(
            request, CITIZEN_CANCEL, appointment=appointment, link_secret=link_secret
        )
        if not errors:
            # The link used has died; its holder gets the new one (as the message will).
            return redirect("rendezvous:manage", signed=links.link_sign(appointment=cancelled))
    context = {
        "appointment": appointment,
        "actions": rules.citizen_actions(status=appointment.status),
        "signed": signed,
        "error": " ".join(errors),
    }
    return render(request, "rendezvous/cancel.html", context, status=400 if errors else 200)


def _rebookable(request, signed: str):
    """The link's appointment and what it allows (services.MOVE or NEW), or an error page."""
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return None, None, error_page
    try:
        kind = services.appointment_rebook_check(appointment=appointment)
    except ValidationError as error:
        return None, None, _rebook_refused(request, appointment, signed, error)
    return appointment, kind, None


def _rebook_refused(request, appointment: Appointment, signed: str, error: ValidationError):
    return render(
        request,
        "rendezvous/rebook_refused.html",
        {"appointment": appointment, "signed": signed, "message": " ".join(error.messages)},
        status=400,
    )


def rebook(request, signed: str):
    """The type's week of free slots, to move the link's appointment (or, if it was
    cancelled or is over, to book anew with its contact details)."""
    appointment, kind, error_page = _rebookable(request, signed)
    if error_page:
        return error_page
    context = _week(request, appointment.type)
    context |= {
        "current": appointment,
        "signed": signed,
        "moving": kind == services.MOVE,
        "hold_url": reverse("rendezvous:rebook-hold", args=[signed]),
    }
    return render(request, "rendezvous/type_detail.html", context)


@require_POST
@ratelimit(key="ip", rate=HOLDS_PER_IP, method="POST", block=False)
def rebook_hold(request, signed: str):
    """Hold the chosen slot like any booking, then confirm it as a move."""
    appointment, kind, error_page = _rebookable(request, signed)
    if error_page:
        return error_page
    if getattr(request, "limited", False):
        messages.error(request, "Trop de tentatives : patientez une minute avant de réessayer.")
        return redirect("rendezvous:rebook", signed=signed)
    starts_at = selectors.parse_slot_start(request.POST.get("debut", ""))
    place_id = _int(request.POST.get("lieu"))
    if starts_at is None or place_id is None:
        messages.error(request, "Choisissez un créneau dans la liste.")
        return redirect("rendezvous:rebook", signed=signed)
    try:
        held = services.appointment_hold(
            appointment_type=appointment.type, place_id=place_id, starts_at=starts_at
        )
    except services.SlotUnavailable as error:
        messages.error(request, " ".join(error.messages))
        return redirect("rendezvous:rebook", signed=signed)
    if kind == services.MOVE:
        return redirect("rendezvous:rebook-confirm", signed=signed, token=held.token)
    return redirect(_book_anew_url(held=held, signed=signed))


def _book_anew_url(*, held: Appointment, signed: str) -> str:
    """The booking form of the slot ``held``, prefilled from the rebook link's appointment."""
    return reverse("rendezvous:book", args=[held.token]) + "?" + urlencode({"depuis": signed})


def _held_for_move(request, signed: str, token: str):
    """The link's appointment and the slot held to move it to, or the page to show instead
    (the link refused, the slot released, or the appointment cancelled meanwhile: then the
    slot is booked anew)."""
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return None, None, error_page
    held = Appointment.objects.select_related("type", "place")
    held = held.filter(token=token, type=appointment.type_id).first()
    if held is None:
        raise Http404
    try:
        kind = services.appointment_rebook_check(appointment=appointment)
    except ValidationError as error:
        return None, None, _rebook_refused(request, appointment, signed, error)
    if held.status != Appointment.Status.HELD:
        messages.error(request, services.SLOT_TAKEN)
        return None, None, redirect("rendezvous:rebook", signed=signed)
    if kind != services.MOVE:  # cancelled by the commune meanwhile: book anew
        return None, None, redirect(_book_anew_url(held=held, signed=signed))
    return appointment, held, None


def _moved_message(moved: Appointment) -> str:
    local = timezone.localtime(moved.starts_at)
    return (
        f"Votre rendez-vous est déplacé au {local:%d/%m/%Y à %H:%M}. "
        "Un courriel de confirmation vous a été envoyé."
    )


@limits.limit("booking")
def rebook_confirm(request, signed: str, token: str):
    """The page "Déplacer mon rendez-vous du … au …": confirming moves it, all or nothing."""
    appointment, held, page = _held_for_move(request, signed, token)
    if page:
        return page
    confirm = partial(
        services.appointment_rebook,
        acting_user=request_actor(request),
        appointment=appointment,
        held=held,
        link_secret=appointment.link_secret,
        sms_opt_out=request.POST.get("sms_opt_out") == "on",  # issue 28, as when booking
    )
    posted = request.method == "POST"
    opted_out = request.POST.get("sms_opt_out") if posted else appointment.sms_opt_out
    return _held_form(
        request,
        "rendezvous/rebook_confirm.html",
        {"current": appointment, "appointment": held, "signed": signed, "sms_opt_out": opted_out},
        values={"mode": appointment.mode, "phone": phone_display(appointment.phone)},
        confirm=confirm,
        done=_moved_message,
        taken_url=reverse("rendezvous:rebook", args=[signed]),
    )


def survey(request, signed: str):
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return error_page
    errors = []
    if request.method == "POST":
        _answer, errors = _posted(request, SURVEY, appointment=appointment)
        if not errors:
            return redirect("rendezvous:manage", signed=signed)
    return render(
        request,
        "rendezvous/survey.html",
        {"appointment": appointment, "error": " ".join(errors), "scores": range(1, 6)},
        status=400 if errors else 200,
    )


@login_required
def my_appointments(request):
    """A signed-in citizen's appointments in every commune (booked with the account)."""
    appointments = selectors.citizen_appointments_everywhere(user=request.user)
    return render(request, "rendezvous/mine.html", {"appointments": appointments})
