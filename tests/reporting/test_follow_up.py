"""Follow-up on every channel: web and USSD reporters add information with their receipt
code (web: the status page; USSD: "Suivre un signalement", up to 160 characters). It
joins the report as an SMS joins (numbers masked, an event on the reporter's channel),
the relay sees it on the report page and is told by a neutral SMS."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from focal_points.models import Category, Member
from messaging.models import OutboundMessage
from places.models import Commune
from reporting import triage
from reporting.models import Report, ReportEventKind, ReportStatus
from reporting.services import PlaceChoice, report_submit
from tests.reporting.test_ussd import Dialer

pytestmark = pytest.mark.django_db

URL = "/report/status/"
ADDED = "Ils sont partis vers le nord, appelez le 76 12 34 56 pour en savoir plus"


@pytest.fixture
def submitted(deployment):
    place = PlaceChoice(commune_id=Commune.objects.get(name="Hombori", cercle__region__name="Mopti").pk)
    return report_submit(channel="web", category=Category.ARMED_ATTACK, description="attaque au marche", place=place)


def relay_notices() -> list[str]:
    return [m.body for m in OutboundMessage.objects.filter(purpose="relay_notice").order_by("pk")]


def test_a_web_reporter_adds_information_on_the_status_page(client, submitted):
    report = submitted.report
    before = len(relay_notices())
    page = client.post(URL, {"code": submitted.receipt}).content.decode()
    assert 'name="added"' in page and 'maxlength="1000"' in page

    page = client.post(URL, {"code": submitted.receipt, "added": ADDED}).content.decode()

    assert "votre information est ajoutée" in page
    assert ADDED not in page and "attaque" not in page  # the page never shows the report back
    report.refresh_from_db()
    assert report.description.startswith("attaque au marche\nAjout : Ils sont partis vers le nord")
    assert "76 12 34 56" not in report.description  # masked, as an SMS is
    assert report.message_count == 2
    assert report.events.filter(kind=ReportEventKind.MESSAGE_JOINED, channel="web").count() == 1
    told = relay_notices()[before:]
    expected = f"Veille R-{report.reference}: l'auteur a ajouté une information. A lire."  # GSM-7
    assert told and all(body == expected for body in told)


def test_the_relay_sees_the_addition_on_the_report_page(client, staff_client, submitted):
    client.post(URL, {"code": submitted.receipt, "added": "Trois motos, direction Boni."})

    page = staff_client("Fatoumata Cissé").get(f"/staff/reports/{submitted.report.pk}/").content.decode()

    assert "Ajout : Trois motos, direction Boni." in page


def test_a_held_report_tells_only_the_member_holding_it(client, submitted):
    fatoumata = Member.objects.get(name="Fatoumata Cissé")
    fatoumata.user = get_user_model().objects.create_user("fatoumata")
    fatoumata.save(update_fields=["user"])
    triage.report_claim(member=fatoumata, report_id=submitted.report.pk)
    OutboundMessage.objects.all().delete()

    client.post(URL, {"code": submitted.receipt, "added": "Trois motos, direction Boni."})

    assert [m.recipient for m in OutboundMessage.objects.filter(purpose="relay_notice")] == [fatoumata.phone]


@pytest.mark.parametrize("added", ["", "ok", "x" * 1001])
def test_empty_or_too_long_additions_are_refused(client, submitted, added):
    page = client.post(URL, {"code": submitted.receipt, "added": added}).content.decode()

    assert "n'a pas été ajoutée" in page
    assert Report.objects.get(pk=submitted.report.pk).description == "attaque au marche"


def test_a_closed_report_takes_no_addition_and_a_wrong_code_adds_nothing(client, submitted):
    Report.objects.filter(pk=submitted.report.pk).update(status=ReportStatus.CLOSED)
    page = client.post(URL, {"code": submitted.receipt}).content.decode()
    assert 'name="added"' not in page

    client.post(URL, {"code": submitted.receipt, "added": "Trois motos."})
    client.post(URL, {"code": "WWWWWWWWWW", "added": "Trois motos."})

    assert Report.objects.get(pk=submitted.report.pk).description == "attaque au marche"


def test_a_ussd_reporter_adds_up_to_160_characters_on_the_follow_up(client, submitted):
    follow = Dialer(client, session_id="ATUid_add")
    follow.dial(), follow.send("1"), follow.send("2")
    screen = follow.send(submitted.receipt)
    assert screen.startswith(f"CON Signalement {submitted.receipt} : recu.\nPour ajouter une information")

    assert follow.send("x" * 161).startswith("CON Choix invalide.")
    assert follow.send("Trois motos vers Boni").startswith("END Merci, votre information est ajoutee")

    report = Report.objects.get(pk=submitted.report.pk)
    assert report.description.endswith("Ajout : Trois motos vers Boni")
    assert report.events.filter(kind=ReportEventKind.MESSAGE_JOINED, channel="ussd").count() == 1
    assert any(f"R-{report.reference}" in body and "Boni" not in body for body in relay_notices())


def test_zero_on_the_ussd_follow_up_ends_with_the_status(client, submitted):
    follow = Dialer(client, session_id="ATUid_zero")
    follow.dial(), follow.send("1"), follow.send("2"), follow.send(submitted.receipt)

    assert follow.send("0") == f"END Signalement {submitted.receipt} : recu."
    assert Report.objects.get(pk=submitted.report.pk).message_count == 1


def test_words_on_a_choice_question_add_information_and_the_question_still_waits(client, submitted):
    fatoumata = Member.objects.get(name="Fatoumata Cissé")
    triage.report_ask_reporter(
        member=fatoumata, report_id=submitted.report.pk, question="Combien de blessés ?", choices=["aucun", "plus"]
    )
    follow = Dialer(client, session_id="ATUid_words")
    follow.dial(), follow.send("1"), follow.send("2")
    assert "Combien de blessés ?" in follow.send(submitted.receipt)

    assert follow.send("deux blesses graves").startswith("END Merci, votre information est ajoutee")

    report = Report.objects.get(pk=submitted.report.pk)
    assert report.description.endswith("Ajout : deux blesses graves") and report.question is not None
