from django.urls import path

from support import views_member

app_name = "support"
urlpatterns = [
    path("", views_member.request_list, name="list"),
    path("nouvelle/", views_member.request_file, name="file"),
    path("aide/", views_member.help_index, name="help"),
    path("aide/suggestions/", views_member.help_suggest, name="help_suggest"),
    path("aide/<int:pk>/", views_member.help_article, name="help_article"),
    path("<str:reference>/", views_member.request_detail, name="request"),
    path("<str:reference>/agir/", views_member.request_act, name="act"),
    path("<str:reference>/pieces/<int:pk>/", views_member.attachment, name="attachment"),
]
