"""Citizen pages: search, slots, hold, booking, the appointment's page behind signed links
(details, documents, cancel, move to another slot, survey).

Thin: parse input, call one selector or service, render. Agents' pages are in
``views_agent.py``.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

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
from rendezvous import links, selectors, services
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


def search(request):
    """Keyword search across services and types; filters by place, mode and date."""
    query = request.GET.get("q", "").strip()
    place_id = _int(request.GET.get("lieu"))
    mode = request.GET.get("modalite", "")
    after = _date(request.GET.get("date"))
    results, places = selectors.search_page(
        query=query,
        place_id=place_id,
        mode=mode,
        after=after,
        types_shown=SEARCH_TYPES_SHOWN,
        slots_shown=3,
        horizon_days=SEARCH_HORIZON_DAYS,
    )
    return render(
        request,
        "rendezvous/search.html",
        {
            "query": query,
            "searched": bool(query or place_id or mode or after),
            "place_id": place_id,
            "mode": mode,
            "date": after,
            "results": results,
            "results_html": results_html(results),
            "places": places,
            "places_html": places_html(places),
            "modes": Mode.choices,
        },
    )


def _week(request, kind: AppointmentType) -> dict:
    """A type's places and free slots over one week (from ``date``), grouped by day."""
    place_id = _int(request.GET.get("lieu"))
    today = timezone.localdate()
    start = max(_date(request.GET.get("date")) or today, today)
    end = start + timedelta(days=WEEK_DAYS - 1)
    slots = selectors.distinct_slots(
        selectors.free_slots(appointment_type=kind, start=start, end=end, place_id=place_id)
    )
    if not slots and "date" not in request.GET:
        # Nothing this week: show the week of the next free slot.
        upcoming = selectors.next_free_slots(appointment_type=kind, count=1, place_id=place_id)
        if upcoming:
            start = timezone.localtime(upcoming[0].starts_at).date()
            end = start + timedelta(days=WEEK_DAYS - 1)
            slots = selectors.distinct_slots(
                selectors.free_slots(appointment_type=kind, start=start, end=end, place_id=place_id)
            )
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


