"""The coordinators' page for community alerts: propose a warning, let a second person
approve or reject it, read the trail. Reads come from ``alerts.community_selectors``,
changes from ``alerts.community``; the views only parse, call and answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from alerts import community, community_selectors
from focal_points.auth import staff_member_required
from focal_points.models import Member, Role
from focal_points.reauth import fresh_code_required


def _coordinator(request: HttpRequest) -> Member:
    member: Member = request.member  # type: ignore[attr-defined]
    if member.role not in community_selectors.COORDINATOR_ROLES:
        raise PermissionDenied
    return member


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _page(request: HttpRequest, member: Member, *, text: str = "", chosen: list[int] | None = None, error: str = ""):
    groups, without_subscribers = community_selectors.commune_choices(member)
    pending, decided = community_selectors.community_alerts_for_page(member)
    return render(
        request,
        "staff/community_alerts.html",
        {
            "groups": groups,
            "without_subscribers": without_subscribers,
            "national": member.role == Role.NATIONAL_COORDINATOR,
            "pending": pending,
            "decided": decided,
            "member": member,
            "text": text,
            "text_length": len(community.community_alert_text(text)),
            "chosen": set(chosen or []),
            "error": error,
            "text_min": community.TEXT_MIN,
            "text_max": community.TEXT_MAX,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_member_required
def community_alerts(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: propose an alert; on error the page again, input kept."""
    member = _coordinator(request)
    if request.method == "GET":
        return _page(request, member)
    text = request.POST.get("text", "")
    commune_ids = _ids(request.POST.getlist("commune"))
    try:
        alert = community.community_alert_propose(member=member, text=text, commune_ids=commune_ids)
    except community.CommunityAlertError as exc:
        return _page(request, member, text=text, chosen=commune_ids, error=str(exc))
    message = gettext("Alerte proposée. Elle partira quand un·e autre coordinateur·rice l'aura approuvée.")
    if alert.text != " ".join(text.split()):  # accents replaced: say what residents will read
        message += " " + gettext("Texte envoyé : « %(text)s ».") % {"text": alert.text}
    messages.success(request, message)
    return redirect(reverse("alerts:community"))


def _approve_reason(request: HttpRequest, alert_id: int) -> str | None:
    return gettext_lazy("Approuver l'alerte communautaire") if request.POST.get("decision") == "approve" else None


@require_POST
@staff_member_required
@fresh_code_required(_approve_reason)
def community_alert_decide(request: HttpRequest, alert_id: int) -> HttpResponse:
    member = _coordinator(request)
    decision = request.POST.get("decision", "")
    if decision not in {"approve", "reject"}:
        messages.error(request, gettext("Choisissez d'approuver ou de refuser."))
        return redirect(reverse("alerts:community"))
    try:
        alert = community.community_alert_decide(member=member, alert_id=alert_id, approve=decision == "approve")
    except community.CommunityAlertNotVisible as exc:
        raise Http404 from exc
    except community.CommunityAlertError as exc:
        messages.error(request, str(exc))
    else:
        if decision == "approve":
            messages.success(
                request,
                ngettext(
                    "Alerte approuvée : %(count)d SMS en envoi.",
                    "Alerte approuvée : %(count)d SMS en envoi.",
                    alert.recipients,
                )
                % {"count": alert.recipients},
            )
        else:
            messages.success(request, gettext("Alerte refusée : aucun SMS n'est envoyé."))
    return redirect(reverse("alerts:community"))
