from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm

from portal.accounts.models import User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique", widget=forms.EmailInput(attrs={"autofocus": True})
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class SignupForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")
        labels = {"email": "Adresse électronique", "first_name": "Prénom", "last_name": "Nom"}

    def clean_email(self):
        # Whether the address has an account is not said here (issue 8): user_signup mails
        # its owner instead.
        return self.cleaned_data["email"].lower()

    def validate_unique(self):
        pass  # see clean_email
