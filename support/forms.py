"""Forms of the support desk: a member's filing and replies, the desk's actions."""

from django import forms
from django.utils import timezone

from conventions.catalogue import application_choices, applications_for
from portal.inputs import row_id
from support.models import HelpArticle, SupportRequest
from support.selectors import desk_staff


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class FileForm(forms.Form):
    subject = forms.CharField(label="Objet", max_length=200)
    kind = forms.ChoiceField(
        label="Type de demande",
        choices=SupportRequest.Kind.choices,
        widget=forms.RadioSelect,
        initial=SupportRequest.Kind.ASSISTANCE,
    )
    application = forms.ChoiceField(label="Application concernée", required=False)
    description = forms.CharField(
        label="Description",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Ce que vous faisiez, ce qui s'est passé, le message d'erreur éventuel.",
    )
    files = MultipleFileField(
        label="Pièces jointes",
        required=False,
        help_text="PDF, JPEG ou PNG, 5 fichiers au plus.",
    )

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        # The applications of the member's agreements (Collectivite.services).
        self.fields["application"].choices = [("", "Aucune en particulier")] + [
            (app.code, app.label) for app in applications_for(collectivite.services)
        ]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Votre message", max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(label="Pièces jointes", required=False)


class DeskReplyForm(ReplyForm):
    MODES = (
        ("reply", "Répondre à la collectivité"),
        ("wait", "Répondre et attendre la collectivité"),
        ("note", "Note interne (invisible de la collectivité)"),
    )
    mode = forms.ChoiceField(
        label="Envoi", choices=MODES, initial="reply", widget=forms.RadioSelect
    )


class EtaForm(forms.Form):
    eta = forms.DateTimeField(
        label="Rétablissement probable",
        error_messages={
            "required": "Indiquez une date et une heure valides.",
            "invalid": "Indiquez une date et une heure valides.",
        },
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )

    def clean_eta(self):
        eta = self.cleaned_data["eta"]
        return timezone.make_aware(eta) if timezone.is_naive(eta) else eta


class AssignForm(forms.Form):
    """Who takes the request over; an id that names no desk member unassigns it."""

    assignee = forms.CharField(required=False)

    def clean_assignee(self):
        return desk_staff().filter(pk=row_id(self.cleaned_data["assignee"]) or 0).first()


class ResolveForm(forms.Form):
    body = forms.CharField(
        label="Message de résolution",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="resolve-%s", **kwargs)


class HelpArticleForm(forms.ModelForm):
    application = forms.ChoiceField(label="Application", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "Toutes")] + application_choices()

    class Meta:
        model = HelpArticle
        fields = ["title", "application", "body", "is_published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
