"""A stand-in for FranceConnect / ProConnect: django-oauth-toolkit's OpenID Connect
provider in its own process, on loopback, with its own SQLite database (see __main__)."""

import json
import os

SECRET_KEY = "upstream-stand-in-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.identity.upstream_provider.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["UPSTREAM_DB"]}}
# Its own cookie name: the browser must keep its session apart from the portal's.
SESSION_COOKIE_NAME = "upstream_session"
LOGIN_URL = "/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": False,
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "registration/login.html": (
                            "<!doctype html><html lang='fr'><title>Fournisseur d'identité</title>"
                            "<h1>Fournisseur d'identité de test</h1><form method='post'>{% csrf_token %}"
                            "{{ form.username.label_tag }} {{ form.username }}"
                            "{{ form.password.label_tag }} {{ form.password }}"
                            "<input type='hidden' name='next' value='{{ next }}'>"
                            "<button type='submit'>Valider</button></form></html>"
                        ),
                    },
                ),
                "django.template.loaders.app_directories.Loader",
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
            ],
        },
    }
]
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ["UPSTREAM_RSA_KEY"],
    # FranceConnect does not use PKCE: the nonce is what binds a code to its request.
    "PKCE_REQUIRED": False,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OAUTH2_VALIDATOR_CLASS": "tests.identity.upstream_provider.validator.StandInValidator",
    "SCOPES": {
        name: name
        for name in ("openid", "profile", "email", "given_name", "family_name", "usual_name")
    },
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http"],
}
UPSTREAM_USERS = json.loads(os.environ.get("UPSTREAM_USERS", "[]"))
