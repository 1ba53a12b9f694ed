from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

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
        return self.cleaned_data["email"].lower()

    def _post_clean(self):
        # ModelForm's checks without the uniqueness ones: whether the address has an account
        # is not said here (issue 8); accounts.services.user_signup mails its owner instead.
        self.instance = construct_instance(self, self.instance, self._meta.fields)
        try:
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)
        self.validate_password_for_user(self.instance)
