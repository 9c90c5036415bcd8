"""Staff views of alerts: the relay's forward action."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from alerts import services
from focal_points.auth import staff_member_required
from reporting import triage


@require_POST
@staff_member_required
def forward(request: HttpRequest, report_id: int) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("focal_point") if value.isdigit()]
    try:
        created = services.alert_forward(member=request.member, report_id=report_id, focal_point_ids=ids)
    except triage.NotVisible as exc:
        raise Http404 from exc
    except triage.TriageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Alerte transmise à {len(created)} point(s) focal(aux).")
    return redirect(f"/staff/reports/{report_id}/")
