"""Scenario 4's end: residents subscribe by SMS; a coordinator's warning goes out only
with a colleague's approval, as bulk messages behind urgent ones."""

from __future__ import annotations

import pytest

from alerts.community import (
    CommunityAlertError,
    CommunityAlertNotVisible,
    community_alert_decide,
    community_alert_propose,
)
from alerts.models import (
    CommunityAlert,
    CommunityAlertEvent,
    CommunityAlertEventKind,
    CommunityAlertStatus,
    Subscription,
)
from focal_points.models import Area, Member
from messaging.models import OutboundMessage, Priority
from places.models import Commune, Region
from reporting.models import Report
from tests.conftest import TwilioPhone

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_from(client, django_capture_on_commit_callbacks):
    return lambda number, body: TwilioPhone(client, number, django_capture_on_commit_callbacks).send(body)


@pytest.fixture
def second_coordinator(deployment):
    """A second regional coordinator of Mopti: a coordinator decides only within their areas."""
    mariam = Member.objects.get(name="Mariam Traoré")
    seydou = Member.objects.create(organisation=mariam.organisation, name="Seydou Maiga", role="coordinator")
    Area.objects.create(member=seydou, region=Region.objects.get(name="Mopti"))
    return seydou


def test_residents_subscribe_and_unsubscribe_by_keyword(deployment, sms_from, outbox):
    sms_from("+22366000001", "ABONNER Hombori")
    sms_from("+22366000002", "subscribe boni")
    sms_from("+22366000002", "UNSUBSCRIBE boni")
    sms_from("+22366000003", "ABONNER nullepart")

    assert list(Subscription.objects.values_list("commune__name", flat=True)) == ["Hombori"]
    bodies = [sms.body for sms in outbox]
    assert "Veille: vous recevrez les alertes pour Hombori. Pour arreter: DESABONNER Hombori" in bodies
    assert "Veille: you will no longer receive alerts for Dangol-Boré." in bodies
    assert bodies[-1].startswith("Veille: lieu inconnu.")
    assert Report.objects.count() == 0  # keywords are not reports


def test_a_warning_needs_a_second_persons_approval(
    deployment, second_coordinator, sms_from, outbox, django_capture_on_commit_callbacks
):
    for number in ["+22366000001", "+22366000002"]:
        sms_from(number, "ABONNER Hombori")
    sms_from("+22366000003", "ABONNER Dangol-Boré")
    sms_from("+22366000004", "ABONNER Socoura")
    mariam = Member.objects.get(name="Mariam Traoré")
    communes = list(Commune.objects.filter(name__in=["Hombori", "Dangol-Boré"]).values_list("pk", flat=True))
    alert = community_alert_propose(
        member=mariam, text="Evitez la route Douentza-Boni, engin signale.", commune_ids=communes
    )

    with pytest.raises(CommunityAlertError, match="deuxième personne"):
        community_alert_decide(member=mariam, alert_id=alert.pk, approve=True)
    with pytest.raises(CommunityAlertError, match="coordinateurs"):
        community_alert_decide(member=Member.objects.get(name="Aminata Guindo"), alert_id=alert.pk, approve=True)
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decided = community_alert_decide(member=second_coordinator, alert_id=alert.pk, approve=True)

    assert decided.status == CommunityAlertStatus.APPROVED and decided.recipients == 3
    assert sorted(sms.to for sms in outbox) == ["+22366000001", "+22366000002", "+22366000003"]
    assert {sms.body for sms in outbox} == {"Veille: Evitez la route Douentza-Boni, engin signale."}
    assert set(OutboundMessage.objects.filter(purpose="community_alert").values_list("priority", flat=True)) == {
        Priority.BULK
    }


def test_a_rejected_warning_sends_nothing(deployment, second_coordinator, sms_from, outbox):
    sms_from("+22366000001", "ABONNER Hombori")
    mariam = Member.objects.get(name="Mariam Traoré")
    alert = community_alert_propose(
        member=mariam, text="Message de test assez long", commune_ids=[Commune.objects.get(name="Hombori").pk]
    )
    outbox.clear()

    community_alert_decide(member=second_coordinator, alert_id=alert.pk, approve=False)

    assert outbox == []
    assert not OutboundMessage.objects.filter(purpose="community_alert").exists()


