from rest_framework.routers import SimpleRouter

from conventions.api import ConventionViewSet

router = SimpleRouter()
router.register("", ConventionViewSet, basename="convention")
app_name = "conventions_api"
urlpatterns = router.urls
