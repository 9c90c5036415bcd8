"""The routing directory kept per process: read once, never stale."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import transaction

from focal_points import directory
from focal_points.auth import account_disable
from focal_points.models import Area, Category, Member, Role, RoutingRule
from focal_points.selectors import Place, route_report
from places.models import Commune

pytestmark = pytest.mark.django_db
MONDAY_6AM = datetime(2026, 11, 23, 6, 10, tzinfo=ZoneInfo("Africa/Bamako"))


def dangol() -> Place:
    commune = Commune.objects.select_related("cercle").get(name="Dangol-Boré")
    return Place(commune.pk, commune.cercle_id, commune.cercle.region_id)


def routed() -> set[str]:
    recipients = route_report(category=Category.ARMED_ATTACK, place=dangol(), at=MONDAY_6AM)
    return set(Member.objects.filter(pk__in=[r.member_id for r in recipients]).values_list("name", flat=True))


def new_relay(name: str) -> Member:
    relays = Member.objects.get(name="Aminata Guindo").organisation
    member = Member.objects.create(organisation=relays, name=name, role=Role.RELAY)
    Area.objects.create(member=member, commune_id=dangol().commune_id)
    return member


def test_routing_reads_the_directory_once_then_only_its_version(deployment, django_assert_num_queries):
    place = dangol()
    # The deployment was written in this test's transaction, which stands for committed
    # here: as a worker would after it, forget that this process wrote it.
    directory.forget()
    route_report(category=Category.ARMED_ATTACK, place=place, at=MONDAY_6AM)

    with django_assert_num_queries(0):  # the directory's copy; the version is in the cache
        route_report(category=Category.ARMED_ATTACK, place=place, at=MONDAY_6AM)


def test_a_new_relay_is_routed_to_at_once(deployment):
    assert routed() == {"Aminata Guindo", "Oumar Tembely"}

    new_relay("Awa Dicko")

    assert routed() == {"Aminata Guindo", "Oumar Tembely", "Awa Dicko"}


def test_a_disabled_account_is_routed_to_no_more_at_once(deployment, django_user_model):
    assert "Oumar Tembely" in routed()
    oumar = Member.objects.get(name="Oumar Tembely")
    oumar.user = django_user_model.objects.create_user("oumar", password="x")
    oumar.save()
    routed()  # copied again after that save

    account_disable(user=oumar.user)  # an update(): no model signal

    assert "Oumar Tembely" not in routed()


def test_an_organisation_switched_off_or_a_rule_added_is_seen_at_once(deployment):
    routed()
    organisation = Member.objects.get(name="Aminata Guindo").organisation
    organisation.is_active = False
    organisation.save()
    assert "Aminata Guindo" not in routed()

    rules_before = route_report(category=Category.ROBBERY, place=dangol(), at=MONDAY_6AM)
    RoutingRule.objects.update_or_create(
        category=Category.ROBBERY, audience="oversight", defaults={"name": "Contrôle", "is_active": True}
    )
    rules_after = route_report(category=Category.ROBBERY, place=dangol(), at=MONDAY_6AM)
    assert {r.audience for r in rules_after} - {r.audience for r in rules_before} <= {"oversight"}
    assert (
        any(r.rule.startswith("Contrôle") for r in rules_after)
        or not Member.objects.filter(role=Role.OVERSIGHT_OFFICER, is_active=True).exists()
    )


def test_another_process_change_is_seen_through_the_version(deployment):
    directory.forget()  # the deployment's writes stand for committed (see above)
    routed()
    # Another process changed the directory and bumped the version (its signal, in its
    # own process): this one has no signal of it, only the token in the shared cache.
    Member.objects.filter(name="Oumar Tembely").update(is_active=False)
    assert "Oumar Tembely" in routed()  # the copy is still the one of its version...
    cache.set(directory.VERSION_KEY, "bumped elsewhere", timeout=None)

    assert "Oumar Tembely" not in routed()  # ...and dropped as soon as the token moves


def test_a_change_rolled_back_is_never_kept(deployment):
    routed()
    with pytest.raises(RuntimeError), transaction.atomic():
        new_relay("Awa Dicko")
        assert "Awa Dicko" in routed()  # its own open transaction sees it
        raise RuntimeError("rolled back")

    assert routed() == {"Aminata Guindo", "Oumar Tembely"}


def _sms_from(number: str):
    from django.utils import timezone

    from messaging.services import InboundSms
    from veille.phones import pseudonym_for

    return InboundSms(
        inbound_id=0,
        provider="twilio",
        sender_pseudonym=pseudonym_for(number),
        body="",
        num_media=0,
        received_at=timezone.now(),
    )


def test_a_resident_s_sms_is_known_from_the_directory_and_a_member_s_read_afresh(deployment, django_assert_num_queries):
    from commands.router import member_for
    from focal_points.services import member_set_phone

    directory.forget()
    directory.directory()
    with django_assert_num_queries(0):  # a resident's phone: no member query at all
        assert member_for(_sms_from("+22366000099")) is None
    with django_assert_num_queries(1):  # a member's: their own row, not the shared copy
        aminata = member_for(_sms_from("+22376100001"))
    assert aminata is not None and aminata.name == "Aminata Guindo"
    assert aminata is not directory.directory().by_pk[aminata.pk]

    # A phone registered, or a member switched off, is seen by the next SMS.
    awa = new_relay("Awa Dicko")
    member_set_phone(member=awa, phone="+22366000099")
    awa.save()
    assert member_for(_sms_from("+22366000099")) == awa
    awa.is_active = False
    awa.save()
    assert member_for(_sms_from("+22366000099")) is None
