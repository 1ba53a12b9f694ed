"""The provider's reports (operator's host only)."""

from django.urls import path

from portal.sms import views

app_name = "sms_events"
urlpatterns = [path("<str:secret>/", views.sms_events, name="events")]
