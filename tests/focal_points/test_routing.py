"""Routing: the right relays, the added audiences, nobody's report falling through, and the
conflict-of-interest rule."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from focal_points.models import Category, DutySlot, Member, Role, RoutingRule
from focal_points.selectors import NO_CONFLICT, Conflict, Place, focal_points_for, may_receive_alert, route_report
from places.models import Cercle, Commune

pytestmark = pytest.mark.django_db
BAMAKO = ZoneInfo("Africa/Bamako")
MONDAY_6AM = datetime(2026, 11, 23, 6, 10, tzinfo=BAMAKO)


def place_of(commune_name: str) -> Place:
    commune = Commune.objects.select_related("cercle").get(name=commune_name)
    return Place(commune.pk, commune.cercle_id, commune.cercle.region_id)


def names(recipients) -> set[str]:
    return set(Member.objects.filter(pk__in=[r.member_id for r in recipients]).values_list("name", flat=True))


def test_it_routes_to_the_relays_of_the_commune(deployment):
    recipients = route_report(category=Category.ARMED_ATTACK, place=place_of("Dangol-Boré"), at=MONDAY_6AM)

    assert names(recipients) == {"Aminata Guindo", "Oumar Tembely"}
    assert {r.level for r in recipients} == {"commune"}


def test_it_falls_back_to_the_cercle_then_the_region_then_national(deployment):
    cercle_level = route_report(category=Category.ROBBERY, place=place_of("Hombori"), at=MONDAY_6AM)
    region_level = route_report(category=Category.ROBBERY, place=place_of("Konna"), at=MONDAY_6AM)
    national = route_report(category=Category.ROBBERY, place=place_of("Commune III"), at=MONDAY_6AM)
    unknown_place = route_report(category=Category.ROBBERY, place=Place(), at=MONDAY_6AM)

    assert names(cercle_level) == {"Fatoumata Cissé"}
    # At region level the only relay-network member is the coordinator, not a relay.
    assert names(region_level) == {"Ibrahim Keita"}
    assert names(national) == {"Ibrahim Keita"}
    assert names(unknown_place) == {"Ibrahim Keita"}
    assert national[0].level == "national"


def test_it_skips_off_duty_relays_while_one_is_on_duty(deployment):
    oumar = Member.objects.get(name="Oumar Tembely")
    DutySlot.objects.create(member=oumar, weekday=0, starts=time(8), ends=time(18))

    at_dawn = route_report(category=Category.ARMED_ATTACK, place=place_of("Dangol-Boré"), at=MONDAY_6AM)

    assert names(at_dawn) == {"Aminata Guindo"}


def test_it_keeps_off_duty_relays_when_nobody_is_on_duty(deployment):
    for member in Member.objects.filter(name__in=["Aminata Guindo", "Oumar Tembely"]):
        DutySlot.objects.create(member=member, weekday=0, starts=time(8), ends=time(18))

    at_dawn = route_report(category=Category.ARMED_ATTACK, place=place_of("Dangol-Boré"), at=MONDAY_6AM)

    assert names(at_dawn) == {"Aminata Guindo", "Oumar Tembely"}


def test_a_night_slot_covers_past_midnight(deployment):
    from focal_points.selectors import is_on_duty

    aminata = Member.objects.get(name="Aminata Guindo")
    DutySlot.objects.create(member=aminata, weekday=6, starts=time(20), ends=time(7))  # Sunday night

    assert is_on_duty(aminata, MONDAY_6AM)
    assert not is_on_duty(aminata, MONDAY_6AM.replace(hour=9))


def test_gbv_goes_only_to_trained_relays_and_never_to_support_without_consent(deployment):
    recipients = route_report(category=Category.GBV, place=place_of("Dangol-Boré"), at=MONDAY_6AM)

    assert names(recipients) == {"Fatoumata Cissé"}
    assert "Kadiatou Bah" not in names(recipients)
    assert all(r.audience == "gbv_relays" for r in recipients)


def test_force_abuse_goes_to_relays_and_oversight_never_to_a_force(deployment):
    recipients = route_report(category=Category.FORCE_ABUSE, place=place_of("Socoura"), at=MONDAY_6AM)

    assert names(recipients) == {"Hamadoun Cissé", "Awa Sangaré"}
    assert not Member.objects.filter(pk__in=[r.member_id for r in recipients], role=Role.FOCAL_POINT).exists()


def test_intercommunity_tension_goes_to_mediators_too(deployment):
    recipients = route_report(category=Category.INTERCOMMUNITY, place=place_of("Hombori"), at=MONDAY_6AM)

    assert names(recipients) == {"Fatoumata Cissé", "Moussa Dicko"}


def test_a_coordinator_can_switch_a_rule_off(deployment):
    RoutingRule.objects.filter(category=Category.INTERCOMMUNITY).update(is_active=False)

    recipients = route_report(category=Category.INTERCOMMUNITY, place=place_of("Hombori"), at=MONDAY_6AM)

    assert names(recipients) == {"Fatoumata Cissé"}


def test_every_decision_names_its_rule(deployment):
    recipients = route_report(category=Category.FORCE_ABUSE, place=place_of("Socoura"), at=MONDAY_6AM)

    rules = {r.rule for r in recipients}
    assert "Abus par des forces : organe de contrôle (region)" in rules
    assert "Relais de la zone (commune)" in rules


@pytest.mark.parametrize(
    "accused, expected",
    [
        ({"police"}, {"Lieutenant Diarra"}),  # the police focal point is gone, the army remains
        ({"army"}, {"Inspecteur Konaté"}),
        ({"police", "army"}, set()),  # every force ever accused, not only the latest
        (set(), set()),  # accused force unknown: no force at all
    ],
)
def test_a_report_about_a_force_never_reaches_that_force(deployment, accused, expected):
    conflict = Conflict(forces=frozenset(accused), unnamed_force_complaint=True)
    focal = focal_points_for(place=place_of("Socoura"), conflict=conflict)

    assert {m.name for m in focal} == expected


def test_an_accused_force_is_kept_out_whatever_the_category(deployment):
    # Reclassified as an armed attack: the force accused before still never receives it.
    focal = focal_points_for(place=place_of("Socoura"), conflict=Conflict(forces=frozenset({"police"})))

    assert {m.name for m in focal} == {"Lieutenant Diarra"}


def test_other_reports_reach_every_unit_of_the_area(deployment):
    focal = focal_points_for(place=place_of("Dangol-Boré"), conflict=NO_CONFLICT)

    assert {m.name for m in focal} == {"Adjudant Coulibaly", "Maréchal des logis Dembélé", "Lieutenant Diarra"}


def test_the_rule_holds_member_by_member(deployment):
    gendarme = Member.objects.get(name="Adjudant Coulibaly")

    def conflict(*forces: str, unnamed: bool = False) -> Conflict:
        return Conflict(forces=frozenset(forces), unnamed_force_complaint=unnamed)

    assert not may_receive_alert(member=gendarme, conflict=conflict("gendarmerie", unnamed=True))
    assert not may_receive_alert(member=gendarme, conflict=conflict(unnamed=True))
    assert may_receive_alert(member=gendarme, conflict=conflict("police", unnamed=True))
    assert not may_receive_alert(member=gendarme, conflict=conflict("gendarmerie"))
    assert not may_receive_alert(member=gendarme, conflict=conflict("police", "gendarmerie"))
    assert may_receive_alert(member=gendarme, conflict=NO_CONFLICT)


def test_the_fixture_builds_the_whole_deployment(deployment):
    assert Member.objects.count() == 14
    assert Member.objects.get(name="Aminata Guindo").areas.count() == 2
    assert Cercle.objects.get(name="Douentza").pk == Member.objects.get(name="Fatoumata Cissé").areas.get().cercle_id
