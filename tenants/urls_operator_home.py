"""The operator's home page (no namespace: "home")."""

from django.urls import path

from tenants import views, views_operator

urlpatterns = [
    path("", views_operator.operator_home, name="home"),
    # A commune's look on the operator's pages shown on its behalf (identity.branding).
    path("communes/<slug:slug>/logo/", views.logo, name="commune_logo"),
    path("communes/<slug:slug>/theme.css", views.theme_css, name="commune_theme_css"),
]
