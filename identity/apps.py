from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identité et connexion"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from identity.services.sessions import session_proof_on_login, session_record_on_login

        user_logged_in.connect(session_record_on_login, dispatch_uid="identity-session-record")
        user_logged_in.connect(session_proof_on_login, dispatch_uid="identity-session-proof")

        from identity import audit

        audit.connect()  # issue 22: security events in the audit trail

        from identity.services.sso import sso_client_register
        from portal.onboarding import host_added_register

        # Issue 12: each member host is a client of the operator's single sign-on.
        host_added_register(sso_client_register)
