from django.urls import path

from tenants import views_operator

app_name = "operator"
urlpatterns = [
    path("", views_operator.dashboard, name="dashboard"),
    path("raccorder/", views_operator.onboard, name="onboard"),
    path("raccorder/communes/", views_operator.commune_search, name="commune_search"),
    path("collectivites/<slug:slug>/", views_operator.collectivite_detail, name="collectivite"),
    path(
        "collectivites/<slug:slug>/suspendre/",
        views_operator.collectivite_suspend,
        name="suspend",
    ),
    path(
        "collectivites/<slug:slug>/retablir/",
        views_operator.collectivite_lift,
        name="lift",
    ),
    path(
        "collectivites/<slug:slug>/export/",
        views_operator.collectivite_export,
        name="export",
    ),
    path(
        "collectivites/<slug:slug>/archiver/",
        views_operator.collectivite_archive,
        name="archive",
    ),
]
