"""The relay workspace: the inbox and the report page, where every action happens.

Thin views: visibility comes from ``reporting.access``, changes from ``reporting.triage``.
A report the member may not see is a 404, never a 403, so its existence does not leak.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from focal_points.auth import staff_member_required
from focal_points.models import Category, Force, Member, Role
from focal_points.reauth import fresh_code_required
from focal_points.selectors import Place, focal_points_for
from messaging.models import Channel
from places.selectors import places_seats
from reporting import accusations, photos, trail, triage
from reporting.access import (
    members_whose_trail_is_visible_to,
    report_likely_matches,
    reports_likely_matches,
    reports_visible_to,
)
from reporting.history import event_sentence
from reporting.models import (
    CloseReason,
    Report,
    ReportEvent,
    ReportEventKind,
    ReportStatus,
    Severity,
    StaffRead,
    StaffReadView,
    Verification,
)
from reporting.questions import split_choices
from reporting.services import unsolicited_sms_allowed
from reporting.texts import alert_summary_limit
from veille.timeutil import coarsen_to_hour

# Who reads and exports trails (members_whose_trail_is_visible_to decides whose).
TRAIL_ROLES = {Role.COORDINATOR, Role.NATIONAL_COORDINATOR}
AGE_FILTERS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
SEVERITY_RANK = Case(
    When(severity=Severity.CRITICAL, then=Value(0)),
    When(severity=Severity.HIGH, then=Value(1)),
    When(severity=Severity.MEDIUM, then=Value(2)),
    When(severity=Severity.LOW, then=Value(3)),
    default=Value(2),
    output_field=IntegerField(),
)


def _area_choices(member) -> list[tuple[str, str]]:
    choices = []
    for area in member.areas.select_related("commune", "cercle", "region"):
        for level in ("commune", "cercle", "region"):
            place = getattr(area, level)
            if place is not None:
                choices.append((f"{level}:{place.pk}", place.name))
    return choices


@require_GET
@staff_member_required
def inbox(request: HttpRequest) -> HttpResponse:
    reports = reports_visible_to(request.member).select_related("commune", "cercle", "region", "claimed_by")
    status = request.GET.get("status", "open")
    if status == "open":
        reports = reports.exclude(status=ReportStatus.CLOSED)
    elif status in ReportStatus.values:
        reports = reports.filter(status=status)
    category = request.GET.get("category", "")
    if category in Category.values:
        reports = reports.filter(category=category)
    # Place: one of the member's own areas ("commune:12", "cercle:3", "region:5").
    areas = _area_choices(request.member)
    place = request.GET.get("place", "")
    if place in dict(areas):
        level, _, pk = place.partition(":")
        reports = reports.filter(**{f"{level}_id": int(pk)})
    age = request.GET.get("age", "")
    if age in AGE_FILTERS:
        reports = reports.filter(received_at__gte=timezone.now() - AGE_FILTERS[age])
    # Newest and most urgent first: severity rank, then arrival.
    reports = reports.annotate(rank=SEVERITY_RANK).order_by("rank", "-received_at", "-pk")
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    shown_reports = list(page.object_list)
    matches = _match_pairs(shown_reports, reports_likely_matches(reports=shown_reports, member=request.member))
    shown = dict.fromkeys([r.reference for r in page.object_list] + [o.reference for _, o, _ in matches])
    trail.staff_read_record(
        member=request.member,
        view=StaffReadView.INBOX,
        references=list(shown),
        detail=f"status={status}; category={category}; place={place}; age={age}; page={page.number}",
    )
    return render(
        request,
        "staff/inbox.html",
        {
            "page": page,
            "statuses": ReportStatus.choices,
            "categories": Category.choices,
            "filters": {"status": status, "category": category, "place": place, "age": age},
            "areas": areas,
            "now": timezone.now(),
            "matches": matches,
        },
    )


def _match_pairs(
    shown: list[Report], proposals: dict[int, list[tuple[Report, float]]]
) -> list[tuple[Report, Report, float]]:
    """Each proposed pair once (A~B and B~A are one proposal), best first."""
    pairs: dict[frozenset[int], tuple[Report, Report, float]] = {}
    for report in shown:
        for other, score in proposals.get(report.pk, []):
            pairs.setdefault(frozenset({report.pk, other.pk}), (report, other, score))
    return sorted(pairs.values(), key=lambda pair: pair[2], reverse=True)[:20]


def _position(report) -> tuple[float, float] | None:
    """Commune position if known, else its cercle's seat, else its region's: never finer."""
    if report.commune and report.commune.latitude is not None:
        return report.commune.latitude, report.commune.longitude
    cercle = report.cercle
    if cercle and cercle.seat_latitude is not None:
        return cercle.seat_latitude, cercle.seat_longitude
    region = report.region
    if region and region.seat_latitude is not None:
        return region.seat_latitude, region.seat_longitude
    return None


@require_GET
@staff_member_required
def report_map(request: HttpRequest) -> HttpResponse:
    """Open reports of the member's areas, grouped by place (commune level at most)."""
    reports = list(
        reports_visible_to(request.member)
        .exclude(status=ReportStatus.CLOSED)
        .select_related("commune", "cercle", "region")
        .order_by("-received_at")[:500]
    )
    places: dict[tuple[float, float], dict] = {}
    unplaced = 0
    for report in reports:
        position = _position(report)
        if position is None:
            unplaced += 1
            continue
        entry = places.setdefault(
            position, {"lat": position[0], "lon": position[1], "place": report.place_label, "reports": []}
        )
        entry["reports"].append(
            {
                "ref": f"R-{report.reference}",
                "url": f"/staff/reports/{report.pk}/",
                "category": str(report.get_category_display()),
                "severity": report.severity,
            }
        )
    trail.staff_read_record(
        member=request.member,
        view=StaffReadView.MAP,
        references=[entry["ref"][2:] for place in places.values() for entry in place["reports"]],
        report_count=len(reports),
    )
    return render(
        request,
        "staff/map.html",
        {
            "places": list(places.values()),
            "unplaced": unplaced,
            "tile_url": settings.MAP_TILE_URL,
            "seats": places_seats(),
        },
    )


