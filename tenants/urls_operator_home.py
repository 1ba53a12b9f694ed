"""The operator's home page (no namespace: "home")."""

from django.urls import path

from tenants import views_operator

urlpatterns = [path("", views_operator.operator_home, name="home")]
