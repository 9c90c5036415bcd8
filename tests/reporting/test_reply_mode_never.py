"""``SMS_REPLY_MODE=never``: nothing reaches a reporter's phone unless its owner just
wrote to the platform. Every path that sends to a reporter is tried: the receipt, the
place question, a relay's question (web page and relay SMS), the consent question, the
closure notice. A question that cannot go waits, and is given on the reporter's next
look-up: STATUT by SMS, the web status page, the USSD follow-up menu."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from focal_points.models import Category, Member
from reporting import triage
from reporting.models import Consent, Report, ReportEventKind
from reporting.services import report_submit
from reporting.ussd.texts import LANGUAGES
from tests.conftest import TwilioPhone
from tests.reporting.test_ussd import Dialer
from veille.gsm7 import USSD_SCREEN_LIMIT, gsm7_length
from veille.phones import pseudonym_for

pytestmark = pytest.mark.django_db
REPORTER = "+22376123456"
FATOUMATA = "+22376100003"  # relay of the Douentza cercle in the deployment fixture
QUESTION = "Combien de personnes blessees ?"


@pytest.fixture(autouse=True)
def never(settings):
    settings.SMS_REPLY_MODE = "never"


@pytest.fixture
def people(deployment):
    for member in Member.objects.all():
        member.user = get_user_model().objects.create_user(username=f"u{member.pk}")
        member.save(update_fields=["user"])
    return {m.name: m for m in Member.objects.select_related("organisation")}


@pytest.fixture
def fatoumata(people):
    return people["Fatoumata Cissé"]


def to_reporter(outbox) -> list[str]:
    return [sms.body for sms in outbox if sms.to == REPORTER]


@pytest.fixture
def sms_report(people, phone, outbox, django_capture_on_commit_callbacks) -> Report:
    phone.send("attaque a Hombori")
    report = Report.objects.get()
    # Out of the join window: the reporter's next SMS is not simply part of the report.
    Report.objects.filter(pk=report.pk).update(last_message_at=report.last_message_at - timedelta(hours=2))
    assert to_reporter(outbox) == []  # no receipt, no place question
    return report


def test_a_relays_question_waits_and_the_relay_is_told_why(
    sms_report, fatoumata, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = triage.report_ask_reporter(member=fatoumata, report_id=sms_report.pk, question=QUESTION)

    assert to_reporter(outbox) == []
    assert asked.pending_question == QUESTION
    assert asked.awaiting_reply_until is None  # the answer window starts when it is given
    event = sms_report.events.get(kind=ReportEventKind.QUESTION_ASKED)
    assert event.detail == "waiting for a status look-up"
    assert QUESTION not in event.detail  # the question itself is encrypted on the report only


def test_the_waiting_question_goes_with_the_answer_to_statut_and_the_reply_joins(
    sms_report, fatoumata, phone, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        triage.report_ask_reporter(member=fatoumata, report_id=sms_report.pk, question=QUESTION)

    phone.send("STATUT")

    bodies = to_reporter(outbox)
    assert bodies[0].startswith("Veille: votre dernier signalement:")
    assert bodies[1] == f"Veille: {QUESTION}"
    sms_report.refresh_from_db()
    assert sms_report.pending_question is None
    assert sms_report.awaiting_reply_until > timezone.now()
    assert sms_report.events.filter(kind=ReportEventKind.QUESTION_DELIVERED, channel="sms").exists()

    phone.send("trois blesses")
    sms_report.refresh_from_db()
    assert sms_report.description.endswith("trois blesses")
    assert Report.objects.count() == 1

    outbox.clear()
    phone.send("STATUT")
    assert len(to_reporter(outbox)) == 1  # given once: no second copy


def test_statut_from_another_phone_with_the_code_gives_no_question(
    sms_report, fatoumata, client, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        triage.report_ask_reporter(member=fatoumata, report_id=sms_report.pk, question=QUESTION)
    other = TwilioPhone(client, "+22366554433", django_capture_on_commit_callbacks)

    other.send("STATUT")

    assert all(QUESTION not in sms.body for sms in outbox)
    assert Report.objects.get(pk=sms_report.pk).pending_question == QUESTION


def test_the_relay_is_told_on_the_report_page(sms_report, staff_client, outbox):
    client = staff_client("Fatoumata Cissé")

    response = client.post(f"/staff/reports/{sms_report.pk}/ask/", {"question": QUESTION}, follow=True)

    page = response.content.decode()
    assert "pas envoyée" in page and "SMS_REPLY_MODE=never" in page
    assert "prochaine demande de statut" in page
    assert 'class="warning"' in page
    assert to_reporter(outbox) == []


def test_the_relay_is_told_by_sms_when_asking_by_sms(sms_report, client, outbox, django_capture_on_commit_callbacks):
    relay = TwilioPhone(client, FATOUMATA, django_capture_on_commit_callbacks)

    relay.send(f"QUESTION {sms_report.reference} {QUESTION}")

    reply = [sms.body for sms in outbox if sms.to == FATOUMATA][-1]
    assert reply.startswith(f"Veille R-{sms_report.reference}: question en attente")
    assert len(reply) <= 160
    assert to_reporter(outbox) == []
    assert Report.objects.get(pk=sms_report.pk).pending_question == QUESTION


def test_the_consent_question_waits_for_statut(
    sms_report, fatoumata, phone, outbox, staff_client, django_capture_on_commit_callbacks
):
    triage.report_classify(member=fatoumata, report_id=sms_report.pk, category=Category.GBV)
    client = staff_client("Fatoumata Cissé")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/staff/reports/{sms_report.pk}/consent/", follow=True).content.decode()

    assert "pas envoyée par SMS" in page
    assert to_reporter(outbox) == []
    assert Report.objects.get(pk=sms_report.pk).support_consent == Consent.ASKED

    phone.send("STATUT")
    assert "Répondez OUI ou NON" in to_reporter(outbox)[-1]
    phone.send("oui")
    assert Report.objects.get(pk=sms_report.pk).support_consent == Consent.GIVEN


def test_no_closure_notice_and_prevenir_says_how_to_ask(
    sms_report, fatoumata, phone, outbox, django_capture_on_commit_callbacks
):
    phone.send("PREVENIR")
    assert to_reporter(outbox) == [
        "Veille: ce service n'envoie aucun message sans demande. "
        "Pour connaitre l'etat de votre signalement, envoyez STATUT."
    ]
    outbox.clear()
    Report.objects.filter(pk=sms_report.pk).update(notify_on_close=True)  # asked before the mode changed

    with django_capture_on_commit_callbacks(execute=True):
        triage.report_close(member=fatoumata, report_id=sms_report.pk, reason="resolved")

    assert to_reporter(outbox) == []
    assert not sms_report.events.filter(kind=ReportEventKind.INFORMED).exists()


def test_replies_to_what_the_reporter_sent_still_go(sms_report, phone, outbox):
    phone.send("STATUT")
    phone.send("START")
    assert to_reporter(outbox) == [
        "Veille: votre dernier signalement: recu.",
        "Veille: messages resumed. Send STOP to stop.",
    ]


def _sms_report_with_code(fatoumata) -> tuple[Report, str]:
    from places.models import Commune
    from reporting.services import PlaceChoice

    submitted = report_submit(
        channel="sms",
        description="attaque",
        place=PlaceChoice(commune_id=Commune.objects.get(name="Hombori").pk),
        sender_pseudonym=pseudonym_for(REPORTER),
    )
    triage.report_ask_reporter(member=fatoumata, report_id=submitted.report.pk, question=QUESTION)
    return submitted.report, submitted.receipt


def test_the_web_status_page_shows_the_waiting_question_once(fatoumata, client):
    report, receipt = _sms_report_with_code(fatoumata)

    page = client.post("/report/status/", {"code": receipt}).content.decode()

    assert QUESTION in page, page[page.find("<main") :]
    assert "un relais pour vous" in page
    report.refresh_from_db()
    assert report.pending_question is None and report.awaiting_reply_until > timezone.now()
    assert report.events.filter(kind=ReportEventKind.QUESTION_DELIVERED, channel="web").exists()
    assert QUESTION not in client.post("/report/status/", {"code": receipt}).content.decode()


def test_the_ussd_follow_up_shows_the_waiting_question(fatoumata, client):
    report, receipt = _sms_report_with_code(fatoumata)

    follow = Dialer(client, session_id="ATUid_q")
    follow.dial(), follow.send("1"), follow.send("2")
    screen = follow.send(receipt)

    assert screen.startswith("END ") and QUESTION in screen and "Repondez par SMS" in screen
    report.refresh_from_db()
    assert report.pending_question is None
    assert report.events.filter(kind=ReportEventKind.QUESTION_DELIVERED, channel="ussd").exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_ussd_question_screen_fits_with_the_longest_question(language):
    from reporting.ussd.engine import Engine

    state = {
        "lang": language,
        "step": "waiting_question",
        "code": "W" * 10,
        "status": "en verification",
        "question": "W" * 140,
    }
    screen = Engine(state, sender_pseudonym="p1:x").current()

    assert screen.end and gsm7_length(screen.text) <= USSD_SCREEN_LIMIT
    assert "WWWW" in screen.text


def test_the_web_status_page_says_it_in_english_too(fatoumata, client, settings):
    _, receipt = _sms_report_with_code(fatoumata)

    page = client.post("/en/report/status/", {"code": receipt}).content.decode()

    assert "A question from a relay for you" in page
    assert f"within {settings.QUESTION_REPLY_HOURS} hours" in page


def test_a_closed_reports_waiting_question_is_never_given(
    sms_report, fatoumata, phone, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        triage.report_ask_reporter(member=fatoumata, report_id=sms_report.pk, question=QUESTION)
        triage.report_close(member=fatoumata, report_id=sms_report.pk, reason="resolved")

    phone.send("STATUT")

    assert all(QUESTION not in body for body in to_reporter(outbox))


def test_a_question_with_choices_waits_then_is_answered_by_digit(
    sms_report, fatoumata, phone, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        triage.report_ask_reporter(
            member=fatoumata, report_id=sms_report.pk, question="Combien de blessés ?", choices=["aucun", "un", "plus"]
        )
    assert to_reporter(outbox) == []  # nothing unasked

    phone.send("STATUT")
    given = to_reporter(outbox)[-1]
    assert "Combien de blessés" in given and "1 aucun" in given
    phone.send("3")

    report = Report.objects.get(pk=sms_report.pk)
    assert report.pending_question is None
    assert report.events.filter(kind=ReportEventKind.QUESTION_ANSWERED).exists()
