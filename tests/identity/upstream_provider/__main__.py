"""Start the stand-in provider: ``python -m tests.identity.upstream_provider``.

Environment: UPSTREAM_DB (SQLite path), UPSTREAM_RSA_KEY, UPSTREAM_USERS (JSON list of
{"username", "password", "claims"}), UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET,
UPSTREAM_REDIRECT_URIS and UPSTREAM_LOGOUT_URIS (space separated). Prints "PORT <n>" once
it listens on 127.0.0.1.

UPSTREAM_DB_MIGRATED (optional): an empty, migrated database file. Copied when it exists
instead of migrating (most of a start's second), written after migrating when it does not:
the tests start a provider a dozen times."""

import os
import shutil
import socketserver
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.identity.upstream_provider.settings"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from oauth2_provider.models import get_application_model

    migrated = os.environ.get("UPSTREAM_DB_MIGRATED", "")
    if migrated and os.path.exists(migrated):
        shutil.copyfile(migrated, settings.DATABASES["default"]["NAME"])
    else:
        call_command("migrate", verbosity=0, interactive=False)
        if migrated:
            connection.close()
            shutil.copyfile(settings.DATABASES["default"]["NAME"], migrated + ".part")
            os.replace(migrated + ".part", migrated)
    for person in settings.UPSTREAM_USERS:
        User.objects.create_user(username=person["username"], password=person["password"])
    Application = get_application_model()
    Application.objects.create(
        name="portail",
        client_id=os.environ["UPSTREAM_CLIENT_ID"],
        client_secret=os.environ["UPSTREAM_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["UPSTREAM_REDIRECT_URIS"],
        post_logout_redirect_uris=os.environ.get("UPSTREAM_LOGOUT_URIS", ""),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1", 0, WSGIHandler(), server_class=ThreadingServer, handler_class=QuietHandler
    )
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
