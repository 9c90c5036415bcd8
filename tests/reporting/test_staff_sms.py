"""Relays on feature phones: the essential triage actions by SMS, as a recorded table."""

from __future__ import annotations

import pytest
from django.test import Client

from commands.relay import parse
from focal_points.models import Category
from places.models import Commune
from reporting.models import Report, ReportEventKind, ReportStatus
from reporting.services import PlaceChoice, report_submit
from tests.conftest import TwilioPhone

pytestmark = pytest.mark.django_db

AMINATA = "+223 76 10 00 01"  # relay of Dangol-Boré (Boni) in the deployment fixture
HAMADOUN = "+223 76 10 00 04"  # relay of Mopti/Socoura


@pytest.mark.parametrize(
    "body, action, reference, rest",
    [
        ("PRENDRE K7M2", "claim", "K7M2", ""),
        ("prendre r-k7m2", "claim", "K7M2", ""),
        ("take K7M2", "claim", "K7M2", ""),
        ("Vérifié K7M2", "verify", "K7M2", ""),
        ("RESUME K7M2 Attaque au marche, 3 blesses", "summarise", "K7M2", "Attaque au marche, 3 blesses"),
        ("FERMER K7M2 resolu", "close", "K7M2", "resolu"),
        ("AIDE", "help", "", ""),
        ("PRENDRE", "claim", "", ""),
    ],
)
def test_it_parses_commands(body, action, reference, rest):
    command = parse(body, "relay")
    assert (command.action, command.reference, command.rest) == (action, reference, rest)


def test_a_non_command_is_not_parsed():
    assert parse("attaque au marche", "relay") is None


@pytest.fixture
def boni_report(deployment):
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    return report_submit(channel="web", category=Category.ARMED_ATTACK, description="x", place=place).report


@pytest.fixture
def relay_phone(client: Client, django_capture_on_commit_callbacks):
    return lambda number: TwilioPhone(client, number, django_capture_on_commit_callbacks)


def test_a_relay_claims_verifies_summarises_and_closes_by_sms(boni_report, relay_phone, outbox):
    phone = relay_phone(AMINATA)
    ref = boni_report.reference

    phone.send(f"PRENDRE {ref}")
    phone.send(f"VERIFIE {ref}")
    phone.send(f"RESUME {ref} Attaque au marche de Boni, trois blesses")
    phone.send(f"FERMER {ref} resolu")

    boni_report.refresh_from_db()
    assert boni_report.status == ReportStatus.CLOSED
    assert boni_report.verification == "verified"
    assert boni_report.summary == "Attaque au marche de Boni, trois blesses"
    replies = [
        sms.body for sms in outbox if sms.to == "+22376100001" and "R-" in sms.body and "A traiter" not in sms.body
    ]
    assert replies == [
        f"Veille R-{ref}: pris en charge.",
        f"Veille R-{ref}: vérifié.",
        f"Veille R-{ref}: résumé enregistré.",
        f"Veille R-{ref}: cloturé.",
    ]
    actors = set(boni_report.events.filter(kind=ReportEventKind.CLAIMED).values_list("member__name", flat=True))
    assert actors == {"Aminata Guindo"}
    assert Report.objects.count() == 1  # no command became a report


def test_another_areas_relay_learns_nothing(boni_report, relay_phone, outbox):
    relay_phone(HAMADOUN).send(f"PRENDRE {boni_report.reference}")
    relay_phone(HAMADOUN).send("PRENDRE WXYZ")

    replies = [sms.body for sms in outbox if sms.to == "+22376100004"]
    assert replies == [
        f"Veille R-{boni_report.reference}: introuvable pour vous.",
        "Veille R-WXYZ: introuvable pour vous.",
    ]
    boni_report.refresh_from_db()
    assert boni_report.claimed_by is None


def test_a_wrong_command_is_not_understood_and_never_becomes_a_report(boni_report, relay_phone, outbox):
    relay_phone(AMINATA).send("bonjour je suis au marche")

    assert outbox[-1].body == "Veille: commande non comprise, rien n'a été modifié. Envoyez AIDE pour la liste."
    assert Report.objects.count() == 1


def test_a_bad_close_reason_is_refused_clearly(boni_report, relay_phone, outbox):
    relay_phone(AMINATA).send(f"FERMER {boni_report.reference} parce que")

    assert outbox[-1].body == "Veille: il manque quelque chose. Écrivez: FERMER ref DOUBLON, FAUX, HORS ou RESOLU"


def test_a_resident_is_not_taken_for_a_relay(boni_report, phone, outbox):
    phone.send("PRENDRE la route de Boni est dangereuse, des hommes armes")

    assert Report.objects.count() == 2  # a resident's text is a report, whatever it says
    boni_report.refresh_from_db()
    assert boni_report.claimed_by is None


def test_an_unknown_number_quoting_a_reference_is_told_nothing_changed(boni_report, phone, outbox):
    phone.send(f"PRENDRE {boni_report.reference}")

    assert outbox[-1].body == "Veille: numéro non reconnu. Rien n'a été modifié."
    assert Report.objects.count() == 1
    boni_report.refresh_from_db()
    assert boni_report.claimed_by is None
