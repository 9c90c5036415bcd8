"""An SMS becomes a report: signature, de-duplication, joining, places, STATUT, opt-out."""

from __future__ import annotations

import pytest

from messaging.models import ContactVaultEntry, InboundMessage, InboundStatus
from reporting.models import Report, ReportStatus
from tests.conftest import TwilioPhone

pytestmark = pytest.mark.django_db


def test_it_turns_an_sms_into_a_report_with_its_commune(gazetteer, phone, outbox):
    response = phone.send("attaque au marche de boni, 3 blesses")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response/>" in response.content
    report = Report.objects.get()
    # Boni is the seat of the commune Dangol-Boré; the gazetteer knows it as an alias.
    assert report.commune.name == "Dangol-Boré"
    assert report.cercle.name == "Douentza"
    assert report.description == "attaque au marche de boni, 3 blesses"
    assert report.status == ReportStatus.RECEIVED
    assert [sms.to for sms in outbox] == ["+22376123456"]
    assert outbox[0].body.startswith("Veille: message recu. Code de suivi: ")


def test_it_asks_once_for_the_place_when_none_is_recognised(gazetteer, phone, outbox):
    phone.send("des hommes armes sont passes ce matin")
    phone.send("ils etaient nombreux")

    report = Report.objects.get()
    assert report.place_asked
    assert report.message_count == 2
    asks = [sms for sms in outbox if "Dans quelle commune" in sms.body]
    assert len(asks) == 1


def test_it_sets_the_place_from_the_answer_to_its_question(gazetteer, phone, outbox):
    phone.send("des hommes armes sont passes ce matin")
    phone.send("tombouctu")

    report = Report.objects.get()
    assert report.commune.name == "Tombouctou"


def test_it_stores_a_redelivered_message_once(gazetteer, phone, outbox):
    first = phone.send("attaque a Boni", sid="SM" + "a" * 32)
    second = phone.send("attaque a Boni", sid="SM" + "a" * 32)

    assert first.status_code == second.status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Report.objects.count() == 1


def test_it_rejects_a_forged_signature(client, gazetteer):
    response = client.post(
        "/channels/twilio/sms/",
        {"MessageSid": "SM" + "b" * 32, "From": "+22376123456", "Body": "x"},
        HTTP_X_TWILIO_SIGNATURE="forged",
    )

    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0


def test_it_keeps_no_number_in_clear_and_moves_it_to_the_vault(gazetteer, phone, outbox):
    phone.send("attaque a Boni")

    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED
    assert "reply_to" not in message.payload
    assert ContactVaultEntry.objects.get().number == "+22376123456"
    assert message.sender_pseudonym.startswith("p1:")


def test_it_answers_statut_without_content(gazetteer, phone, outbox):
    phone.send("attaque a Boni")
    code = outbox[0].body.split("STATUT ")[1]

    phone.send(f"statut {code.lower()}")

    assert outbox[-1].body == f"Veille: signalement {code}: recu."
    assert "Boni" not in outbox[-1].body


def test_it_honours_opt_out(gazetteer, phone, outbox):
    phone.send("attaque a Boni")
    phone.send("STOP")
    outbox.clear()

    phone.send("encore des tirs a Boni")

    assert outbox == []
    assert ContactVaultEntry.objects.count() == 0


def test_it_answers_in_the_senders_language(gazetteer, phone, outbox):
    phone.send("armed men attacked the village near Hombori, people killed")

    assert outbox[0].body.startswith("Veille: message received.")


def test_it_starts_a_new_report_after_the_join_window(gazetteer, phone, outbox, settings):
    from datetime import timedelta

    phone.send("attaque a Hombori")
    Report.objects.update(last_message_at=Report.objects.get().last_message_at - timedelta(minutes=11))

    phone.send("nouvelle attaque a Hombori")

    assert Report.objects.count() == 2


