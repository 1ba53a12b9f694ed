"""A member's home page and back-office home (no namespace: "home", "backoffice")."""

from django.urls import path

from tenants import views

urlpatterns = [
    path("", views.commune_home, name="home"),
    path("gestion/", views.backoffice_home, name="backoffice"),
]
