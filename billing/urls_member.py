"""The commune admin's "Factures" (member host, /gestion/factures/)."""

from django.urls import path

from billing import views_member

app_name = "billing_member"
urlpatterns = [
    path("", views_member.titre_list, name="list"),
    path("<int:pk>/", views_member.titre_detail, name="detail"),
    path("<int:pk>/pdf/", views_member.titre_pdf, name="pdf"),
    path("<int:pk>/contester/", views_member.titre_contest, name="contest"),
]