def test_it_keeps_senders_apart(gazetteer, client, django_capture_on_commit_callbacks, outbox):
    from tests.conftest import TwilioPhone

    TwilioPhone(client, "+22376000001", django_capture_on_commit_callbacks).send("attaque a Hombori")
    TwilioPhone(client, "+22376000002", django_capture_on_commit_callbacks).send("attaque a Hombori")

    assert Report.objects.count() == 2


def test_it_masks_a_number_typed_in_the_report(gazetteer, phone, outbox):
    phone.send("attaque a Hombori, appelez mon frere au 66 77 88 99")

    description = Report.objects.get().description
    assert "66 77 88 99" not in description
    assert "[numero masque]" in description


def test_it_sends_nothing_when_replies_are_off(gazetteer, phone, outbox, settings):
    settings.SMS_REPLY_MODE = "never"

    phone.send("des hommes armes sont passes")

    assert outbox == []
    assert Report.objects.count() == 1


def test_it_still_answers_an_explicit_statut_when_replies_are_off(gazetteer, phone, outbox, settings):
    settings.SMS_REPLY_MODE = "never"
    phone.send("attaque a Hombori")

    phone.send("STATUT")

    assert [sms.body for sms in outbox] == ["Veille: votre dernier signalement: recu."]


def test_it_answers_an_unknown_code_without_revealing_anything(gazetteer, phone, outbox):
    phone.send("STATUT WWWWWW")

    assert outbox[-1].body.startswith("Veille: code inconnu.")


def test_it_asks_twilio_to_delete_its_copy(gazetteer, phone, outbox):
    from messaging.backends import locmem

    phone.send("attaque a Hombori", sid="SM" + "c" * 32)

    assert locmem.deleted_copies == ["SM" + "c" * 32]


def test_it_makes_no_report_of_an_empty_sms(gazetteer, phone, outbox):
    phone.send("   ")

    assert Report.objects.count() == 0
    assert InboundMessage.objects.get().status == InboundStatus.PROCESSED


def test_it_keeps_a_long_message_within_limits(gazetteer, phone, outbox, settings):
    phone.send("attaque a Hombori " + "x" * 10_000)

    assert len(Report.objects.get().description) <= settings.REPORT_MAX_DESCRIPTION_CHARS


def test_a_guesser_by_sms_is_stopped_without_stopping_anyone_else(gazetteer, client, phone, outbox, settings):
    """Past the per-phone limit the guesser's STATUT answers "unknown", even for a good
    code; another phone's STATUT with its code is still answered."""
    settings.RECEIPT_FAILURES_PER_CLIENT = 5
    phone.send("attaque a Boni")
    code = outbox[0].body.split("STATUT ")[1]
    guesser = TwilioPhone(client, "+22365000001", phone.capture_on_commit)
    for guess in ["WWWWWWWWWW", "XXXXXXXXXX", "YYYYYYYYYY", "AAAAAAAAAA", "CCCCCCCCCC"]:
        guesser.send(f"STATUT {guess}")
    guesser.send(f"STATUT {code}")
    phone.send(f"STATUT {code}")

    to_guesser = [m.body for m in outbox if m.to == "+22365000001"]
    assert len(to_guesser) == 6 and all("code inconnu" in body for body in to_guesser)
    assert outbox[-1].to == "+22376123456" and outbox[-1].body == f"Veille: signalement {code}: recu."


def test_old_web_submissions_are_purged(gazetteer, settings):
    from datetime import timedelta

    from django.utils import timezone

    from reporting.models import WebSubmission
    from reporting.services import PlaceChoice, report_submit_web, web_submissions_purge

    report_submit_web(
        token_nonce="n1",
        description="x",
        category="other",
        place=PlaceChoice(),
        occurred="unknown",
        people_affected="unknown",
        language="fr",
        photos=[],
    )
    WebSubmission.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.WEB_FORM_TOKEN_MAX_AGE_SECONDS + 1)
    )

    assert web_submissions_purge() == 1
    assert Report.objects.count() == 1  # the report stays
