from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "portal.sms"
    label = "sms"
    verbose_name = "SMS"
