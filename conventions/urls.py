"""The operator's conventions pages (public schema, /conventions/)."""

from django.urls import path

from conventions import views

app_name = "conventions"
urlpatterns = [
    path("", views.convention_list, name="list"),
    path("nouvelle/", views.convention_new, name="new"),
    path("a-traiter/", views.convention_dashboard, name="dashboard"),
    path("<int:pk>/", views.convention_detail, name="detail"),
    path("<int:pk>/action/<slug:action>/", views.convention_action, name="action"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document"),
]