@require_GET
@staff_member_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = triage.report_read(member=request.member, report_id=report_id)
    except triage.NotVisible as exc:
        raise Http404 from exc
    # Who read it: one line per reader, with how often and when last.
    readers = (
        report.events.filter(kind=ReportEventKind.READ, member__isnull=False)
        .values("member_id", "member__name")
        .annotate(times=Count("pk"), last=Max("at"))
        .order_by("-last")
    )
    return render(
        request,
        "staff/report.html",
        {
            "report": report,
            "received_hour": coarsen_to_hour(timezone.localtime(report.received_at)),
            "claim_live": bool(report.claimed_until and report.claimed_until > timezone.now()),
            "mine": report.claimed_by_id == request.member.pk,
            "readers": readers[:30],
            "routing": report.recipients.select_related("member__organisation").order_by("decided_at"),
            # Only focal points the conflict-of-interest rule allows are ever listed.
            "forward_to": focal_points_for(
                place=Place(report.commune_id, report.cercle_id, report.region_id),
                conflict=accusations.report_conflict(report=report),
            ),
            "accused": sorted(accusations.accused_forces(report=report)),
            "clearances": accusations.clearances_pending(report_id=report.pk),
            "events": _history(report),
            "matches": report_likely_matches(report=report, member=request.member),
            "linked": report.incident.reports.exclude(pk=report.pk) if report.incident_id else [],
            "photos": report.photos.only("pk", "width", "height"),
            "categories": [c for c in Category.choices if c[0] != Category.UNCLASSIFIED],
            "severities": Severity.choices,
            "verifications": Verification.choices,
            "forces": Force.choices,
            "close_reasons": CloseReason.choices,
            # What the alert SMS leaves the summary, in GSM-7 septets (counter + check).
            "summary_limit": alert_summary_limit(report),
        },
    )


PREVIEW_SIDE = 320  # px: a preview on a phone screen, not the photo itself