@limits.limit("booking", account=limits.user_or_email("email"))
def book(request, token: str):
    """The contact form while the slot is held; confirming books it."""
    appointment = Appointment.objects.select_related("type", "place").filter(token=token).first()
    if appointment is None:
        raise Http404
    if appointment.status == Appointment.Status.BOOKED:
        # Form sent twice, or an old address: the hold token is no link (it signs nothing).
        return render(request, "rendezvous/already_booked.html", {"appointment": appointment})
    if appointment.status != Appointment.Status.HELD:
        messages.error(request, services.SLOT_TAKEN)
        return redirect("rendezvous:type", type_id=appointment.type_id)
    user = request.user if request.user.is_authenticated else None
    values = {
        "mode": appointment.type.modes[0] if len(appointment.type.modes) == 1 else "",
        "first_name": user.first_name if user else "",
        "last_name": user.last_name if user else "",
        "email": user.email if user else "",
        "phone": "",
        "note": "",
    }
    # Booking anew through the rebook link of a cancelled or past appointment: its contact
    # details (and account) are carried over.
    source, error_page = (
        _from_link(request, request.GET["depuis"]) if "depuis" in request.GET else (None, None)
    )
    if error_page:  # that link has booked already (single use), or expired
        return error_page
    if source is not None:
        values |= {
            "mode": source.mode if source.mode in appointment.type.modes else values["mode"],
            "first_name": source.first_name,
            "last_name": source.last_name,
            "email": source.email,
            "phone": source.phone,
            "note": source.note,
        }
    citizen_id = user.pk if user else (source.citizen_id if source else None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values.update({name: request.POST.get(name, "") for name in values})
        try:
            booked = services.appointment_confirm(
                acting_user=request_actor(request),
                appointment=appointment,
                citizen_id=citizen_id,
                source=source,
                sms_opt_out=request.POST.get("sms_opt_out") == "on",  # issue 28
                **values,
            )
        except services.SlotUnavailable as error:
            messages.error(request, " ".join(error.messages))
            return redirect("rendezvous:type", type_id=appointment.type_id)
        except ValidationError as error:
            errors = getattr(error, "message_dict", {"general": error.messages})
        else:
            messages.success(
                request, "Votre rendez-vous est confirmé. Un courriel vous a été envoyé."
            )
            return redirect("rendezvous:manage", signed=links.link_sign(appointment=booked))
    return render(
        request,
        "rendezvous/book.html",
        {
            "appointment": appointment,
            "values": values,
            "errors": errors,
            "modes": [(m, Mode(m).label) for m in appointment.type.modes],
        },
        status=400 if errors else 200,
    )


def _from_link(request, signed: str):
    try:
        return links.appointment_from_link(signed=signed), None
    except links.LinkError as error:
        return None, render(
            request, "rendezvous/link_error.html", {"message": error.message}, status=400
        )


def manage(request, signed: str):
    """The appointment's page behind the signed link: details, visio link, documents."""
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return error_page
    errors = []
    if request.method == "POST" and request.FILES.get("fichier"):
        try:
            services.document_add(
                acting_user=request_actor(request),
                appointment=appointment,
                uploaded=request.FILES["fichier"],
                author=AppointmentDocument.Author.CITIZEN,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "Votre document a bien été déposé.")
            return redirect("rendezvous:manage", signed=signed)
    return render(
        request,
        "rendezvous/manage.html",
        {
            "appointment": appointment,
            "signed": signed,
            "documents": list(appointment.documents.all()),
            "moved_to": Appointment.objects.filter(replaces=appointment).first(),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


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
    error = None
    if request.method == "POST":
        try:
            cancelled = services.appointment_cancel(
                acting_user=request_actor(request),
                appointment=appointment,
                by="citizen",
                link_secret=appointment.link_secret,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Votre rendez-vous est annulé.")
            # The link used has died; its holder gets the new one (as the message will).
            return redirect("rendezvous:manage", signed=links.link_sign(appointment=cancelled))
    return render(
        request,
        "rendezvous/cancel.html",
        {"appointment": appointment, "signed": signed, "error": error},
        status=400 if error else 200,
    )


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
    return redirect(
        reverse("rendezvous:book", args=[held.token]) + "?" + urlencode({"depuis": signed})
    )


@limits.limit("booking")
def rebook_confirm(request, signed: str, token: str):
    """The page "Déplacer mon rendez-vous du … au …": confirming moves it, all or nothing."""
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return error_page
    held = (
        Appointment.objects.select_related("type", "place")
        .filter(token=token, type=appointment.type_id)
        .first()
    )
    if held is None:
        raise Http404
    try:
        kind = services.appointment_rebook_check(appointment=appointment)
    except ValidationError as error:
        return _rebook_refused(request, appointment, signed, error)
    if held.status != Appointment.Status.HELD:
        messages.error(request, services.SLOT_TAKEN)
        return redirect("rendezvous:rebook", signed=signed)
    if kind != services.MOVE:  # cancelled by the commune meanwhile: book anew
        return redirect(
            reverse("rendezvous:book", args=[held.token]) + "?" + urlencode({"depuis": signed})
        )
    values = {"mode": appointment.mode, "phone": appointment.phone}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values |= {name: request.POST.get(name, "") for name in values}
        try:
            moved = services.appointment_rebook(
                acting_user=request_actor(request),
                appointment=appointment,
                held=held,
                link_secret=appointment.link_secret,
                **values,
            )
        except services.SlotUnavailable as error:
            messages.error(request, " ".join(error.messages))
            return redirect("rendezvous:rebook", signed=signed)
        except ValidationError as error:
            errors = getattr(error, "message_dict", {"general": error.messages})
        else:
            local = timezone.localtime(moved.starts_at)
            messages.success(
                request,
                f"Votre rendez-vous est déplacé au {local:%d/%m/%Y à %H:%M}. "
                "Un courriel de confirmation vous a été envoyé.",
            )
            return redirect("rendezvous:manage", signed=links.link_sign(appointment=moved))
    return render(
        request,
        "rendezvous/rebook_confirm.html",
        {
            "current": appointment,
            "appointment": held,
            "signed": signed,
            "values": values,
            "errors": errors,
            "modes": [(m, Mode(m).label) for m in held.type.modes],
        },
        status=400 if errors else 200,
    )


def survey(request, signed: str):
    appointment, error_page = _from_link(request, signed)
    if error_page:
        return error_page
    error = None
    if request.method == "POST":
        try:
            services.survey_submit(
                acting_user=request_actor(request),
                appointment=appointment,
                score=request.POST.get("score"),
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as exc:
            error = " ".join(_errors(exc))
        else:
            messages.success(request, "Merci pour votre avis !")
            return redirect("rendezvous:manage", signed=signed)
    return render(
        request,
        "rendezvous/survey.html",
        {"appointment": appointment, "error": error, "scores": range(1, 6)},
        status=400 if error else 200,
    )


@login_required
def my_appointments(request):
    """A signed-in citizen's appointments in every commune (booked with the account)."""
    appointments = selectors.citizen_appointments_everywhere(user=request.user)
    return render(request, "rendezvous/mine.html", {"appointments": appointments})
