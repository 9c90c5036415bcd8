"""An SMS becomes a report: signature, de-duplication, joining, places, STATUT, opt-out."""

from __future__ import annotations

import pytest

from messaging.models import ContactVaultEntry, InboundMessage, InboundStatus
from reporting.models import Report, ReportStatus

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
