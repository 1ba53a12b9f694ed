from django.urls import path

from sve.views import agent, builder, citizen

app_name = "sve"
urlpatterns = [
    path("", citizen.catalogue, name="catalogue"),
    path("formulaire/<slug:slug>/", citizen.form_fill, name="fill"),
    path("suivi/<str:token>/", citizen.track, name="track"),
    path(
        "suivi/<str:token>/documents/<int:document_id>/",
        citizen.track_document,
        name="track_document",
    ),
    path("suivi/<str:token>/message/", citizen.track_message, name="track_message"),
    path("suivi/<str:token>/completer/", citizen.track_complete, name="track_complete"),
    path("suivi/<str:token>/attestation/", citizen.track_attestation, name="track_attestation"),
    path("mes-demandes/", citizen.my_requests, name="my_requests"),
    path("gestion/", agent.dashboard, name="dashboard"),
    path("gestion/lot/", agent.dashboard_bulk, name="dashboard_bulk"),
    path("gestion/export.<str:fmt>", agent.export, name="export"),
    path("gestion/demandes/<int:pk>/", agent.request_detail, name="agent_request"),
    path(
        "gestion/demandes/<int:pk>/documents/<int:document_id>/",
        agent.request_document,
        name="agent_document",
    ),
    path("gestion/demandes/<int:pk>/<str:action>/", agent.request_action, name="agent_action"),
    path("gestion/formulaires/", builder.forms_list, name="forms"),
    path("gestion/formulaires/nouveau/", builder.form_edit, name="form_new"),
    path("gestion/apercu-formulaire/", builder.form_builder_preview, name="form_builder_preview"),
    path(
        "gestion/formulaires/modele/<slug:code>/", builder.template_enable, name="template_enable"
    ),
    path("gestion/formulaires/<slug:slug>/", builder.form_edit, name="form_edit"),
    path("gestion/formulaires/<slug:slug>/apercu/", builder.form_preview, name="form_preview"),
    path("gestion/formulaires/<slug:slug>/activer/", builder.form_toggle, name="form_toggle"),
]
