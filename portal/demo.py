"""`make demo`: the whole stack in the foreground, stopped together by Ctrl-C.

Starts the embedded PostgreSQL and Redis (unless DATABASE_URL / REDIS_URL are set),
migrates the public, template and tenant schemas, seeds the demo data (idempotent), then
runs the web server, one Celery worker and Celery beat. Ctrl-C (or SIGTERM) stops the three
processes and then the embedded servers this command started, leaving nothing behind.
"""

import os
import signal
import subprocess
import sys
import time

from portal import embedded

PYTHON = sys.executable
PORT = os.environ.get("PORTAL_PORT", "8000")


SMS_PORT = os.environ.get("DEMO_SMS_PORT", "8026")


def _banner() -> str:
    from portal.demo_data import DEMO_PASSWORD, demo_accounts, demo_second_factors, demo_sites

    lines = [
        "",
        "=" * 72,
        " Portail des communes — démo",
        "=" * 72,
        f" Opérateur (Département des Hautes-Alpes) : http://localhost:{PORT}/",
    ]
    lines += [f" {name:<40} http://{slug}.localhost:{PORT}/" for name, slug in demo_sites()]
    lines += [
        f" Courriels envoyés (administrateur)        http://localhost:{PORT}/operateur/courriels/",
        f" API (schéma OpenAPI)                      http://localhost:{PORT}/api/schema/",
        f" Vérifier un document                      http://localhost:{PORT}/verifier/",
        f" SMS reçus par l'opérateur SMS de test       http://127.0.0.1:{SMS_PORT}/_stand_in/messages",
        " Cachet de test des documents (non qualifié) var/seal/seal-cert.pem, autorité var/seal/ca-cert.pem",
        "",
        f" Comptes de démonstration (mot de passe : {DEMO_PASSWORD})",
    ]
    lines += [f"   {email:<34} {role}" for email, role in demo_accounts()]
    second_factors = demo_second_factors()
    if second_factors:
        lines += [
            "",
            " Double authentification des comptes de l'opérateur : ajoutez le secret dans une",
            " application d'authentification (ou `oathtool --totp -b SECRET`), ou utilisez un",
            " code de secours (chaque code ne sert qu'une fois).",
        ]
        for email, uri, codes in second_factors:
            lines += [f"   {email}", f"     {uri}", f"     codes de secours : {', '.join(codes)}"]
    lines += ["", " Ctrl-C arrête tout (web, worker, beat, PostgreSQL, Redis).", "=" * 72, ""]
    return "\n".join(lines)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    # Explicit handlers: a shell may start us with SIGINT ignored (background jobs).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    started_here = not (embedded._postgres_running() or embedded._redis_running())
    env = {**os.environ, **embedded.start(), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    manage = [PYTHON, "manage.py"]
    children: list[subprocess.Popen] = []

    def stop_all(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if started_here:
            embedded.stop()

    try:
        subprocess.run([*manage, "migrate_schemas", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "seed_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        # Single sign-on clients follow the port this demo serves on (issue 12).
        subprocess.run(
            [*manage, "sso_clients_sync"], env=env, check=True, stdout=subprocess.DEVNULL
        )
        os.environ.update(env)
        import django

        django.setup()
        beat_schedule = str(embedded.VAR_DIR / "celerybeat-schedule")
        commands = []
        if not env.get("SMS_API_KEY"):
            # Issue 28: SMS go to the stand-in provider on loopback (the real Brevo client
            # talks to it); its delivery reports come back to this demo's operator host.
            sms_port = SMS_PORT
            env |= {
                "SMS_API_KEY": "demo-stand-in",
                "SMS_API_URL": f"http://127.0.0.1:{sms_port}",
                "SMS_EVENTS_SECRET": "demo-evenements",
                "SMS_EVENTS_URL": f"http://localhost:{PORT}/sms/evenements/demo-evenements/",
            }
            commands.append([PYTHON, "-m", "portal.sms.stand_in", "--port", sms_port])
        commands += [
            [*manage, "runserver", f"0.0.0.0:{PORT}", "--noreload"],
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
            ],
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "portal",
                "beat",
                "--loglevel",
                "INFO",
                "-s",
                beat_schedule,
            ],
        ]
        for command in commands:
            # Own process group: Ctrl-C reaches us only, and we stop the children in order.
            children.append(subprocess.Popen(command, env=env, start_new_session=True))
        print(_banner(), flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A demo process stopped on its own; stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nArrêt de la démo…", flush=True)
        return 0
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
