"""Reads of the directory, above all routing: who must see a report, and why.

Routing takes plain values (a category, a place, a moment) and returns recipients with
the rule that chose each, so the app stays ignorant of reports and every decision can be
recorded and shown to a coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from focal_points.directory import directory
from focal_points.models import Audience, Member, OrganisationKind, Role

# Which members an audience means.
AUDIENCE_ROLES: dict[str, tuple[set[str], set[str]]] = {
    # audience: (roles, organisation kinds)
    Audience.RELAYS: ({Role.RELAY}, {OrganisationKind.RELAY_NETWORK}),
    Audience.GBV_RELAYS: ({Role.RELAY}, {OrganisationKind.RELAY_NETWORK}),
    Audience.OVERSIGHT: ({Role.OVERSIGHT_OFFICER}, {OrganisationKind.OVERSIGHT}),
    Audience.MEDIATORS: ({Role.MEDIATOR}, {OrganisationKind.MEDIATION}),
    Audience.SUPPORT: ({Role.SUPPORT_OFFICER}, {OrganisationKind.SUPPORT_SERVICE}),
}
LEVELS = ("commune", "cercle", "region")


@dataclass(frozen=True)
class Recipient:
    member_id: int
    rule: str  # human-readable: which rule and at which level
    audience: str
    level: str  # "commune", "cercle", "region" or "national"


@dataclass(frozen=True)
class Place:
    commune_id: int | None = None
    cercle_id: int | None = None
    region_id: int | None = None


def is_on_duty(member: Member, at: datetime) -> bool:
    """A member with no duty slots is always on duty; slots are in local time and a slot
    whose end is before its start runs past midnight."""
    slots = list(member.duty_slots.all())
    if not slots:
        return True
    local = timezone.localtime(at)
    weekday, now = local.weekday(), local.time()
    for slot in slots:
        if slot.starts <= slot.ends:
            if slot.weekday == weekday and slot.starts <= now < slot.ends:
                return True
        elif (slot.weekday == weekday and now >= slot.starts) or (
            slot.weekday == (weekday - 1) % 7 and now < slot.ends
        ):
            return True
    return False


def _members(audience: str) -> list[Member]:
    roles, kinds = AUDIENCE_ROLES[audience]
    gbv_only = audience == Audience.GBV_RELAYS
    return [
        m
        for m in directory().members
        if m.role in roles and m.organisation.kind in kinds and (m.gbv_trained or not gbv_only)
    ]


def _at_level(members: list[Member], level: str, place: Place) -> list[Member]:
    value = getattr(place, f"{level}_id")
    if value is None:
        return []
    return [m for m in members if any(getattr(area, f"{level}_id") == value for area in m.areas.all())]


def _prefer_on_duty(members: list[Member], at: datetime) -> list[Member]:
    on_duty = [m for m in members if is_on_duty(m, at)]
    return on_duty or members


def covering(audience: str, place: Place, at: datetime) -> tuple[list[Member], str]:
    """Members of an audience covering the place, most precise level first: the commune's,
    else the cercle's, else the region's. Off-duty members are skipped while an on-duty
    one exists at that level. Read from the directory kept per process (never stale:
    focal_points/directory.py); the members returned are shared, read-only."""
    members = _members(audience)
    for level in LEVELS:
        found = _at_level(members, level, place)
        if found:
            return _prefer_on_duty(found, at), level
    return [], ""


def national_coordinators() -> list[Member]:
    return [m for m in directory().members if m.role == Role.NATIONAL_COORDINATOR]


def directory_members(member_ids: list[int]) -> dict[int, Member]:
    """Active members by id, from the directory (shared, read-only objects)."""
    by_pk = directory().by_pk
    return {pk: by_pk[pk] for pk in member_ids if pk in by_pk}


def directory_has_phone(pseudonym: str) -> bool:
    """Whether an active member of an active organisation registered the phone with this
    pseudonym (the directory's copy, never stale: see ``directory.py``)."""
    return bool(pseudonym) and pseudonym in directory().phone_pseudonyms


def route_report(*, category: str, place: Place, at: datetime | None = None) -> list[Recipient]:
    """Who must see a new report.

    The area's relays (for gender-based violence: only relays trained for it), and the
    audiences that active rules add for the category. Support services are never routed
    at intake: they receive a referral only with the reporter's consent. If nobody is
    found for the relays' audience, the national coordinators are: no report falls
    through.
    """
    at = at or timezone.now()
    recipients: dict[int, Recipient] = {}
    rules = {rule.audience: rule for rule in directory().rules.get(category, ())}
    relay_audience = Audience.GBV_RELAYS if Audience.GBV_RELAYS in rules else Audience.RELAYS
    relay_rule = rules[relay_audience].name if relay_audience in rules else "Relais de la zone"
    relays, level = covering(relay_audience, place, at)
    for member in relays:
        recipients[member.pk] = Recipient(member.pk, f"{relay_rule} ({level})", relay_audience, level)
    for audience, rule in rules.items():
        if audience in {Audience.RELAYS, Audience.GBV_RELAYS, Audience.SUPPORT}:
            continue
        members, level = covering(audience, place, at)
        for member in members:
            recipients.setdefault(member.pk, Recipient(member.pk, f"{rule.name} ({level})", audience, level))
    if not relays:
        for member in national_coordinators():
            recipients.setdefault(
                member.pk,
                Recipient(member.pk, "Aucun relais pour ce lieu : coordination nationale", Audience.RELAYS, "national"),
            )
    return list(recipients.values())


@dataclass(frozen=True)
class Conflict:
    """What a report says about forces, as plain data (this app knows no report): every
    force ever accused on it and not cleared by two people, and whether it is a complaint
    about forces whose force was never named. The caller builds it from its history."""

    forces: frozenset[str] = frozenset()
    unnamed_force_complaint: bool = False


NO_CONFLICT = Conflict()


def may_receive_alert(*, member: Member, conflict: Conflict) -> bool:
    """The conflict-of-interest rule, in one place: a report about a force or official is
    never forwarded to that force's focal points, whichever force a later edit names. A
    complaint about forces whose force is not known reaches no force at all."""
    if member.organisation.kind != OrganisationKind.SECURITY_UNIT:
        return True
    if member.organisation.force in conflict.forces:
        return False
    return not (conflict.unnamed_force_complaint and not conflict.forces)


def focal_points_for(*, place: Place, conflict: Conflict, at: datetime | None = None) -> list[Member]:
    """Focal points a relay may forward to, the conflict-of-interest rule applied."""
    at = at or timezone.now()
    members = Member.objects.filter(
        is_active=True,
        organisation__is_active=True,
        organisation__kind=OrganisationKind.SECURITY_UNIT,
        role=Role.FOCAL_POINT,
    ).select_related("organisation")
    area = Q()
    for level in LEVELS:
        value = getattr(place, f"{level}_id")
        if value is not None:
            area |= Q(**{f"areas__{level}_id": value})
    if not area:
        return []
    candidates = members.filter(area).distinct().prefetch_related("duty_slots")
    return [m for m in candidates if may_receive_alert(member=m, conflict=conflict)]


def covered_by_areas(member: Member, *, commune: str, cercle: str, region: str) -> Q:
    """A filter for what the member's areas cover, over the caller's field paths (a
    report's ``commune_id``, a commune's ``pk``...). Matches nothing without areas."""
    covered = Q(pk__in=[])
    for area in member.areas.all():
        if area.commune_id:
            covered |= Q(**{commune: area.commune_id})
        elif area.cercle_id:
            covered |= Q(**{cercle: area.cercle_id})
        elif area.region_id:
            covered |= Q(**{region: area.region_id})
    return covered
