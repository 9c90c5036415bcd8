"""The staff page where a member issues, sees and revokes their own API tokens. Issuing
needs the web session's second factor and a fresh code (``fresh_code_required``): a
token outlives the session, so it is issued like an export."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import exports, services
from api.models import ApiToken, Scope
from focal_points.auth import staff_member_required
from focal_points.models import Role
from focal_points.reauth import fresh_code_required
from reporting.access import reports_visible_to
from reporting.models import StaffReadView
from reporting.trail import staff_read_record


def _issue_reason(request: HttpRequest, *args: object, **kwargs: object) -> str | None:
    return gettext_lazy("Créer un jeton d'API") if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@staff_member_required
@fresh_code_required(_issue_reason)
def tokens(request: HttpRequest) -> HttpResponse:
    issued = None
    error = ""
    if request.method == "POST":
        try:
            issued = services.token_issue(
                member=request.member, name=request.POST.get("name", ""), scopes=request.POST.getlist("scope")
            )
        except services.TokenError as exc:
            error = str(exc)
    listed = ApiToken.objects.filter(member=request.member).order_by("-created_at")[:50]
    response = render(
        request,
        "staff/api_tokens.html",
        {"tokens": listed, "issued": issued, "error": error, "scopes": Scope.choices, "now": timezone.now()},
        status=400 if error else 200,
    )
    response["Cache-Control"] = "no-store"  # the page may show a token once
    return response


@require_POST
@staff_member_required
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(member=request.member, token_id=token_id)
    return redirect("api_tokens:tokens")


# --- Exports for partners -------------------------------------------------------------

EXPORT_ROLES = {Role.COORDINATOR, Role.NATIONAL_COORDINATOR}
EXPORT_FORMATS = {
    "hxl": (StaffReadView.EXPORT_HXL, "text/csv; charset=utf-8", "csv"),
    "geojson": (StaffReadView.EXPORT_GEOJSON, "application/geo+json", "geojson"),
}


def _export_reason(request: HttpRequest, *args: object, **kwargs: object) -> str | None:
    return gettext_lazy("Exporter pour les partenaires") if request.GET.get("format") in EXPORT_FORMATS else None


@require_GET
@staff_member_required
@fresh_code_required(_export_reason)
def partner_exports(request: HttpRequest) -> HttpResponse:
    """Coordinators: what each export holds and who may take it, and the exports."""
    if request.member.role not in EXPORT_ROLES:
        raise Http404
    fmt = request.GET.get("format", "")
    if fmt not in EXPORT_FORMATS:
        return render(request, "staff/partner_exports.html", {"columns": exports.HXL_COLUMNS})
    view, content_type, extension = EXPORT_FORMATS[fmt]
    rows = exports.export_rows(reports_visible_to(request.member))
    # The export is itself a read, recorded before the file leaves.
    staff_read_record(
        member=request.member, view=view, references=[r.reference[2:] for r in rows], report_count=len(rows)
    )
    body = exports.hxl_csv(rows) if fmt == "hxl" else exports.geojson(rows)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="veille-{fmt}-{timezone.now():%Y%m%d}.{extension}"'
    return response
