"""The staff API: thin views over the same services and the same access rule as the
pages (``reporting.access``, ``reporting.triage``, ``alerts.services``,
``alerts.selectors``). A report the caller may not see is a 404, never a 403. Every read
is recorded in the trail like the pages'."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import selectors as alert_selectors
from alerts import services as alert_services
from alerts.models import Alert
from api import serializers as s
from api.authentication import ScopePermission
from api.models import Scope
from focal_points.auth import code_is_fresh, staff_member_required
from focal_points.models import Role
from places.models import Commune
from reporting import triage
from reporting.access import reports_visible_to
from reporting.models import ReportStatus, StaffReadView
from reporting.staff_views import AGE_FILTERS, SEVERITY_RANK, _area_choices
from reporting.trail import staff_read_record

RESPONSE_TIME_ROLES = {Role.COORDINATOR, Role.NATIONAL_COORDINATOR}
PAGE_SIZE = 50
ERRORS = {
    400: OpenApiResponse(description="Champ invalide (le corps nomme le champ)."),
    401: s.ErrorSerializer,
    403: s.ErrorSerializer,
    404: s.ErrorSerializer,
}


class StaffAPIView(APIView):
    permission_classes = [ScopePermission]
    required_scope = Scope.READ

    @property
    def member(self):
        return self.request._request.member


class ReportList(StaffAPIView):
    @extend_schema(
        operation_id="reports_list",
        parameters=[s.ReportQuerySerializer],
        responses={200: s.ReportPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = s.ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        reports = reports_visible_to(self.member).select_related("commune", "cercle", "region", "claimed_by")
        if f["status"] == "open":
            reports = reports.exclude(status=ReportStatus.CLOSED)
        elif f["status"] != "all":
            reports = reports.filter(status=f["status"])
        if f.get("category"):
            reports = reports.filter(category=f["category"])
        place = f.get("place", "")
        if place:
            # Only one of the member's own areas, as in the inbox.
            if place not in dict(_area_choices(self.member)):
                raise drf_serializers.ValidationError({"place": ["Pas une de vos zones."]})
            level, _, pk = place.partition(":")
            reports = reports.filter(**{f"{level}_id": int(pk)})
        if f.get("age"):
            reports = reports.filter(received_at__gte=timezone.now() - AGE_FILTERS[f["age"]])
        reports = reports.annotate(rank=SEVERITY_RANK).order_by("rank", "-received_at", "-pk")
        page = Paginator(reports, PAGE_SIZE).get_page(f["page"])
        staff_read_record(
            member=self.member,
            view=StaffReadView.API,
            references=[r.reference for r in page.object_list],
            detail=f"reports; status={f['status']}; category={f.get('category', '')}; place={place}; "
            f"age={f.get('age', '')}; page={page.number}",
        )
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": s.ReportSerializer(page.object_list, many=True).data,
            }
        )


class ReportDetail(StaffAPIView):
    @extend_schema(operation_id="reports_detail", responses={200: s.ReportDetailSerializer, **ERRORS})
    def get(self, request: Request, report_id: int) -> Response:
        try:
            # Writes the report's own ``read`` event, as the page does.
            report = triage.report_read(member=self.member, report_id=report_id)
        except triage.NotVisible as exc:
            raise Http404 from exc
        return Response(s.ReportDetailSerializer(report).data)


def _needs_fresh_code(request: Request, action: str, report_id: int, data: dict) -> bool:
    """What the pages ask a fresh code for (close, forward, changing the accused force)."""
    if action in {"close", "forward"}:
        return True
    if action == "classify" and "accused_force" in data:
        current = (
            reports_visible_to(request._request.member).filter(pk=report_id).values_list("accused_force", flat=True)
        )
        return bool(current) and current[0] != data["accused_force"]
    return False


ACTIONS = {
    "claim": (s.EmptySerializer, Scope.TRIAGE, lambda m, pk, d: triage.report_claim(member=m, report_id=pk)),
    "release": (s.EmptySerializer, Scope.TRIAGE, lambda m, pk, d: triage.report_release(member=m, report_id=pk)),
    "verify": (
        s.VerifySerializer,
        Scope.TRIAGE,
        lambda m, pk, d: triage.report_set_verification(member=m, report_id=pk, verification=d["verification"]),
    ),
    "classify": (
        s.ClassifySerializer,
        Scope.TRIAGE,
        lambda m, pk, d: triage.report_classify(
            member=m,
            report_id=pk,
            category=d.get("category") or None,
            severity=d.get("severity") or None,
            accused_force=d.get("accused_force", None),
        ),
    ),
    "redact": (
        s.RedactSerializer,
        Scope.TRIAGE,
        lambda m, pk, d: triage.report_redact(member=m, report_id=pk, passage=d["passage"]),
    ),
    "summarise": (
        s.SummariseSerializer,
        Scope.TRIAGE,
        lambda m, pk, d: triage.report_summarise(member=m, report_id=pk, summary=d["summary"]),
    ),
    "ask": (
        s.AskSerializer,
        Scope.TRIAGE,
        lambda m, pk, d: triage.report_ask_reporter(
            member=m, report_id=pk, question=d["question"], choices=d.get("choices", [])
        ),
    ),
    "link": (
        s.LinkSerializer,
        Scope.TRIAGE,
        lambda m, pk, d: triage.report_link(member=m, report_id=pk, other_id=d["other"]),
    ),
    "consent": (
        s.EmptySerializer,
        Scope.TRIAGE,
        lambda m, pk, d: triage.report_request_consent(member=m, report_id=pk),
    ),
    "refer": (
        s.EmptySerializer,
        Scope.TRIAGE,
        lambda m, pk, d: triage.report_refer_to_support(member=m, report_id=pk),
    ),
    "close": (
        s.CloseSerializer,
        Scope.FORWARD_CLOSE,
        lambda m, pk, d: triage.report_close(member=m, report_id=pk, reason=d["reason"]),
    ),
    "forward": (
        s.ForwardSerializer,
        Scope.FORWARD_CLOSE,
        lambda m, pk, d: alert_services.alert_forward(member=m, report_id=pk, focal_point_ids=d["focal_points"]),
    ),
}


class ReportAction(StaffAPIView):
    """One triage action; the URL names it, the serializer validates its input."""

    action_name = "claim"
    serializer_class = s.EmptySerializer

    def get_permissions(self):
        self.required_scope = ACTIONS[self.action_name][1]
        return super().get_permissions()

    def post(self, request: Request, report_id: int) -> Response:
        serializer_class, _, handler = ACTIONS[self.action_name]
        # Visibility first: an invisible report is a 404 whatever the input.
        if not reports_visible_to(self.member).filter(pk=report_id).exists():
            raise Http404
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        if (
            request.auth is None
            and _needs_fresh_code(request, self.action_name, report_id, data.validated_data)
            and not code_is_fresh(request._request)
        ):
            raise PermissionDenied("Code récent requis : confirmez votre code sur /staff/.")
        try:
            handler(self.member, report_id, data.validated_data)
        except triage.NotVisible as exc:
            raise Http404 from exc
        except triage.TriageError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        report = reports_visible_to(self.member).filter(pk=report_id).first()
        if report is None:  # e.g. no longer visible after a reclassification
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.ReportSerializer(report).data)


def _action_view(name: str):
    """A view class per action, so that the schema names each one and its input."""
    serializer_class = ACTIONS[name][0]

    class View(ReportAction):
        action_name = name

        @extend_schema(
            operation_id=f"reports_{name}",
            request=serializer_class,
            responses={200: s.ReportSerializer, 204: None, 409: s.ErrorSerializer, **ERRORS},
        )
        def post(self, request: Request, report_id: int) -> Response:
            return super().post(request, report_id)

    View.serializer_class = serializer_class
    View.__name__ = View.__qualname__ = f"Report{name.title()}"
    return View.as_view()


def _alert_data(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "reference": alert.reference,
        "category": alert.category,
        "severity": alert.severity,
        "place": alert.place,
        "status": alert.status,
        "created_at": alert.created_at,
        "escalation_level": alert.escalation_level,
        "events": [{"kind": e.kind, "at": e.at, "channel": e.channel} for e in alert.events.order_by("at", "pk")],
    }


class AlertList(StaffAPIView):
    """A focal point's own alerts, as on /staff/alerts/."""

    @extend_schema(responses={200: s.AlertSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        alerts = list(
            Alert.objects.filter(focal_point=self.member).prefetch_related("events").order_by("-created_at")[:100]
        )
        staff_read_record(
            member=self.member, view=StaffReadView.API, references=[a.reference for a in alerts], detail="alerts"
        )
        return Response(s.AlertSerializer([_alert_data(a) for a in alerts], many=True).data)


class AlertStep(StaffAPIView):
    required_scope = Scope.TRIAGE

    @extend_schema(request=s.AlertStepSerializer, responses={200: s.AlertSerializer, 409: s.ErrorSerializer, **ERRORS})
    def post(self, request: Request, alert_id: int) -> Response:
        alert = Alert.objects.filter(pk=alert_id, focal_point=self.member).first()
        if alert is None:
            raise Http404
        data = s.AlertStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            alert = alert_services.alert_record_step(
                member=self.member, reference=alert.reference, step=data.validated_data["step"], channel="api"
            )
        except alert_services.AlertStepError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(s.AlertSerializer(_alert_data(alert)).data)


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


class ResponseTimes(StaffAPIView):
    """Coordinators: the dashboard's figures (median and 90th percentile per stage)."""

    @extend_schema(
        parameters=[s.ResponseTimesQuerySerializer], responses={200: s.ResponseTimesRowSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        if self.member.role not in RESPONSE_TIME_ROLES:
            raise Http404
        query = s.ResponseTimesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        until = timezone.now()
        since = until - timedelta(days=query.validated_data["days"])
        rows = alert_selectors.response_times(
            reports_visible_to(self.member), group_by=query.validated_data["by"], since=since, until=until
        )
        staff_read_record(
            member=self.member,
            view=StaffReadView.API,
            report_count=sum(r.reports for r in rows),
            detail=f"response-times; by={query.validated_data['by']}; days={query.validated_data['days']}",
        )
        data = [
            {
                "label": row.label,
                "reports": row.reports,
                "stages": {
                    name: {"count": f.count, "median_seconds": _seconds(f.median), "p90_seconds": _seconds(f.p90)}
                    for name, f in row.stages.items()
                },
            }
            for row in rows
        ]
        return Response(s.ResponseTimesRowSerializer(data, many=True).data)


class PlaceList(StaffAPIView):
    """The gazetteer's communes with their cercle and region (public geography)."""

    @extend_schema(responses={200: s.CommuneSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        communes = Commune.objects.select_related("cercle__region").order_by(
            "cercle__region__name", "cercle__name", "name"
        )
        data = [
            {
                "id": c.pk,
                "name": c.name,
                "cercle_id": c.cercle_id,
                "cercle": c.cercle.name,
                "region_id": c.cercle.region_id,
                "region": c.cercle.region.name,
                "latitude": c.latitude,
                "longitude": c.longitude,
            }
            for c in communes
        ]
        return Response(s.CommuneSerializer(data, many=True).data)


HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@staff_member_required
def docs(request):
    """The operations of the schema as a plain page: no script, no third-party asset."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "id": operation.get("operationId", ""),
            "description": (operation.get("description") or "").strip(),
            "parameters": [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"],
            "responses": sorted(operation.get("responses", {})),
        }
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
    return render(request, "staff/api_docs.html", {"operations": operations, "title": schema["info"]["title"]})
