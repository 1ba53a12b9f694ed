"""SVE API (DRF): list forms, submit, read a request's status, agent actions. Views only
parse input and call the same services as the pages; refusals carry the same French
messages."""

from django.db import connection
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import limits
from portal.inputs import json_loads
from portal.parsers import StrictJSONParser
from portal.permissions import membership_for
from sve import selectors, services
from sve.fields import build_form_class, cleaned_to_data, group_counts
from sve.forms import IdentityForm
from sve.models import Form, Request, Status
from sve.services import SveError


class FormSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField(source="current_version.title")
    description = serializers.CharField(source="current_version.description")
    version = serializers.IntegerField(source="current_version.number")
    regime = serializers.CharField(source="current_version.regime")
    delay_months = serializers.IntegerField(source="current_version.delay_months")
    fields = serializers.JSONField(source="current_version.fields")


class SubmitSerializer(serializers.Serializer):
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    postal_address = serializers.CharField(max_length=500)
    email = serializers.EmailField()
    data = serializers.JSONField(required=False, help_text="Valeurs des champs, par nom.")


class RequestSerializer(serializers.ModelSerializer):
    form = serializers.CharField(source="form.slug")
    form_version = serializers.IntegerField(source="form_version.number")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Request
        fields = [
            "id",
            "reference",
            "form",
            "form_version",
            "status",
            "status_label",
            "regime",
            "received_at",
            "ar_due_on",
            "acknowledged_at",
            "implicit_decision_on",
            "decided_at",
            "decision_reasons",
        ]


class SubmittedSerializer(RequestSerializer):
    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "access_token"]


class QualifySerializer(serializers.Serializer):
    regime = serializers.ChoiceField(choices=["sva", "svr"])


class PiecesSerializer(serializers.Serializer):
    items = serializers.CharField(max_length=5000)
    due_on = serializers.DateField()


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    reasons = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


def _refused(exc: SveError) -> Response:
    code = getattr(exc, "code", "") or "invalid"
    http = status.HTTP_409_CONFLICT if code == "bad_status" else status.HTTP_400_BAD_REQUEST
    if code == "forbidden":
        http = status.HTTP_403_FORBIDDEN
    return Response({"detail": " ".join(exc.messages), "code": code}, status=http)


def _scalar(value) -> str | None:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _form_values(values, specs: list[dict]) -> dict | None:
    """JSON values as a form's data (the same checks as the page then apply): scalars as
    text, lists of scalars for multiple choices; None for any other shape."""
    multiple = {spec["name"] for spec in specs if spec.get("type") == "multichoice"}
    if not isinstance(values, dict):
        return None
    if hasattr(values, "getlist"):  # multipart or form-encoded: already text
        return values
    data = {}
    for name, value in values.items():
        if isinstance(value, list) and name in multiple:
            items = [_scalar(item) for item in value]
            if any(item is None for item in items):
                return None
            data[name] = items
        elif (text := _scalar(value)) is not None:
            data[name] = text
        else:
            return None
    return data


