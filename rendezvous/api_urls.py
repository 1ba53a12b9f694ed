from django.urls import path

from rendezvous import api

urlpatterns = [
    path("types/", api.TypeList.as_view(), name="rendezvous-api-types"),
    path("types/<int:type_id>/creneaux/", api.SlotList.as_view(), name="rendezvous-api-slots"),
    path("reservations/", api.Book.as_view(), name="rendezvous-api-book"),
    path("annulations/", api.Cancel.as_view(), name="rendezvous-api-cancel"),
    path("deplacements/", api.Rebook.as_view(), name="rendezvous-api-rebook"),
]
