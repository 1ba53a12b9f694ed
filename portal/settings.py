"""Settings, read from the environment (see README.md, "Configuration").

Development, demo and tests need nothing set: PostgreSQL and Redis are started under
``var/`` (portal.embedded). With ``DJANGO_ENV=production`` every secret must be given.
"""

from pathlib import Path

import environ
from django.conf.global_settings import PASSWORD_HASHERS as _PASSWORD_HASHERS
from django.core.exceptions import ImproperlyConfigured

from portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DJANGO_ENV = env("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = env.bool("PORTAL_TESTING", default=False)

REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "PORTAL_BASE_DOMAIN",
)


def _require_production_settings() -> None:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production but these environment variables are missing: "
            + ", ".join(missing)
            + ". Set them (see README.md, Configuration) and start again."
        )


if PRODUCTION:
    _require_production_settings()
else:
    embedded.ensure_environment()

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION and not TESTING)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
# Issue 22: the placeholder of docker.env (or any key marked as one, or too weak to sign
# sessions and reset links) stops start-up in production; `check --deploy` let it through.
PLACEHOLDER_SECRET_MARKS = ("change-me", "changeme", "insecure", "dev-only", "example")


def _refuse_weak_secret_key(key: str) -> None:
    weak = len(key) < 50 or len(set(key)) < 5
    placeholder = any(mark in key.lower() for mark in PLACEHOLDER_SECRET_MARKS)
    if weak or placeholder:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production but SECRET_KEY is "
            + ("a placeholder" if placeholder else "too weak (50 characters at least)")
            + ". Set a long random key, e.g. the output of "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`, and start again.'
        )


if PRODUCTION:
    _refuse_weak_secret_key(SECRET_KEY)
# Hosts are checked against the Domain table by the tenant middleware; unknown ones get the
# "unknown site" page. ALLOWED_HOSTS only narrows that further when set.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
# The operator's host; members are served on "<slug>.<PORTAL_BASE_DOMAIN>" by default.
PORTAL_BASE_DOMAIN = env("PORTAL_BASE_DOMAIN", default="localhost")
PORTAL_PORT = env("PORTAL_PORT", default="" if PRODUCTION else "8000")
PORTAL_SCHEME = env("PORTAL_SCHEME", default="https" if PRODUCTION else "http")
OPERATOR_NAME = env("PORTAL_OPERATOR_NAME", default="Département des Hautes-Alpes")
# Seed 000: the operator's logo on every partner page (a static path or an absolute URL).
OPERATOR_LOGO = env("PORTAL_OPERATOR_LOGO", default="tenants/operator-logo.svg")
# Legal notices of every site (LCEN art. 6 III): who hosts the portal (name, address, phone).
PORTAL_HOSTING = env("PORTAL_HOSTING", default=OPERATOR_NAME)

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "portal.accounts",
    "portal.outbox",
    "portal.audit",
    # Issued acts by the hash of their sealed file (issue 26), for the verification page.
    "portal.sealed",
    # Also a tenant app: public-schema jobs (conventions, billing) record their runs here.
    "portal.jobs",
    # Also a tenant app: the public schema's e-mails (support desk, conventions' and billing's
    # reminders) are owed documents too, in the public schema's own table (issue 27).
    "portal.owed",
    "portal.sms.shared",  # issue 28: SMS opt-outs and each commune's monthly use
    "conventions",
    "billing",
    # Support desk: members' assistance requests to the operator (seed 001 art. 4).
    "support",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "axes",  # issue 8: per-account login lockout (see "Abuse limits")
    # Identity (issue 12): the operator's OpenID Connect provider, second factor, SSO.
    "oauth2_provider",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "identity",
]
TENANT_APPS = [
    "portal.jobs",
    "portal.owed",
    "portal.sms",  # issue 28: each commune's SMS and its monthly cap
    "sve",
    "rendezvous",
]
# "portal" first: its migrate/migrate_schemas commands (which also keep the template schema
# up to date) take precedence over django_tenants' own.
INSTALLED_APPS = ["portal"] + SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Collectivite"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "portal.urls_public"
ROOT_URLCONF = "portal.urls_tenant"
DEFAULT_NOT_FOUND_TENANT_VIEW = "portal.views.unknown_host"
# New tenants are cloned from this schema, which migrate_schemas keeps up to date.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

# portal/ imports no app: what it needs from the tenants app is named here (dotted paths).
PORTAL_ACTIVE_TENANT_SCHEMAS = "tenants.selectors.collectivite_active_schemas"  # () -> [str]
PORTAL_MEMBERSHIP_LOOKUP = "tenants.permissions.membership_for"  # (user, tenant) -> membership

MIDDLEWARE = [
    # Issue 22: bodies over the limits (413), NUL bytes, lone surrogates and deep JSON (400)
    # refused before anything reads them (portal/inputs.py).
    "portal.inputs.InputMiddleware",
    # django-tenants' host lookup, also reading the accounts' data version (same query)
    "tenants.middleware.HostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # issue 12: form-action also names communes' own domains on the operator's pages
    "identity.middleware.OwnDomainFormActionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's request.user.is_verified(), its device kept in memory (issue 22)
    "identity.middleware.SecondFactorMiddleware",
    "portal.audit.context.AuditContextMiddleware",  # issue 22: source address of entries
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.TenantStatusMiddleware",
    # issue 22: one staff-access policy (second factor, idle staff sessions end)
    "identity.staff_access.StaffAccessMiddleware",
    "axes.middleware.AxesMiddleware",  # issue 8: answers a locked account's login (429)
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# Persistent connections multiply throughput (DESIGN.md); checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Speed (issue 11 §4): one `SET search_path` per schema switch instead of one per query.
# Safe because every switch goes through connection.set_tenant/set_schema (the request
# middleware, tenant_context, tenant-schemas-celery), which forgets the path set, and
# django-tenants >= 4.0.1 also forgets it on ROLLBACK and ROLLBACK TO SAVEPOINT, which undo
# a SET in PostgreSQL: tests/portal/test_search_path.py checks both against the server.
TENANT_LIMIT_SET_CALLS = True

REDIS_URL = env("REDIS_URL")


def _redis_cache_location(url: str) -> str:
    # redis-py spells a Unix socket "unix://", Celery/kombu "redis+socket://".
    return url.replace("redis+socket://", "unix://", 1)


CACHES = {
    "default": {
        "BACKEND": "portal.cache.PortalRedisCache",
        "LOCATION": _redis_cache_location(REDIS_URL) + ("?db=1" if "socket" in REDIS_URL else ""),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="portal"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "portal.limits.LoginLockoutBackend",  # issue 8: first, refuses a locked account
    # Issue 11 §4: ModelBackend whose account lookup is kept in memory under the public
    # schema's data version (portal/dataversion.py). ModelBackend stays for older sessions.
    "portal.accounts.backends.AccountBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    *(["django.contrib.auth.hashers.MD5PasswordHasher"] if TESTING else _PASSWORD_HASHERS),
    # SSO client secrets only (OAUTH2_PROVIDER["CLIENT_SECRET_HASHER"]); not first, so
    # never chosen for a password.
    "identity.hashers.ClientSecretHasher",
]

# --- Identity (issue 12): SSO across hosts, upstream providers, second factor ----------
# The operator's host is the OpenID Connect provider (django-oauth-toolkit); every member
# host is a client registered per domain (identity.services.sso). ID tokens are signed with
# this RSA key: OIDC_RSA_PRIVATE_KEY in production, a key kept under var/ otherwise.
# OIDC_RSA_PRIVATE_KEY_FILE may name a PEM file instead (a docker secret, for instance).
OIDC_RSA_PRIVATE_KEY = env.str("OIDC_RSA_PRIVATE_KEY", default="", multiline=True)
if not OIDC_RSA_PRIVATE_KEY and env.str("OIDC_RSA_PRIVATE_KEY_FILE", default=""):
    OIDC_RSA_PRIVATE_KEY = Path(env.str("OIDC_RSA_PRIVATE_KEY_FILE")).read_text()
if not OIDC_RSA_PRIVATE_KEY and PRODUCTION:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production but these environment variables are missing: "
        "OIDC_RSA_PRIVATE_KEY (or OIDC_RSA_PRIVATE_KEY_FILE). Set them (see README.md, "
        "Configuration) and start again."
    )
if not OIDC_RSA_PRIVATE_KEY:
    from portal.keys import development_private_key

    OIDC_RSA_PRIVATE_KEY = development_private_key(BASE_DIR / "var" / "oidc-private-key.pem")
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    "PKCE_REQUIRED": True,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # The ID token hint proves which client asks; logging out never needs a second click.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OAUTH2_VALIDATOR_CLASS": "identity.oidc.PortalOAuth2Validator",
    # Client secrets are HMACs of SECRET_KEY: one PBKDF2 round (identity.hashers).
    "CLIENT_SECRET_HASHER": "pbkdf2_sha256_client_secret",
    "SCOPES": {
        "openid": "Identité",
        "profile": "Nom et prénom",
        "email": "Adresse électronique",
    },
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # RFC 9700 (OAuth 2.0 security best current practice), checked by `check --deploy`.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# Upstream providers, each enabled when its client id is set: FranceConnect for citizens,
# ProConnect for staff. ISSUER is the provider's base URL (its discovery document is at
# ISSUER/.well-known/openid-configuration).
IDENTITY_UPSTREAMS = {
    name: {
        "client_id": env.str(f"{prefix}_CLIENT_ID", default=""),
        "client_secret": env.str(f"{prefix}_CLIENT_SECRET", default=""),
        "issuer": env.str(f"{prefix}_ISSUER", default=""),
        "scope": env.str(f"{prefix}_SCOPE", default=scope),
        "acr_values": env.str(f"{prefix}_ACR_VALUES", default=acr),
        # Whether an e-mail sent without an "email_verified" claim counts as verified (an
        # explicit "email_verified": false never does).
        "trusts_email": env.bool(f"{prefix}_TRUSTS_EMAIL", default=False),
    }
    for name, prefix, scope, acr in (
        ("franceconnect", "FRANCECONNECT", "openid given_name family_name email", "eidas1"),
        ("proconnect", "PROCONNECT", "openid given_name usual_name email", ""),
    )
}
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Portail des communes")
# django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s...).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Issue 22 (identity.staff_access): roles that must use a second factor besides platform
# admins, finance and technical staff, each a (user) -> bool of the app that owns the role;
# how long a proof (sign-in, code, password) lasts for a change of the account's protection
# (recovery codes, disabling the second factor, e-mail); a staff session's idle limit (a
# working day; citizens keep SESSION_COOKIE_AGE, two weeks).
IDENTITY_SECOND_FACTOR_ROLES = ["support.permissions.is_desk"]
IDENTITY_REAUTH_SECONDS = env.int("IDENTITY_REAUTH_SECONDS", default=600)
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=10 * 3600)
# --- end Identity ---------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# django-tenants: one media folder per schema under MEDIA_ROOT.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 26_214_400

# E-mail: SMTP when EMAIL_URL is set, else every message is kept in the outbox table.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "portal.outbox.backend.OutboxEmailBackend"
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Portail des communes <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=90)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Issue 22: a request body larger than this is refused (413) before it is read: room for a
# form's files (the builder allows one of up to 50 MB) and its fields. JSON bodies (the API)
# have their own, smaller bound.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=64 * 1024 * 1024)
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=2 * 1024 * 1024)
# Appointments: default visio provider (Jitsi-compatible; each commune may set its own),
# how long a slot is held while the citizen fills the form, how long message links work.
RENDEZVOUS_VISIO_BASE_URL = env("RENDEZVOUS_VISIO_BASE_URL", default="https://meet.jit.si/")
RENDEZVOUS_HOLD_MINUTES = env.int("RENDEZVOUS_HOLD_MINUTES", default=10)
RENDEZVOUS_LINK_MAX_AGE_DAYS = env.int("RENDEZVOUS_LINK_MAX_AGE_DAYS", default=180)

# Celery: broker and results on Redis; the tenant travels in the "_schema_name" header.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True  # a task lost with its worker is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
# Issue 14 (fan-out over 1,000 members): Celery's Django fixup closes the database connection
# around every task unless this is set, so that each task paid a new PostgreSQL backend
# whose catalog caches start empty. Workers keep their connection instead, checked around
# each task as Django does around a request (CONN_MAX_AGE, health checks: portal/celery.py);
# the fixup still recycles it after this many tasks.
CELERY_DB_REUSE_MAX = 1000
# Tests give each run its own queue so that no other worker on the same Redis takes its tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
# --- Owed documents (portal/owed, issue 8) ---
# A legally owed document whose task has not issued it after this long is queued again.
OWED_RESEND_AFTER_SECONDS = env.int("OWED_RESEND_AFTER_SECONDS", default=300)
# --- SMS (portal/sms, issue 28) ---
# Brevo's transactional SMS API (or the stand-in on loopback: python -m portal.sms.stand_in).
# No key: no SMS at all, appointments are confirmed and reminded by e-mail only.
SMS_API_KEY = env("SMS_API_KEY", default="")
SMS_API_URL = env("SMS_API_URL", default="https://api.brevo.com")
SMS_SENDER = env("SMS_SENDER", default="MAIRIE")  # 11 letters or digits at most
# Where the provider posts delivery events and "STOP" replies (portal/sms/views.py); its
# last part is this secret, as Brevo signs nothing.
SMS_EVENTS_URL = env("SMS_EVENTS_URL", default="")
SMS_EVENTS_SECRET = env("SMS_EVENTS_SECRET", default="")
# Issue 28: no SMS between 21:00 and 8:00 (Paris time): queued to the morning.
SMS_QUIET_FROM = env("SMS_QUIET_FROM", default="21:00")
SMS_QUIET_UNTIL = env("SMS_QUIET_UNTIL", default="08:00")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10)
# What one SMS (segment) costs the operator, in euro cents, shown to communes with their use.
SMS_SEGMENT_PRICE_CENTS = env("SMS_SEGMENT_PRICE_CENTS", default="4.5")

# The periodic tasks (celery beat), in a module of their own: portal/beat.py.
from portal.beat import CELERY_BEAT_SCHEDULE  # noqa: E402, F401

# Abuse limits (issue 8; portal/limits.py): per IP and per account, counted in Redis (the
# default cache). "N/s|m|h|d"; a missing or empty entry means no limit.
PORTAL_RATE_LIMITS = {
    "login:ip": env("LIMIT_LOGIN_IP", default="30/m"),
    "login:account": env("LIMIT_LOGIN_ACCOUNT", default="10/m"),
    "signup:ip": env("LIMIT_SIGNUP_IP", default="10/h"),
    "signup:account": env("LIMIT_SIGNUP_ACCOUNT", default="3/h"),
    "password-reset:ip": env("LIMIT_PASSWORD_RESET_IP", default="10/h"),
    "password-reset:account": env("LIMIT_PASSWORD_RESET_ACCOUNT", default="3/h"),
    "filing:ip": env("LIMIT_FILING_IP", default="30/h"),
    "filing:account": env("LIMIT_FILING_ACCOUNT", default="10/h"),
    "booking:ip": env("LIMIT_BOOKING_IP", default="30/h"),
    "booking:account": env("LIMIT_BOOKING_ACCOUNT", default="5/h"),
    # Issue 26: the public verification page checks a seal per upload.
    "verify:ip": env("LIMIT_VERIFY_IP", default="60/h"),
}
RATELIMIT_USE_CACHE = "default"
# Issue 22: Redis down lets requests through rather than answering 500 (portal/cache.py logs
# each failed call).
RATELIMIT_FAIL_OPEN = True
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
# django-axes (issue 22): after AXES_FAILURE_LIMIT failed logins of an account from one
# address, that account is locked from that address only (an attacker elsewhere cannot keep
# its owner out), for LOGIN_LOCKOUT_BASE_SECONDS, doubled at each further failure up to
# LOGIN_LOCKOUT_MAX_SECONDS (portal.limits.lockout_delay); its state is in Redis too. The
# address is the rate limits' (RATELIMIT_IP_META_KEY), not a header the client writes.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "default"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_BASE_SECONDS = env.int("LOGIN_LOCKOUT_BASE_SECONDS", default=60)
LOGIN_LOCKOUT_MAX_SECONDS = env.int("LOGIN_LOCKOUT_MAX_SECONDS", default=24 * 3600)
AXES_COOLOFF_TIME = "portal.limits.lockout_cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.limits.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "portal.limits.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.limits.lockout_response"
AXES_VERBOSE = False
# Per IP is counted by django-ratelimit (PORTAL_RATE_LIMITS), not by axes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "portal.limits.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [  # issue 8: JSON text PostgreSQL can store, or 400
        "portal.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portail des communes — API",
    "DESCRIPTION": "API du portail mutualisé : démarches en ligne (SVE) et rendez-vous.",
    "VERSION": "1.0.0",
    # Choice sets that share a field name across apps get explicit, stable names.
    "ENUM_NAME_OVERRIDES": {
        "SveRegimeEnum": "sve.models.Regime",
        "SveStatusEnum": "sve.models.Status",
        "AppointmentStatusEnum": "rendezvous.models.Appointment.Status",
    },
    # Issue 8: the error answers (400, 403, 404, 409, 410, 429) on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api_schema.document_errors",
    ],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Content-Security-Policy (django-csp; issue 11): everything from the portal's own origin,
# no inline script or style anywhere (pages put JS and CSS in static files). Images may
# also be data: URIs (browsers' form controls) and the operator's logo may be an absolute
# URL (OPERATOR_LOGO). The API docs page (Swagger UI) relaxes it in its own view.
_CSP_IMG = ["'self'", "data:"]
if OPERATOR_LOGO.startswith(("http://", "https://")):
    _CSP_IMG.append("/".join(OPERATOR_LOGO.split("/")[:3]))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _CSP_IMG,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Identity (issue 12): signing in and out posts a form whose redirects cross hosts (operator
# -> commune after login, commune -> operator -> commune on logout, operator -> FranceConnect
# or ProConnect on logout): form-action allows the portal's hosts and the upstream issuers.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += [
    f"{PORTAL_SCHEME}://{PORTAL_BASE_DOMAIN}:*",
    f"{PORTAL_SCHEME}://*.{PORTAL_BASE_DOMAIN}:*",
    *sorted(
        {"/".join(u["issuer"].split("/")[:3]) for u in IDENTITY_UPSTREAMS.values() if u["issuer"]}
    ),
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "pgserver": {"level": "WARNING"},
        # WeasyPrint logs each rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Page speed (issue 11 §4, bench/pages.py) ---
# Sessions read from Redis first (written through to the database): a signed-in page
# saves one PostgreSQL round trip.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Sealed documents (issue 26; portal/seal.py, README "Sealed documents") ------------
# The operator's seal certificate (PEM, then its chain), its key, and the roots the
# verification page trusts; unset outside production: a test CA made under var/seal/.
PDF_SEAL_CERT_FILE = env.str("PDF_SEAL_CERT_FILE", default="")
PDF_SEAL_KEY_FILE = env.str("PDF_SEAL_KEY_FILE", default="")
PDF_SEAL_KEY_PASSPHRASE = env.str("PDF_SEAL_KEY_PASSPHRASE", default="")
# Or the key in an HSM, through its PKCS#11 module (instead of PDF_SEAL_KEY_FILE; the
# certificate still comes from PDF_SEAL_CERT_FILE): the module's path, the token's label,
# the key's label on it, and the user PIN (from the environment only).
PDF_SEAL_PKCS11_MODULE = env.str("PDF_SEAL_PKCS11_MODULE", default="")
PDF_SEAL_PKCS11_TOKEN_LABEL = env.str("PDF_SEAL_PKCS11_TOKEN_LABEL", default="")
PDF_SEAL_PKCS11_KEY_LABEL = env.str("PDF_SEAL_PKCS11_KEY_LABEL", default="")
PDF_SEAL_PKCS11_PIN = env.str("PDF_SEAL_PKCS11_PIN", default="")
PDF_SEAL_TRUST_ROOTS_FILE = env.str("PDF_SEAL_TRUST_ROOTS_FILE", default="")
PDF_SEAL_DEV_DIR = BASE_DIR / "var" / "seal"
# An RFC 3161 timestamping authority (e.g. a qualified TSA's URL); none: no timestamp.
PDF_SEAL_TSA_URL = env.str("PDF_SEAL_TSA_URL", default="")
