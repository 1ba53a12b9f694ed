"""The technical admin's login route (issue 22): it sends to the portal's own login, so the
technical admin has no password-only door. Included by portal/urls_public.py by name, so
that ``portal`` imports no app."""

from django.urls import path

from identity.views.login import technical_admin_login

urlpatterns = [path("", technical_admin_login, name="technical_admin_login")]
