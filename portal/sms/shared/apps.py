from django.apps import AppConfig


class SmsSharedConfig(AppConfig):
    """The operator-wide part of SMS (public schema): opt-outs and each commune's monthly
    use, read by the operator and the billing campaign without visiting every schema."""

    name = "portal.sms.shared"
    label = "sms_shared"
    verbose_name = "SMS (opérateur)"
