"""Read-only conventions API for platform admins (operator's host, /api/conventions/)."""

from django.db import connection
from django.db.models import Prefetch
from rest_framework import permissions, serializers, viewsets

from conventions.models import Convention, ConventionApplication


class IsPlatformAdmin(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return (
            connection.schema_name == "public"
            and user.is_authenticated
            and user.is_active
            and user.is_platform_admin
        )


class CoverageSerializer(serializers.ModelSerializer):
    application = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ConventionApplication
        fields = ["application", "applies_from", "applies_to"]


class ConventionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    model = serializers.SlugRelatedField(slug_field="code", read_only=True)
    collectivite = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    applications = CoverageSerializer(source="coverages", many=True, read_only=True)

    class Meta:
        model = Convention
        fields = [
            "id",
            "reference",
            "model",
            "collectivite",
            "state",
            "signed_on",
            "starts_on",
            "ends_on",
            "commitment_cents",
            "applications",
        ]


class ConventionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConventionSerializer
    permission_classes = [IsPlatformAdmin]
    staff_only = True  # the staff-access policy applies (identity.staff_access)
    queryset = (
        Convention.objects.select_related("model", "collectivite")
        .prefetch_related(
            Prefetch(
                "coverages", queryset=ConventionApplication.objects.select_related("application")
            )
        )
        .order_by("pk")
    )