@require_GET
@staff_member_required
def report_photo(request: HttpRequest, report_id: int, photo_id: int) -> HttpResponse:
    """One photo, decrypted in memory and sent with ``no-store``: it never reaches a disk
    in clear, neither here (no file, no cache) nor in the browser's cache. ``?preview=1``
    gives a small copy for the report page, made in memory too. Hidden report: 404."""
    preview = request.GET.get("preview") == "1"
    try:
        photo = triage.report_photo_read(member=request.member, report_id=report_id, photo_id=photo_id, preview=preview)
    except triage.NotVisible as exc:
        raise Http404 from exc
    data = bytes(photo.image)
    if preview:
        data = photos.preview_of(data, PREVIEW_SIDE)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = f'inline; filename="R-{photo.report.reference}-{photo.pk}.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _history(report: Report) -> list[ReportEvent]:
    """The report's events but reads, each with its line in plain French (``sentence``)."""
    events = list(report.events.exclude(kind=ReportEventKind.READ).select_related("member"))
    for event in events:
        event.sentence = event_sentence(event)
    return events


def _ask(member: Member, report_id: int, text: str) -> Report:
    """ "Combien de blessés ? 1 aucun 2 un ou deux 3 plus": numbered choices, as by SMS."""
    question, choices = split_choices(text)
    return triage.report_ask_reporter(member=member, report_id=report_id, question=question, choices=choices)


ACTIONS = {
    "claim": lambda m, pk, data: triage.report_claim(member=m, report_id=pk),
    "release": lambda m, pk, data: triage.report_release(member=m, report_id=pk),
    "verify": lambda m, pk, data: triage.report_set_verification(
        member=m, report_id=pk, verification=data.get("verification", "")
    ),
    "classify": lambda m, pk, data: triage.report_classify(
        member=m,
        report_id=pk,
        category=data.get("category") or None,
        severity=data.get("severity") or None,
        accused_force=data.get("accused_force", None),
    ),
    "redact": lambda m, pk, data: triage.report_redact(member=m, report_id=pk, passage=data.get("passage", "")),
    "summarise": lambda m, pk, data: triage.report_summarise(member=m, report_id=pk, summary=data.get("summary", "")),
    "ask": lambda m, pk, data: _ask(m, pk, data.get("question", "")),
    "link": lambda m, pk, data: triage.report_link(
        member=m, report_id=pk, other_id=int(data.get("other", "0") or 0) if str(data.get("other", "")).isdigit() else 0
    ),
    "close": lambda m, pk, data: triage.report_close(member=m, report_id=pk, reason=data.get("reason", "")),
    "consent": lambda m, pk, data: triage.report_request_consent(member=m, report_id=pk),
    "refer": lambda m, pk, data: triage.report_refer_to_support(member=m, report_id=pk),
}
DONE = {
    "claim": "Vous avez pris en charge ce signalement.",
    "release": "Signalement libéré.",
    "verify": "Vérification enregistrée.",
    "classify": "Classement enregistré.",
    "redact": "Passage masqué.",
    "summarise": "Résumé enregistré.",
    "ask": "Question envoyée à l'auteur.",
    "link": "Signalements liés.",
    "close": "Signalement clôturé.",
    "consent": "Question de consentement posée à la personne.",
    "refer": "Orientation vers le service d'appui envoyée.",
}


def _action_reason(request: HttpRequest, report_id: int, action: str) -> str | None:
    """Closing, or changing the accused force (it decides which forces may ever hear of
    the report), needs a recent code. The force is compared only on a report the member
    may see (otherwise 404 as before); the close prompt is the same for any id."""
    if action == "close":
        return gettext_lazy("Clôturer le signalement")
    if action == "classify" and "accused_force" in request.POST:
        current = reports_visible_to(request.member).filter(pk=report_id).values_list("accused_force", flat=True)
        if current and current[0] != request.POST["accused_force"]:
            return gettext_lazy("Changer la force mise en cause")
    return None


@require_POST
@staff_member_required
@fresh_code_required(_action_reason)
def report_action(request: HttpRequest, report_id: int, action: str) -> HttpResponse:
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        result = handler(request.member, report_id, request.POST)
    except triage.NotVisible as exc:
        raise Http404 from exc
    except triage.TriageError as exc:
        messages.error(request, str(exc))
    else:
        waiting = _waits_for_the_reporter(action, result)
        if waiting:
            messages.warning(request, waiting[:1].upper() + waiting[1:])
        else:
            messages.success(request, DONE[action])
        if action == "classify" and accusations.clearances_pending(report_id=report_id):
            messages.info(request, "Un retrait de mise en cause attend l'accord d'un·e second·e coordinateur·rice.")
    return redirect("staff_reports:detail", report_id=report_id)


