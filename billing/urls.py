"""Finance staff's pages (operator host, /facturation/)."""

from django.urls import path

from billing import views, views_exports, views_settings

app_name = "billing"
urlpatterns = [
    path("", views.index, name="index"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campagnes/<int:pk>/lancer/", views.campaign_launch, name="campaign_launch"),
    path("campagnes/<int:pk>/progression/", views.campaign_progress, name="campaign_progress"),
    path("campagnes/<int:pk>/pes.xml", views.campaign_pes, name="campaign_pes"),
    path(
        "campagnes/<int:pk>/bordereaux/",
        views_exports.campaign_bordereaux,
        name="campaign_bordereaux",
    ),
    path("titres/", views.titre_list, name="titres"),
    path("titres/<int:pk>/", views.titre_detail, name="titre"),
    path("titres/<int:pk>/pdf/", views.titre_pdf, name="titre_pdf"),
    path("titres/<int:pk>/<slug:action>/", views.titre_action, name="titre_action"),
    path("paiements/", views.payments, name="payments"),
    path("tarifs/", views.tariffs, name="tariffs"),
    path("populations/", views.population_override, name="population"),
    path("ordonnateur/", views_settings.issuer, name="issuer"),
    path("membres/", views_settings.member_list, name="members"),
    path("membres/<int:pk>/", views_settings.member_detail, name="member"),
    path(
        "membres/<int:pk>/forfait/<int:convention_pk>/",
        views_settings.member_package,
        name="member_package",
    ),
    path("membres/<int:pk>/prestations/", views_settings.member_usage, name="member_usage"),
    path(
        "membres/<int:pk>/prestations/<int:usage_pk>/supprimer/",
        views_settings.member_usage_delete,
        name="member_usage_delete",
    ),
    path("exports/", views_exports.exports, name="exports"),
    path(
        "exports/corrections/<int:pk>/pes.xml",
        views_exports.correction_pes,
        name="correction_pes",
    ),
    path(
        "exports/corrections/<int:pk>/bordereaux/",
        views_exports.correction_bordereaux,
        name="correction_bordereaux",
    ),
]
