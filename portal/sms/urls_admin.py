"""SMS use and cap: the commune admin's page (tenant host), the operator's (public)."""

from django.urls import path

from portal.sms import views

app_name = "sms_admin"
urlpatterns = [path("", views.commune_sms, name="commune")]
