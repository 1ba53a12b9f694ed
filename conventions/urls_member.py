"""The commune admin's conventions pages (member host, /gestion/conventions/)."""

from django.urls import path

from conventions import views_member

app_name = "conventions_member"
urlpatterns = [
    path("", views_member.convention_list, name="list"),
    path("<int:pk>/", views_member.convention_detail, name="detail"),
    path("<int:pk>/documents/<int:document_pk>/", views_member.document_download, name="document"),
    path("<int:pk>/denoncer/", views_member.notice_file, name="notice"),
    path("<int:pk>/avenant/", views_member.amendment_file, name="amendment"),
]