def _bad_shape(detail: str) -> Response:
    return Response({"detail": detail, "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST)


class BadShape(Exception):
    """A body not shaped as the API expects (answered 400 with its French ``detail``)."""


def _posted_values(body, specs: list[dict]):
    """The request's field values in a submission's body: its "data" object (or a JSON text
    of it, in a multipart body), else the body itself."""
    if not isinstance(body, dict):
        raise BadShape("Le corps de la requête doit être un objet JSON.")
    values = body.get("data") if "data" in body else body
    if isinstance(values, str):
        try:
            values = json_loads(values)
        except ValueError:
            raise BadShape("Le champ « data » n'est pas un JSON valide.") from None
    values = _form_values(values if values is not None else {}, specs)
    if values is None:
        raise BadShape(
            "Le champ « data » doit être un objet JSON : le nom de chaque champ et sa valeur "
            "(texte, nombre, oui/non, ou liste de textes pour un choix multiple)."
        )
    return values or {}


def _invalid(*forms) -> Response:
    errors = {}
    for form in forms:
        errors.update(form.errors.get_json_data())
    return Response(
        {
            "detail": "Certains champs sont invalides.",
            "errors": {k: [e["message"] for e in v] for k, v in errors.items()},
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class FormListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=FormSerializer(many=True), summary="Formulaires en ligne")
    def get(self, request):
        return Response(FormSerializer(selectors.forms_online(), many=True).data)


def _online_form(slug: str) -> Form:
    form = Form.objects.filter(slug=slug, is_enabled=True).select_related("current_version")
    form = form.first()
    if form is None or form.current_version is None:
        raise Http404
    return form


class SubmitView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "filing"
    throttle_classes = limits.API_THROTTLES
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=SubmitSerializer,
        responses={201: SubmittedSerializer},
        summary="Déposer une demande",
    )
    def post(self, request, slug):
        form = _online_form(slug)
        specs = form.current_version.fields
        try:
            values = _posted_values(request.data, specs)
        except BadShape as exc:
            return _bad_shape(str(exc))
        identity = IdentityForm(request.data)
        data_form = build_form_class(specs, rows=group_counts(specs, values))(values, request.FILES)
        if not identity.is_valid() or not data_form.is_valid():
            return _invalid(identity, data_form)
        data, files = cleaned_to_data(specs, data_form.cleaned_data)
        try:
            filed = services.request_submit(
                form=form,
                acting_user=request.user,
                identity=identity.cleaned_data,
                data=data,
                files=files,
            )
        except SveError as exc:
            return _refused(exc)
        return Response(SubmittedSerializer(filed).data, status=status.HTTP_201_CREATED)


def _is_agent(request) -> bool:
    return membership_for(request.user, connection.tenant) is not None


class RequestDetailView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("token", str, description="Jeton de suivi (sans compte)")],
        responses=RequestSerializer,
        summary="État d'une demande (demandeur ou agent)",
    )
    def get(self, request, pk):
        req = (
            Request.objects.select_related("form", "form_version")
            .exclude(status=Status.DRAFT)
            .filter(pk=pk)
            .first()
        )
        if req is None:
            raise Http404
        owner = (request.user.is_authenticated and req.user_id == request.user.pk) or (
            request.query_params.get("token") == req.access_token
        )
        if not owner and not _is_agent(request):
            raise Http404
        return Response(RequestSerializer(req).data)


class AgentActionView(APIView):
    """Base of agent actions: a non-member gets 404 (isolation), like on pages."""

    permission_classes = [permissions.IsAuthenticated]
    staff_only = True  # the staff-access policy applies (identity.staff_access)
    serializer_class: type[serializers.Serializer]

    def act(self, req, data):
        raise NotImplementedError

    def post(self, request, pk):
        if not _is_agent(request):
            raise Http404
        req = Request.objects.exclude(status=Status.DRAFT).filter(pk=pk).first()
        if req is None:
            raise Http404
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            updated = self.act(req, serializer.validated_data)
        except SveError as exc:
            return _refused(exc)
        updated = Request.objects.select_related("form", "form_version").get(pk=updated.pk)
        return Response(RequestSerializer(updated).data)


class QualifyView(AgentActionView):
    serializer_class = QualifySerializer

    @extend_schema(
        request=QualifySerializer,
        responses=RequestSerializer,
        summary="Qualifier (SVA/SVR) et envoyer l'accusé de réception",
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, req, data):
        return services.request_qualify(
            request=req, acting_user=self.request.user, regime=data["regime"]
        )


class PiecesView(AgentActionView):
    serializer_class = PiecesSerializer

    @extend_schema(
        request=PiecesSerializer,
        responses=RequestSerializer,
        summary="Demander des pièces manquantes",
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, req, data):
        return services.request_ask_pieces(
            request=req, acting_user=self.request.user, items=data["items"], due_on=data["due_on"]
        )


class DecideView(AgentActionView):
    serializer_class = DecideSerializer

    @extend_schema(
        request=DecideSerializer, responses=RequestSerializer, summary="Décision expresse"
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, req, data):
        return services.request_decide(
            request=req,
            acting_user=self.request.user,
            accept=data["decision"] == "accept",
            reasons=data["reasons"],
        )
