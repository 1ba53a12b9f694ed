from django.urls import path

from tenants import views_operator

app_name = "operator"
urlpatterns = [
    path("", views_operator.dashboard, name="dashboard"),
]
