"""Every commune's SMS use (operator's host)."""

from django.urls import path

from portal.sms import views

app_name = "sms_operator"
urlpatterns = [path("", views.operator_sms, name="use")]
