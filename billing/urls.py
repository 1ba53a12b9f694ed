"""Finance staff's pages (operator host, /facturation/)."""

from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("", views.index, name="index"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campagnes/<int:pk>/lancer/", views.campaign_launch, name="campaign_launch"),
    path("campagnes/<int:pk>/progression/", views.campaign_progress, name="campaign_progress"),
    path("campagnes/<int:pk>/pes.xml", views.campaign_pes, name="campaign_pes"),
    path("titres/", views.titre_list, name="titres"),
    path("titres/<int:pk>/", views.titre_detail, name="titre"),
    path("titres/<int:pk>/pdf/", views.titre_pdf, name="titre_pdf"),
    path("titres/<int:pk>/<slug:action>/", views.titre_action, name="titre_action"),
    path("paiements/", views.payments, name="payments"),
    path("tarifs/", views.tariffs, name="tariffs"),
    path("populations/", views.population_override, name="population"),
]
