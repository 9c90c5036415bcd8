"""The coordinators' community alerts page: who may see it, what each coordinator may
warn and decide, the two-person rule through the browser's forms, and the trail."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from alerts.models import CommunityAlert, CommunityAlertEventKind, CommunityAlertStatus, Subscription
from focal_points.models import Area, Member
from messaging.models import OutboundMessage
from places.models import Commune, Region

pytestmark = pytest.mark.django_db

PAGE = reverse("alerts:community")
TEXT = "Evitez la route Douentza-Boni ce soir, engin signale."


def decide_url(alert: CommunityAlert) -> str:
    return reverse("alerts:community_decide", args=[alert.pk])


def commune(name: str, region: str) -> Commune:
    return Commune.objects.get(name=name, cercle__region__name=region)


@pytest.fixture
def subscribers(deployment) -> None:
    """Two residents of Hombori, one of Dangol-Boré (Mopti region), one of Diakon (Kayes)."""
    for n, (name, region) in enumerate(
        [("Hombori", "Mopti"), ("Hombori", "Mopti"), ("Dangol-Boré", "Mopti"), ("Diakon", "Kayes")], start=1
    ):
        Subscription.objects.create(pseudonym=f"p{n}", number=f"+2236600000{n}", commune=commune(name, region))


@pytest.fixture
def seydou(deployment) -> Member:
    """A second regional coordinator of Mopti."""
    mariam = Member.objects.get(name="Mariam Traoré")
    member = Member.objects.create(organisation=mariam.organisation, name="Seydou Maiga", role="coordinator")
    Area.objects.create(member=member, region=Region.objects.get(name="Mopti"))
    return member


def propose(client, text: str = TEXT, communes: tuple[tuple[str, str], ...] = (("Hombori", "Mopti"),)):
    return client.post(PAGE, {"text": text, "commune": [commune(*c).pk for c in communes]})


@pytest.mark.parametrize("name", ["Aminata Guindo", "Adjudant Coulibaly", "Capitaine Sidibé", "Awa Sangaré"])
def test_it_refuses_members_who_are_not_coordinators(staff_client, subscribers, name):
    ibrahim = Member.objects.get(name="Ibrahim Keita")
    alert = CommunityAlert.objects.create(text=TEXT, created_by=ibrahim)
    client = staff_client(name)

    assert client.get(PAGE).status_code == 403
    assert propose(client).status_code == 403
    assert client.post(decide_url(alert), {"decision": "approve"}).status_code == 403
    assert "Alertes communautaires" not in client.get("/staff/reports/").content.decode()
    assert CommunityAlert.objects.count() == 1


def test_it_asks_anonymous_visitors_to_log_in(client, deployment):
    response = client.get(PAGE)

    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_it_shows_a_regional_coordinator_only_the_communes_and_alerts_of_their_region(staff_client, subscribers):
    ibrahim = Member.objects.get(name="Ibrahim Keita")
    kayes = CommunityAlert.objects.create(text="Alerte pour Kayes seulement.", created_by=ibrahim)
    kayes.communes.set([commune("Diakon", "Kayes")])
    client = staff_client("Mariam Traoré")

    page = client.get(PAGE).content.decode()

    assert f'value="{commune("Hombori", "Mopti").pk}"' in page
    assert f'value="{commune("Diakon", "Kayes").pk}"' not in page
    assert "Alerte pour Kayes seulement." not in page
    assert f'href="{PAGE}"' in page  # the navigation link
    assert client.post(decide_url(kayes), {"decision": "approve"}).status_code == 404
    response = propose(client, communes=(("Hombori", "Mopti"), ("Diakon", "Kayes")))
    assert response.status_code == 400
    assert "vos zones" in response.content.decode()
    kayes.refresh_from_db()
    assert kayes.status == CommunityAlertStatus.PENDING and CommunityAlert.objects.count() == 1


def test_a_national_coordinator_sees_every_commune_with_subscribers(staff_client, subscribers):
    page = staff_client("Ibrahim Keita").get(PAGE).content.decode()

    assert f'value="{commune("Hombori", "Mopti").pk}"' in page
    assert f'value="{commune("Diakon", "Kayes").pk}"' in page
    assert "2 abonné·e·s" in page  # Hombori


def test_the_proposer_waits_for_a_second_person(staff_client, subscribers, seydou):
    client = staff_client("Mariam Traoré")

    response = propose(client)

    assert response.status_code == 302 and response["Location"] == PAGE
    page = client.get(PAGE).content.decode()
    alert = CommunityAlert.objects.get()
    assert "Alerte proposée." in page
    assert "attend l'approbation d'une deuxième personne" in page
    assert decide_url(alert) not in page
    response = client.post(decide_url(alert), {"decision": "approve"}, follow=True)
    assert "une deuxième personne doit approuver" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == CommunityAlertStatus.PENDING
    assert list(alert.events.values_list("kind", "member__name")) == [
        (CommunityAlertEventKind.PROPOSED, "Mariam Traoré")
    ]


def test_a_second_coordinator_approves_and_each_subscriber_gets_one_sms(
    staff_client, subscribers, seydou, outbox, django_capture_on_commit_callbacks
):
    propose(staff_client("Mariam Traoré"), communes=(("Hombori", "Mopti"), ("Dangol-Boré", "Mopti")))
    alert = CommunityAlert.objects.get()
    client = staff_client("Seydou Maiga")
    page = client.get(PAGE).content.decode()
    assert decide_url(alert) in page and "Approuver et envoyer (3 SMS)" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(alert), {"decision": "approve"}, follow=True)

    assert "Alerte approuvée : 3 SMS en envoi." in response.content.decode()
    messages = OutboundMessage.objects.filter(purpose="community_alert")
    assert sorted(messages.values_list("recipient", flat=True)) == ["+22366000001", "+22366000002", "+22366000003"]
    assert sorted(sms.to for sms in outbox) == ["+22366000001", "+22366000002", "+22366000003"]
    assert {sms.body for sms in outbox} == {f"Veille: {TEXT}"}
    alert.refresh_from_db()
    assert (alert.status, alert.approved_by, alert.recipients) == (CommunityAlertStatus.APPROVED, seydou, 3)
    assert list(alert.events.values_list("kind", "member__name")) == [
        (CommunityAlertEventKind.PROPOSED, "Mariam Traoré"),
        (CommunityAlertEventKind.APPROVED, "Seydou Maiga"),
    ]
    # The trail and the outcome are on the page.
    page = response.content.decode()
    assert "Approuvée, en envoi" in page and "par Seydou Maiga" in page and "par Mariam Traoré" in page


def test_a_rejected_alert_sends_nothing(staff_client, subscribers, seydou, outbox, django_capture_on_commit_callbacks):
    propose(staff_client("Mariam Traoré"))
    alert = CommunityAlert.objects.get()
    outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client("Seydou Maiga").post(decide_url(alert), {"decision": "reject"}, follow=True)

    assert "Alerte refusée" in response.content.decode()
    assert outbox == []
    assert not OutboundMessage.objects.filter(purpose="community_alert").exists()
    alert.refresh_from_db()
    assert alert.status == CommunityAlertStatus.REJECTED and alert.recipients == 0
    assert list(alert.events.values_list("kind", flat=True)) == [
        CommunityAlertEventKind.PROPOSED,
        CommunityAlertEventKind.REJECTED,
    ]


def test_an_alert_is_decided_once(staff_client, subscribers, seydou):
    propose(staff_client("Mariam Traoré"))
    alert = CommunityAlert.objects.get()
    staff_client("Seydou Maiga").post(decide_url(alert), {"decision": "reject"})

    response = staff_client("Ibrahim Keita").post(decide_url(alert), {"decision": "approve"}, follow=True)

    assert "cette alerte a déjà été décidée" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == CommunityAlertStatus.REJECTED and alert.approved_by == seydou


@pytest.mark.parametrize(("text", "shown_length"), [("Trop court", None), ("Court", 5), ("x" * 141, 141), ("   ", 0)])
def test_a_text_of_the_wrong_length_is_refused_and_the_input_kept(staff_client, subscribers, text, shown_length):
    client = staff_client("Mariam Traoré")
    hombori = commune("Hombori", "Mopti")

    response = client.post(PAGE, {"text": text, "commune": [hombori.pk]})

    if shown_length is None:  # exactly 10 characters: accepted
        assert response.status_code == 302
        return
    page = response.content.decode()
    assert response.status_code == 400
    assert "Le message doit faire entre 10 et 140 caractères." in page
    assert f"Votre texte : {shown_length} caractère" in page
    assert f">{text}</textarea>" in page
    assert f'value="{hombori.pk}" checked' in page
    assert not CommunityAlert.objects.exists()


def test_no_commune_chosen_is_refused_and_the_text_kept(staff_client, subscribers):
    response = staff_client("Mariam Traoré").post(PAGE, {"text": TEXT})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choisissez au moins une commune." in page and f">{TEXT}</textarea>" in page


def test_a_bad_decision_value_changes_nothing(staff_client, subscribers, seydou):
    propose(staff_client("Mariam Traoré"))
    alert = CommunityAlert.objects.get()

    response = staff_client("Seydou Maiga").post(decide_url(alert), {"decision": "maybe"}, follow=True)

    assert "Choisissez d&#x27;approuver ou de refuser." in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == CommunityAlertStatus.PENDING


def test_the_page_strings_are_translated_and_compiled():
    """Staff URLs carry no language prefix, so the page is served in French; its strings
    are in the catalogues (compiled) for when staff pages get a language choice."""
    with translation.override("en"):
        assert gettext("Alertes communautaires") == "Community alerts"
        assert gettext("une deuxième personne doit approuver") == "a second person must approve"
        assert str(CommunityAlertEventKind.APPROVED.label) == "Approved"
        assert ngettext("%(count)s abonné·e", "%(count)s abonné·e·s", 2) == "%(count)s subscribers"
