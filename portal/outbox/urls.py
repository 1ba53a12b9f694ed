from django.urls import path

from portal.outbox import views

app_name = "outbox"
urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/", views.attachment_download, name="attachment"
    ),
]
