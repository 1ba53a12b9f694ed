from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from portal import limits
from portal.accounts.forms import SignupForm
from portal.accounts.services import user_signup

SIGNUP_DONE = (
    "Un courriel vient d'être envoyé à cette adresse. Si le compte a été créé, connectez-vous "
    "avec votre adresse et votre mot de passe : il vaut pour toutes les communes du portail."
)


@limits.limit("signup", account=limits.email_of("email"))
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            login_url=request.build_absolute_uri(reverse("accounts:login")),
            reset_url=request.build_absolute_uri(reverse("accounts:password_reset")),
        )
        messages.success(request, SIGNUP_DONE)  # the same answer whether it existed or not
        return redirect("accounts:login")
    return render(request, "accounts/signup.html", {"form": form})
