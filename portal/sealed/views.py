"""The public verification page, on every member's host and the operator's: a person uploads
a PDF and learns whether the portal issued it on this host, when, for which reference, and
whether it was changed (portal.sealed.selectors.sealed_verify)."""

from django import forms
from django.db import connection
from django.shortcuts import render

from portal.limits import limit
from portal.sealed.selectors import sealed_verify
from portal.uploads import max_upload_bytes


class VerifyForm(forms.Form):
    document = forms.FileField(label="Document PDF à vérifier")

    def clean_document(self):
        uploaded = self.cleaned_data["document"]
        if uploaded.size > max_upload_bytes():
            raise forms.ValidationError(
                "Ce fichier est trop volumineux pour être un acte du portail."
            )
        return uploaded


@limit("verify")
def verify(request):
    posted = request.method == "POST"
    form = VerifyForm(request.POST, request.FILES) if posted else VerifyForm()
    verification = None
    if posted and form.is_valid():
        content = form.cleaned_data["document"].read()
        verification = sealed_verify(content=content, schema_name=connection.schema_name)
    return render(request, "sealed/verify.html", {"form": form, "verification": verification})
