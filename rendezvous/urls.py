"""Tenant schema: services, places, agendas, slots, appointments."""

from django.urls import path

from rendezvous import views, views_agent, views_sms

app_name = "rendezvous"
urlpatterns = [
    path("", views.search, name="search"),
    path("type/<int:type_id>/", views.type_detail, name="type"),
    path("type/<int:type_id>/retenir/", views.hold, name="hold"),
    path("reservation/<str:token>/", views.book, name="book"),
    path("mes-rendez-vous/", views.my_appointments, name="mine"),
    path("mon-rdv/<str:signed>/", views.manage, name="manage"),
    path("s/<str:secret>/", views_sms.sms_link, name="sms_link"),  # issue 28: SMS links
    path("mon-rdv/<str:signed>/annuler/", views.cancel, name="cancel"),
    path("mon-rdv/<str:signed>/reprendre/", views.rebook, name="rebook"),
    path("mon-rdv/<str:signed>/reprendre/retenir/", views.rebook_hold, name="rebook-hold"),
    path(
        "mon-rdv/<str:signed>/deplacer/<str:token>/",
        views.rebook_confirm,
        name="rebook-confirm",
    ),
    path("mon-rdv/<str:signed>/avis/", views.survey, name="survey"),
    path("mon-rdv/<str:signed>/documents/<int:document_id>/", views.document, name="document"),
    path("gestion/", views_agent.agenda, name="agenda"),
    path("gestion/rdv/<int:pk>/", views_agent.appointment_detail, name="agent-appointment"),
    path(
        "gestion/rdv/<int:pk>/documents/<int:document_id>/",
        views_agent.document,
        name="agent-document",
    ),
    path("gestion/prendre/", views_agent.book_for_citizen, name="agent-book"),
    path("gestion/avis/", views_agent.surveys, name="surveys"),
    path("gestion/reglages/", views_agent.settings_edit, name="settings"),
    path("gestion/configuration/lieux/nouveau/", views_agent.place_edit, name="place-add"),
    path("gestion/configuration/lieux/<int:pk>/", views_agent.place_edit, name="place-edit"),
    path("gestion/configuration/<str:section>/", views_agent.config_list, name="config"),
    path(
        "gestion/configuration/<str:section>/nouveau/", views_agent.config_edit, name="config-add"
    ),
    path(
        "gestion/configuration/<str:section>/<int:pk>/",
        views_agent.config_edit,
        name="config-edit",
    ),
]
