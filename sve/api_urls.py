from django.urls import path

from sve import api

urlpatterns = [
    path("formulaires/", api.FormListView.as_view(), name="sve-api-forms"),
    path("formulaires/<slug:slug>/demandes/", api.SubmitView.as_view(), name="sve-api-submit"),
    path("demandes/<int:pk>/", api.RequestDetailView.as_view(), name="sve-api-request"),
    path("demandes/<int:pk>/qualifier/", api.QualifyView.as_view(), name="sve-api-qualify"),
    path("demandes/<int:pk>/pieces/", api.PiecesView.as_view(), name="sve-api-pieces"),
    path("demandes/<int:pk>/decider/", api.DecideView.as_view(), name="sve-api-decide"),
]
