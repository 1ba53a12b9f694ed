"""What the provider reports (issue 28): delivery of each SMS, and "STOP" replies."""

import json
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.permissions import member_required, platform_admin_required
from portal.sms.selectors import sms_month_use, sms_use_by_commune
from portal.sms.services import sms_cap_set, sms_event_record, sms_opt_out_set, sms_opted_out


@csrf_exempt  # called by the provider, authenticated by the secret in its address
@require_POST
def sms_events(request, secret: str):
    expected = settings.SMS_EVENTS_SECRET
    if not expected or not secrets.compare_digest(secret.encode(), expected.encode()):
        return HttpResponseNotFound()
    try:
        event = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest()
    if not isinstance(event, dict):
        return HttpResponseBadRequest()
    sms_event_record(event=event)
    return HttpResponse(status=204)


@login_required
def account_sms(request):
    """The citizen refuses (or accepts again) SMS about their appointments, on any number."""
    if request.method == "POST":
        opted_out = request.POST.get("sms") == "non"
        sms_opt_out_set(acting_user=request.user, user_id=request.user.pk, opted_out=opted_out)
        messages.success(
            request,
            _("Vous ne recevrez plus de SMS.")
            if opted_out
            else _("Vous recevrez de nouveau les SMS de rappel."),
        )
        return redirect("sms:account")
    opted_out = sms_opted_out(phone="", user_id=request.user.pk)
    return render(request, "sms/account.html", {"opted_out": opted_out})


@member_required(admin=True)
def commune_sms(request):
    """The commune admin: this month's SMS, their cost, and the monthly cap."""
    error = ""
    if request.method == "POST":
        raw = request.POST.get("monthly_cap", "").strip()
        try:
            if raw and not raw.isdigit():
                raise ValidationError({"monthly_cap": "Indiquez un nombre entier, ou rien."})
            sms_cap_set(acting_user=request.user, monthly_cap=int(raw) if raw else None)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Plafond enregistré."))
            return redirect("sms_admin:commune")
    return render(
        request,
        "sms/commune.html",
        {"use": sms_month_use(), "error": error},
        status=400 if error else 200,
    )


@platform_admin_required
def operator_sms(request):
    """The operator: every commune's SMS this month and their cost."""
    rows = sms_use_by_commune()
    total = sum(row.cost_cents for row in rows)
    return render(request, "sms/operator.html", {"rows": rows, "total_cents": total})