def _waits_for_the_reporter(action: str, result: object) -> str:
    """Why a question was not sent (SMS_REPLY_MODE=never), to tell the relay; or ""."""
    if action == "ask" and getattr(result, "pending_question", None):
        return triage.QUESTION_WAITS
    if action == "consent" and getattr(result, "channel", "") == Channel.SMS and not unsolicited_sms_allowed():
        return triage.CONSENT_WAITS
    return ""


def _trail_export_reason(request: HttpRequest, *args: object, **kwargs: object) -> str | None:
    """Exporting a trail (a file that leaves the platform) needs a recent code."""
    return gettext_lazy("Exporter la trace") if request.GET.get("format") == "csv" else None


@require_GET
@staff_member_required
@fresh_code_required(_trail_export_reason)
def member_trail(request: HttpRequest, member_id: int) -> HttpResponse:
    """What one account read and changed, newest first (scenario 6: a seized phone)."""
    target = members_whose_trail_is_visible_to(request.member).filter(pk=member_id).first()
    if target is None:
        raise Http404
    if request.GET.get("format") == "csv":
        return _trail_export(request, Member.objects.filter(pk=target.pk), f"member={target.pk}")
    events = ReportEvent.objects.filter(member=target).select_related("report").order_by("-at", "-pk")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    reads = StaffRead.objects.filter(member=target).order_by("-at", "-pk")[:100]
    trail.staff_read_record(
        member=request.member,
        view=StaffReadView.TRAIL,
        references=[e.report.reference for e in page.object_list],
        detail=f"member={target.pk}",
    )
    return render(request, "staff/trail.html", {"target": target, "page": page, "reads": reads})


TRAIL_EXPORT_DAYS = 31


@require_GET
@staff_member_required
@fresh_code_required(_trail_export_reason)
def trail_index(request: HttpRequest) -> HttpResponse:
    """Coordinators: the accounts whose trail they read, and the export of it all."""
    if request.member.role not in TRAIL_ROLES:
        raise Http404
    members = members_whose_trail_is_visible_to(request.member).select_related("organisation").order_by("name")
    if request.GET.get("format") == "csv":
        return _trail_export(request, members, "all visible members")
    return render(request, "staff/trail_index.html", {"members": members, "days": _trail_days(request)})


def _trail_days(request: HttpRequest) -> int:
    days = request.GET.get("days", "")
    return int(days) if days.isdigit() and 1 <= int(days) <= 366 else TRAIL_EXPORT_DAYS


def _trail_export(request: HttpRequest, members, scope: str) -> HttpResponse:
    days = _trail_days(request)
    until = timezone.now()
    rows = trail.trail_rows(members=members, since=until - timedelta(days=days), until=until)
    # The export is itself a read, recorded before the file leaves.
    trail.staff_read_record(
        member=request.member,
        view=StaffReadView.TRAIL_EXPORT,
        references=[],
        report_count=len(rows),
        detail=f"{scope}; days={days}",
    )
    response = HttpResponse(trail.trail_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="veille-trace-{until:%Y%m%d}.csv"'
    return response


@require_POST
@staff_member_required
@fresh_code_required(gettext_lazy("Décider du retrait d'une force mise en cause"))
def clearance_decide(request: HttpRequest, report_id: int, clearance_id: int) -> HttpResponse:
    """A second coordinator approves or refuses clearing an accusation."""
    approve = request.POST.get("decision") == "approve"
    try:
        accusations.clearance_decide(
            member=request.member, report_id=report_id, clearance_id=clearance_id, approve=approve
        )
    except accusations.ClearanceNotVisible as exc:
        raise Http404 from exc
    except accusations.ClearanceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Retrait approuvé." if approve else "Retrait refusé.")
    return redirect("staff_reports:detail", report_id=report_id)
