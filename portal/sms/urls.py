"""The citizen's SMS choice on their account (both hosts, under comptes/)."""

from django.urls import path

from portal.sms import views

app_name = "sms"
urlpatterns = [path("mon-compte/sms/", views.account_sms, name="account")]
