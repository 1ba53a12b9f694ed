from rest_framework.routers import SimpleRouter

from billing.api import PaymentViewSet, TitreViewSet

router = SimpleRouter()
router.register("titres", TitreViewSet, basename="titre")
router.register("paiements", PaymentViewSet, basename="payment")
app_name = "billing_api"
urlpatterns = router.urls