def _commune(name: str, region: str) -> Commune:
    return Commune.objects.get(name=name, cercle__region__name=region)


def test_a_regional_coordinator_proposes_only_for_communes_of_their_region(deployment):
    mariam = Member.objects.get(name="Mariam Traoré")  # region:Mopti

    with pytest.raises(CommunityAlertError, match="vos zones"):
        community_alert_propose(
            member=mariam,
            text="Evitez la route de Bafoulabe ce soir.",
            commune_ids=[_commune("Hombori", "Mopti").pk, _commune("Diakon", "Kayes").pk],
        )

    assert not CommunityAlert.objects.exists()


def test_a_national_coordinator_proposes_anywhere(deployment):
    ibrahim = Member.objects.get(name="Ibrahim Keita")

    alert = community_alert_propose(
        member=ibrahim,
        text="Evitez la route de Bafoulabe ce soir.",
        commune_ids=[_commune("Hombori", "Mopti").pk, _commune("Diakon", "Kayes").pk],
    )

    assert alert.communes.count() == 2


def test_a_regional_coordinator_cannot_decide_an_alert_reaching_beyond_their_region(deployment, second_coordinator):
    ibrahim = Member.objects.get(name="Ibrahim Keita")
    across = community_alert_propose(
        member=ibrahim,
        text="Evitez la route de Bafoulabe ce soir.",
        commune_ids=[_commune("Hombori", "Mopti").pk, _commune("Diakon", "Kayes").pk],
    )
    kayes = Member.objects.create(organisation=ibrahim.organisation, name="Oumou Sow", role="coordinator")
    Area.objects.create(member=kayes, region=Region.objects.get(name="Kayes"))
    mopti_only = community_alert_propose(
        member=ibrahim, text="Evitez la route de Hombori ce soir.", commune_ids=[_commune("Hombori", "Mopti").pk]
    )

    for member, alert in [(second_coordinator, across), (kayes, across), (kayes, mopti_only)]:
        with pytest.raises(CommunityAlertNotVisible):
            community_alert_decide(member=member, alert_id=alert.pk, approve=True)
    with pytest.raises(CommunityAlertNotVisible):
        community_alert_decide(member=second_coordinator, alert_id=999_999, approve=True)

    assert set(CommunityAlert.objects.values_list("status", flat=True)) == {CommunityAlertStatus.PENDING}
    assert community_alert_decide(member=second_coordinator, alert_id=mopti_only.pk, approve=False).status == (
        CommunityAlertStatus.REJECTED
    )


def test_each_state_change_is_an_event_row(deployment, second_coordinator):
    mariam = Member.objects.get(name="Mariam Traoré")
    hombori = [_commune("Hombori", "Mopti").pk]
    approved = community_alert_propose(member=mariam, text="Evitez la route de Hombori ce soir.", commune_ids=hombori)
    rejected = community_alert_propose(member=mariam, text="Evitez le marche de Hombori demain.", commune_ids=hombori)

    community_alert_decide(member=second_coordinator, alert_id=approved.pk, approve=True)
    community_alert_decide(member=second_coordinator, alert_id=rejected.pk, approve=False)
    with pytest.raises(CommunityAlertError, match="déjà été décidée"):
        community_alert_decide(member=Member.objects.get(name="Ibrahim Keita"), alert_id=approved.pk, approve=False)

    trail = list(CommunityAlertEvent.objects.order_by("pk").values_list("alert_id", "kind", "member__name"))
    assert trail == [
        (approved.pk, CommunityAlertEventKind.PROPOSED, "Mariam Traoré"),
        (rejected.pk, CommunityAlertEventKind.PROPOSED, "Mariam Traoré"),
        (approved.pk, CommunityAlertEventKind.APPROVED, "Seydou Maiga"),
        (rejected.pk, CommunityAlertEventKind.REJECTED, "Seydou Maiga"),
    ]
