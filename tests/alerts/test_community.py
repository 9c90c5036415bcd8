"""Scenario 4's end: residents subscribe by SMS; a coordinator's warning goes out only
with a colleague's approval, as bulk messages behind urgent ones."""

from __future__ import annotations

import pytest

from alerts.community import CommunityAlertError, community_alert_decide, community_alert_propose
from alerts.models import CommunityAlertStatus, Subscription
from focal_points.models import Member
from messaging.models import OutboundMessage, Priority
from places.models import Commune
from reporting.models import Report
from tests.conftest import TwilioPhone

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_from(client, django_capture_on_commit_callbacks):
    return lambda number, body: TwilioPhone(client, number, django_capture_on_commit_callbacks).send(body)


@pytest.fixture
def second_coordinator(deployment):
    mariam = Member.objects.get(name="Mariam Traoré")
    return Member.objects.create(organisation=mariam.organisation, name="Seydou Maiga", role="coordinator")


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
