"""The account page: e-mail, password, sessions, GDPR copy, deletion. The same on every
host, since the account is the same in every commune."""

import json

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from identity.forms import DeleteAccountForm, EmailChangeForm
from identity.models import PersonalDataExport
from identity.selectors import user_active_sessions, user_external_identities
from identity.services.account import (
    AccountError,
    email_change_confirm,
    email_change_request,
    personal_data_export_request,
    user_delete,
    user_password_change,
)
from identity.services.sessions import user_sessions_end
from identity.views.second_factor_check import fresh_authentication_required
from portal.links import site_url


def _page(request, **forms):
    user = request.user
    context = {
        "email_form": forms.get("email_form") or EmailChangeForm(),
        "password_form": forms.get("password_form") or PasswordChangeForm(user),
        "sessions": user_active_sessions(user=user),
        "current_session_key": request.session.session_key,
        "external_identities": user_external_identities(user=user),
        "exports": PersonalDataExport.objects.filter(user=user).defer("content")[:5],
    }
    return render(request, "identity/account.html", context)


@login_required
def account(request):
    return _page(request)


@login_required
@require_POST
@fresh_authentication_required("identity:account")  # issue 22: who asks is the holder
def email_change(request):
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            email_change_request(
                user=request.user,
                new_email=form.cleaned_data["email"],
                confirm_url_for=lambda token: site_url(
                    request, reverse("identity:email_confirm", args=[token])
                ),
            )
        except AccountError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, "Un lien de confirmation a été envoyé à la nouvelle adresse.")
            return redirect("identity:account")
    return _page(request, email_form=form)


@login_required
def email_confirm(request, token: str):
    try:
        email = email_change_confirm(user=request.user, token=token)
    except AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Votre adresse électronique est désormais {email}.")
    return redirect("identity:account")


@login_required
@require_POST
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST)
    if form.is_valid():
        ended = user_password_change(
            user=request.user,
            password=form.cleaned_data["new_password1"],
            keep_session_key=request.session.session_key,
        )
        update_session_auth_hash(request, request.user)
        messages.success(
            request,
            f"Votre mot de passe est changé ; {ended} autre(s) session(s) ont été fermées.",
        )
        return redirect("identity:account")
    return _page(request, password_form=form)


@login_required
@require_POST
def sessions_end(request):
    user = request.user
    user_sessions_end(user=user)
    logout(request)
    messages.success(request, "Vous êtes déconnecté de toutes vos sessions.")
    return redirect("home")


@login_required
@require_POST
def export_request(request):
    personal_data_export_request(user=request.user)
    messages.success(
        request, "Votre export est en préparation : il apparaîtra ici dans quelques instants."
    )
    return redirect("identity:account")


@login_required
def export_download(request, pk: int):
    export = get_object_or_404(PersonalDataExport, pk=pk, user=request.user)
    if export.completed_at is None:
        raise Http404
    response = HttpResponse(
        json.dumps(export.content, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"mes-donnees-{export.completed_at:%Y-%m-%d}.json"
    )
    return response


@login_required
def account_delete(request):
    # Bound on every POST: an unchecked box posts nothing, yet must say it is required.
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = request.user
        logout(request)
        user_delete(user=user)
        messages.success(request, "Votre compte est supprimé.")
        return redirect("home")
    return render(request, "identity/account_delete.html", {"form": form})
