from django.urls import path

from portal.sealed import views

app_name = "sealed"
urlpatterns = [path("", views.verify, name="verify")]
