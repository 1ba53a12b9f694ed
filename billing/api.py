"""Read-only billing API for finance staff (operator's host, /api/facturation/)."""

from django.db import connection
from rest_framework import permissions, serializers, viewsets

from billing.models import Payment, Titre, TitreLine
from billing.selectors import payments_list, titres_list
from portal.inputs import number


class IsFinance(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return (
            connection.schema_name == "public"
            and user.is_authenticated
            and user.is_active
            and (user.is_finance or user.is_platform_admin)
        )


class TitreLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = TitreLine
        fields = [
            "position",
            "label",
            "basis",
            "application",
            "quantity",
            "unit_cents",
            "amount_ht_cents",
            "vat_rate_bp",
            "vat_cents",
            "amount_ttc_cents",
        ]


class TitreSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    collectivite = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    paid_cents = serializers.IntegerField(read_only=True)
    lines = TitreLineSerializer(many=True, read_only=True)

    class Meta:
        model = Titre
        fields = [
            "id",
            "reference",
            "year",
            "number",
            "kind",
            "document",
            "status",
            "collectivite",
            "convention",
            "corrects",
            "replaces",
            "object",
            "issued_on",
            "notified_on",
            "due_on",
            "contest_until",
            "total_ht_cents",
            "total_vat_cents",
            "total_ttc_cents",
            "paid_cents",
            "lines",
        ]


class PaymentSerializer(serializers.ModelSerializer):
    titre = serializers.SlugRelatedField(slug_field="id", read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "titre", "paid_on", "amount_cents", "reference"]


class TitreViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TitreSerializer
    permission_classes = [IsFinance]
    staff_only = True  # the staff-access policy applies (identity.staff_access)

    def get_queryset(self):
        year = self.request.query_params.get("year")
        return titres_list(year=number(year, low=1, high=9999)).prefetch_related("lines")


class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PaymentSerializer
    permission_classes = [IsFinance]
    staff_only = True  # the staff-access policy applies (identity.staff_access)
    queryset = payments_list()
