"""A displaced reporter (issue 19): a fact about the reporter, not a category. The web
form asks it (optional), an SMS says it with a first word (DEPLACE, DEPLACEE,
DISPLACED), relays see it in neutral words, the figures count it. Where the reporter
lives now is never asked: the place stays where it happened."""

from __future__ import annotations

import csv
import io

import pytest

from commands.router import parse_resident
from reporting.models import Category, Report, ReportEvent, ReportEventKind
from tests.reporting.test_web_form import URL, answers, form_token, receipt_of

pytestmark = pytest.mark.django_db


# --- web form ------------------------------------------------------------------------


def test_the_form_asks_it_as_an_optional_question_and_never_where_they_live(client, gazetteer):
    page = client.get(URL).content.decode()

    assert "Vous êtes déplacé(e) ? (facultatif)" in page
    assert 'name="reporter_displaced"' in page and 'type="checkbox"' in page
    assert "ne dites pas où vous vivez maintenant" in page
    assert "Where are you displaced" not in client.get("/en" + URL).content.decode()


def test_a_ticked_box_marks_the_reporter_and_keeps_the_place_where_it_happened(client, gazetteer):
    receipt_of(client.post(URL, answers(form_token(client), reporter_displaced="on")))

    report = Report.objects.get()
    assert report.reporter_displaced is True
    assert report.commune.name == "Dangol-Boré"  # where it happened
    assert report.category == Category.ARMED_ATTACK  # not turned into "displacement"


def test_an_unticked_box_is_not_said(client, gazetteer):
    receipt_of(client.post(URL, answers(form_token(client))))

    assert Report.objects.get().reporter_displaced is False


def test_a_form_shown_again_keeps_the_ticked_box(client, gazetteer):
    page = client.post(URL, answers(form_token(client), reporter_displaced="on", category=None)).content.decode()

    assert 'name="reporter_displaced" id="id_reporter_displaced" aria-describedby="displaced-hint" checked' in page


# --- SMS grammar ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("DEPLACE attaque au marche de Boni", "fr"),
        ("Déplacée: des hommes armés à Boni", "fr"),
        ("déplacé(e) vol de betail a Boni", "fr"),
        ("DISPLACED armed men in the village", "en"),
        ("deplace", "fr"),
    ],
)
def test_the_displaced_word_first_is_a_report_from_a_displaced_reporter(body, language):
    command = parse_resident(body)

    assert (command.kind, command.language, command.displaced) == ("report", language, True)


@pytest.mark.parametrize(
    "body",
    [
        "Déplacés arrivés à Sévaré hier, ils ont besoin d'aide",  # others, in the plural
        "deplacement de familles vers Mopti",
        "des familles se sont deplacees a Boni",  # not the first word
        "STATUT K7M2QX",
    ],
)
def test_other_messages_do_not_say_it(body):
    assert parse_resident(body).displaced is False


def test_an_sms_with_the_word_makes_a_report_with_its_place_and_the_whole_text(gazetteer, phone, outbox):
    phone.send("DEPLACE attaque au marche de boni")

    report = Report.objects.get()
    assert report.reporter_displaced is True
    assert report.commune.name == "Dangol-Boré"
    assert report.description == "DEPLACE attaque au marche de boni"  # nothing of it lost
    assert outbox[0].body.startswith("Veille: message recu.")


def test_the_answer_to_the_place_question_may_say_it(gazetteer, phone, outbox):
    phone.send("des hommes armes sont passes ce matin")
    asked = next(sms.body for sms in outbox if "DEPLACE" in sms.body)
    assert "Dans quelle commune" in asked

    phone.send("DEPLACE tombouctu")

    report = Report.objects.get()
    assert (report.reporter_displaced, report.commune.name, report.message_count) == (True, "Tombouctou", 2)
    joined = ReportEvent.objects.filter(report=report, kind=ReportEventKind.MESSAGE_JOINED).get()
    assert joined.detail == "reporter displaced"


def test_a_later_message_without_the_word_does_not_unsay_it(gazetteer, phone, outbox):
    phone.send("deplacee, attaque a boni")
    phone.send("ils etaient nombreux")

    assert Report.objects.get().reporter_displaced is True


def test_an_ordinary_sms_is_not_marked(gazetteer, phone, outbox):
    phone.send("Déplacés arrivés à boni hier soir")

    assert Report.objects.get().reporter_displaced is False


# --- what relays and coordinators see -----------------------------------------------


@pytest.fixture
def displaced_report(gazetteer, deployment, phone, outbox) -> Report:
    phone.send("DEPLACE attaque au marche de boni")
    return Report.objects.get()


def test_relays_see_it_on_the_report_page_and_in_the_inbox(staff_client, displaced_report):
    client = staff_client("Oumar Tembely")

    page = client.get(f"/staff/reports/{displaced_report.pk}/").content.decode()
    assert "<dt>Auteur</dt><dd>déplacé(e), selon l'auteur</dd>" in page
    inbox = client.get("/staff/reports/").content.decode()
    assert '<span class="badge">auteur déplacé</span>' in inbox


def test_the_dashboard_counts_it_and_its_csv_too(staff_client, displaced_report, gazetteer):
    from reporting.services import PlaceChoice, report_submit

    report_submit(channel="web", description="x", place=PlaceChoice(commune_id=displaced_report.commune_id))
    client = staff_client("Ibrahim Keita")

    page = client.get("/staff/alerts/dashboard/?by=displaced").content.decode()
    assert "auteur déplacé" in page and "non précisé" in page
    response = client.get("/staff/alerts/dashboard/?by=displaced&format=csv")
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode()))}
    assert (rows["auteur déplacé"], rows["non précisé"]) == ("1", "1")
