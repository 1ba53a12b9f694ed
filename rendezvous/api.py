"""API (DRF): appointment types, free slots, book, cancel — the same services as the pages.

Booking needs no account (24/7, contact details); cancelling and moving (rebooking) need the
signed link's value (``link``) from the confirmation message.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import limits
from portal.audit.trail import request_actor
from portal.inputs import ROW_ID_MAX, row_id
from rendezvous import links, selectors, services
from rendezvous.models import Appointment, AppointmentType, Mode

MAX_RANGE_DAYS = 62


class TypeSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.name")
    modes = serializers.ListField(
        child=serializers.CharField(), help_text="Modalités permises : in_person, phone, visio."
    )

    class Meta:
        model = AppointmentType
        fields = [
            "id",
            "service",
            "name",
            "description",
            "keywords",
            "duration_minutes",
            "modes",
            "documents_to_bring",
            "min_delay_hours",
            "max_delay_days",
            "cancellable_until_hours",
        ]


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place_id = serializers.IntegerField()


ID = {"min_value": 1, "max_value": ROW_ID_MAX}
PHONE_HELP = (
    "Numéro de téléphone français, de métropole ou d'outre-mer (06 12 34 56 78, "
    "+262 692 12 34 56...) ; enregistré au format international. Obligatoire pour un "
    "rendez-vous par téléphone. Un numéro de mobile reçoit aussi les SMS du rendez-vous."
)
SMS_HELP = (
    "Vrai : aucun SMS (confirmation, rappel, annulation) pour ce rendez-vous, "
    "les courriels seulement."
)


class BookSerializer(serializers.Serializer):
    type_id = serializers.IntegerField(**ID)
    place_id = serializers.IntegerField(**ID)
    starts_at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.CharField(max_length=254)
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", help_text=PHONE_HELP
    )
    sms_opt_out = serializers.BooleanField(required=False, default=False, help_text=SMS_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AppointmentSerializer(serializers.ModelSerializer):
    link = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = ["id", "type", "place", "mode", "starts_at", "ends_at", "status", "link"]

    def get_link(self, obj) -> str:
        return links.link_sign(appointment=obj)


class CancelSerializer(serializers.Serializer):
    link = serializers.CharField(max_length=500)


class RebookSerializer(serializers.Serializer):
    link = serializers.CharField(
        max_length=500, help_text="Valeur signée du lien reçu par courriel."
    )
    starts_at = serializers.DateTimeField(help_text="Début du nouveau créneau.")
    place_id = serializers.IntegerField(
        required=False, help_text="Lieu du nouveau créneau (par défaut : le même).", **ID
    )
    mode = serializers.ChoiceField(
        choices=Mode.choices, required=False, help_text="Modalité (par défaut : la même)."
    )
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text=PHONE_HELP
    )
    sms_opt_out = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=SMS_HELP + " Absent : le choix fait pour le rendez-vous déplacé.",
    )


def _error(exc: ValidationError, code=status.HTTP_400_BAD_REQUEST) -> Response:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    return Response(detail, status=code)


class TypeList(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=TypeSerializer(many=True),
        parameters=[OpenApiParameter("q", str), OpenApiParameter("mode", str)],
    )
    def get(self, request):
        types = selectors.type_search(
            query=request.query_params.get("q", ""), mode=request.query_params.get("mode", "")
        )
        return Response(TypeSerializer(types, many=True).data)


class SlotList(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=SlotSerializer(many=True),
        parameters=[
            OpenApiParameter("start", date),
            OpenApiParameter("end", date),
            OpenApiParameter("place", int),
        ],
    )
    def get(self, request, type_id: int):
        kind = get_object_or_404(AppointmentType, pk=type_id, is_active=True)
        try:
            start, end = _period(request.query_params)
        except ValidationError as error:
            return Response({"detail": error.message}, status=status.HTTP_400_BAD_REQUEST)
        slots = selectors.distinct_slots(
            selectors.free_slots(
                appointment_type=kind,
                start=start,
                end=end,
                place_id=row_id(request.query_params.get("place")),
            )
        )
        return Response(SlotSerializer(slots, many=True).data)


OUT_OF_BOUNDS = "Ces dates sont hors de la période où l'on peut prendre rendez-vous."


def _period(params) -> tuple[date, date]:
    """The dates ``start`` (default today) to ``end`` (default a week) asked for: both
    within the dates anything can be booked, at most MAX_RANGE_DAYS apart (ValidationError,
    French, otherwise)."""
    try:
        start = date.fromisoformat(params.get("start", timezone.localdate().isoformat()))
        end = date.fromisoformat(params["end"]) if params.get("end") else None
    except ValueError:
        raise ValidationError("Dates au format AAAA-MM-JJ attendues.") from None
    if not selectors.search_date_allowed(start):
        raise ValidationError(OUT_OF_BOUNDS)
    end = end or start + timedelta(days=6)
    if not selectors.search_date_allowed(end):
        raise ValidationError(OUT_OF_BOUNDS)
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise ValidationError(f"Période de 1 à {MAX_RANGE_DAYS} jours attendue.")
    return start, end


def _conflict(exc: ValidationError, kind: AppointmentType) -> Response:
    """The slot was taken: the French message and fresh proposals."""
    fresh = selectors.next_free_slots(appointment_type=kind, count=5)
    return Response(
        {"detail": exc.messages, "proposals": SlotSerializer(fresh, many=True).data},
        status=status.HTTP_409_CONFLICT,
    )


class Book(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "booking"
    throttle_classes = limits.API_THROTTLES

    @extend_schema(request=BookSerializer, responses={201: AppointmentSerializer})
    def post(self, request):
        data = BookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        kind = get_object_or_404(AppointmentType, pk=values.pop("type_id"), is_active=True)
        user = request.user if request.user.is_authenticated else None
        try:
            appointment = services.appointment_book(
                acting_user=request_actor(request),
                appointment_type=kind,
                citizen_id=user.pk if user else None,
                **values,
            )
        except services.SlotUnavailable as exc:
            return _conflict(exc, kind)
        except ValidationError as exc:
            return _error(exc)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class Cancel(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=CancelSerializer, responses={200: AppointmentSerializer})
    def post(self, request):
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            appointment = links.appointment_from_link(signed=data.validated_data["link"])
        except links.LinkError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        try:
            appointment = services.appointment_cancel(
                acting_user=request_actor(request),
                appointment=appointment,
                by="citizen",
                link_secret=appointment.link_secret,
            )
        except ValidationError as exc:
            return _error(exc)
        return Response(AppointmentSerializer(appointment).data)


class Rebook(APIView):
    """Move a booking to another slot of its type: the new one is booked and the old one
    cancelled in one go, or nothing changes (409 with fresh proposals if the slot is taken).
    The link of a booking the commune cancelled books anew with its contact details."""

    permission_classes = [permissions.AllowAny]
    throttle_scope = "booking"
    throttle_classes = limits.API_THROTTLES

    @extend_schema(request=RebookSerializer, responses={201: AppointmentSerializer})
    def post(self, request):
        data = RebookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            appointment = links.appointment_from_link(signed=values.pop("link"))
        except links.LinkError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        try:
            moved = services.appointment_rebook(
                acting_user=request_actor(request),
                appointment=appointment,
                link_secret=appointment.link_secret,
                **values,
            )
        except services.SlotUnavailable as exc:
            return _conflict(exc, appointment.type)
        except ValidationError as exc:
            return _error(exc)
        return Response(AppointmentSerializer(moved).data, status=status.HTTP_201_CREATED)
