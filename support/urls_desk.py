from django.urls import path

from support import views_desk

app_name = "support_desk"
urlpatterns = [
    path("", views_desk.queue, name="queue"),
    path("rapport/", views_desk.report, name="report"),
    path("aide/", views_desk.help_list, name="help"),
    path("aide/nouvel-article/", views_desk.help_edit, name="help_new"),
    path("aide/<int:pk>/", views_desk.help_edit, name="help_edit"),
    path("pieces/<int:pk>/", views_desk.attachment, name="attachment"),
    path("<str:reference>/", views_desk.request_detail, name="request"),
    path("<str:reference>/agir/", views_desk.request_act, name="act"),
]
