"""A member's own pages on its host (public home, logo, the admin's pages under /gestion/)."""

from django.urls import path

from tenants import views

app_name = "commune"
urlpatterns = [
    path("logo/", views.logo, name="logo"),
    path("theme.css", views.theme_css, name="theme_css"),
    path("mentions-legales/", views.legal_page, {"page": "mentions"}, name="legal_mentions"),
    path("donnees-personnelles/", views.legal_page, {"page": "privacy"}, name="legal_privacy"),
    path("accessibilite/", views.legal_page, {"page": "accessibility"}, name="accessibility"),
    path("gestion/apparence/", views.look, name="look"),
    path("gestion/membres/", views.members, name="members"),
    path("gestion/membres/<int:pk>/", views.member_action, name="member_action"),
]
