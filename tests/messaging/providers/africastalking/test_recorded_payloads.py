"""USSD through the Africa's Talking adapter, replayed from recorded payloads: walks in
three languages, back / more / skip, wrong inputs, '*' inside an input, retries, truncated
and garbage requests, lost and expired sessions, follow-up by receipt code, anonymity."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.utils import timezone

from messaging.models import Channel
from messaging.providers.africastalking.ussd import AfricasTalkingGateway
from messaging.ussd import UssdRequest
from reporting import services
from reporting.models import Report, ReportEvent, ReportEventKind, ReportStatus, UssdSession
from tests.conftest import africastalking_url
from veille.gsm7 import USSD_SCREEN_LIMIT, gsm7_length, is_gsm7
from veille.phones import number_variants

pytestmark = pytest.mark.django_db

URL = africastalking_url()
PHONE = "+22376123456"
FORM = "application/x-www-form-urlencoded"


def post(client, text: str | None, *, session_id: str = "ATUid_0a1b2c", phone: str = PHONE, code: str = "*123#"):
    payload = {"sessionId": session_id, "serviceCode": code, "phoneNumber": phone, "networkCode": "61002"}
    if text is not None:
        payload["text"] = text
    return client.post(URL, urlencode(payload), content_type=FORM)


def body_of(response) -> str:
    """The answer as the gateway reads it, checked against the USSD contract."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert body.startswith(("CON ", "END ")), body
    assert is_gsm7(body[4:]), body
    assert gsm7_length(body[4:]) <= USSD_SCREEN_LIMIT, body
    return body


def replay(client, inputs: list[str], **kwargs) -> list[str]:
    """Dial, then send each input the way Africa's Talking does: every input so far
    joined by '*'. Returns every screen, the first one included."""
    screens = [body_of(post(client, "", **kwargs))]
    for n in range(1, len(inputs) + 1):
        screens.append(body_of(post(client, "*".join(inputs[:n]), **kwargs)))
    return screens


# --- Whole walks, one per language (recorded from the gazetteer) ------------------------

WALKS = {
    "fr": (
        # language, report, attack, Mopti, Douentza, more, Hombori, today, 2-5, not displaced, send
        ["1", "1", "1", "7", "4", "9", "2", "2", "3", "2", "1"],
        [
            "CON Veille - signalement anonyme",
            "CON Veille (anonyme)\n1 Signaler un incident",
            "CON Quel incident ?\n1 Attaque armée",
            "CON Quelle région ?\n1 Bamako",
            "CON Quel cercle ?\n1 Bandiagara",
            "CON Quelle commune ?\n1 Dallah",
            "CON Quelle commune ?\n1 Hairé\n2 Hombori",
            "CON Quand ?",
            "CON Combien de personnes touchées ?",
            "CON Etes-vous vous-meme déplacé(e) ?\n1 Oui\n2 Non",
            "CON Confirmer :\nAttaque armée\nHombori (Douentza)\naujourd'hui, 2 à 5 pers.\n1 Envoyer",
            "END Merci. Signalement recu.\nCode de suivi: ",
        ],
        ("armed_attack", "Hombori", "today", "2-5"),
    ),
    "en": (
        # language, report, robbery, Gao, Ansongo, Tessit, yesterday, one person, not displaced, send
        ["2", "1", "2", "2", "1", "6", "3", "2", "2", "1"],
        [
            "CON Veille - signalement anonyme",
            "CON Veille (anonymous)\n1 Report an incident",
            "CON What happened?\n1 Armed attack",
            "CON Which region?",
            "CON Which cercle?\n1 Ansongo",
            "CON Which commune?\n1 Ansongo",
            "CON When?",
            "CON How many people affected?",
            "CON Are you yourself displaced?\n1 Yes\n2 No",
            "CON Confirm:\nRobbery, banditry\nTessit (Ansongo)\nyesterday, 1 person\n1 Send",
            "END Thank you. Report received.\nTracking code: ",
        ],
        ("robbery", "Tessit", "yesterday", "1"),
    ),
    "bm": (
        # language, report, armed group, Gao, Gao, Soni Ali Ber, now, unknown, not displaced, send
        ["3", "1", "3", "2", "3", "6", "1", "6", "2", "1"],
        [
            "CON Veille - signalement anonyme",
            "CON Veille (i togo te fo)",
            "CON Mun kera?",
            "CON Mara jumen?",
            "CON Serekili jumen?",
            "CON Komini jumen?",
            "CON Tuma jumen?",
            "CON Mogo joli la kasaara?",
            "CON Yala e yere bolila i ka so la wa?",
            "CON A sebe:\nMarifatigiw yera\nSoni Ali Ber (Gao)",
            "END I ni ce. I ka kibaru sera.\nKode: ",
        ],
        ("armed_presence", "Soni Ali Ber", "now", "unknown"),
    ),
}


@pytest.mark.parametrize("language", list(WALKS))
def test_it_takes_a_whole_report_in_each_language(client, gazetteer, language):
    inputs, expected, (category, commune, occurred, people) = WALKS[language]

    screens = replay(client, inputs)

    for screen, start in zip(screens, expected, strict=True):
        assert screen.startswith(start), (start, screen)
    report = Report.objects.get()
    assert (report.channel, report.category, report.commune.name, report.occurred, report.people_affected) == (
        Channel.USSD,
        category,
        commune,
        occurred,
        people,
    )
    assert report.language == language
    assert report.cercle_id == report.commune.cercle_id and report.region_id == report.commune.cercle.region_id
    receipt = screens[-1].split(": ")[1].split("\n")[0]
    assert services.report_by_receipt(receipt=receipt, buckets=["test"]) == report
    assert UssdSession.objects.get().report_id == report.pk


# --- Navigation: back (0), more (9), skip (8) -------------------------------------------

NAVIGATION = [
    # (inputs after dialing, start of the last screen)
    (["1", "1", "9"], "CON Quel incident ?\n1 Abus de forces ou officiels"),
    (["1", "1", "9", "0"], "CON Quel incident ?\n1 Attaque armée"),
    (["1", "1", "9", "0", "0"], "CON Veille (anonyme)"),
    (["1", "1", "1", "9"], "CON Quelle région ?\n1 Ségou\n2 Sikasso"),
    (["1", "1", "1", "9", "0"], "CON Quelle région ?\n1 Bamako"),
    (["1", "1", "1", "0"], "CON Quel incident ?"),
    (["1", "1", "1", "7", "0"], "CON Quelle région ?"),
    (["1", "1", "1", "7", "4", "9", "9"], "CON Quelle commune ?\n1 Tédjé\n8 Je ne sais pas\n0 Retour"),
    (["1", "1", "1", "7", "4", "9", "9", "0"], "CON Quelle commune ?\n1 Hairé"),
    (["1", "1", "1", "7", "4", "0"], "CON Quel cercle ?"),
    (["1", "1", "1", "7", "4", "2", "0"], "CON Quelle commune ?\n1 Dallah"),
    (["1", "1", "1", "7", "4", "2", "1", "0"], "CON Quand ?"),
    (["1", "1", "1", "7", "4", "2", "1", "1", "0"], "CON Combien de personnes touchées ?"),
    (["1", "1", "1", "7", "4", "2", "1", "1", "1", "0"], "CON Etes-vous vous-meme déplacé(e) ?"),
    (["1", "1", "1", "7", "4", "2", "1", "1", "2", "2"], "END Signalement annulé. Rien n'a été envoyé."),
    (["1", "0"], "CON Veille - signalement anonyme"),
    (["1", "2", "0"], "CON Veille (anonyme)"),
]


@pytest.mark.parametrize("inputs, expected", NAVIGATION)
def test_it_goes_back_and_shows_more_like_mobile_money(client, gazetteer, inputs, expected):
    screens = replay(client, inputs)

    assert screens[-1].startswith(expected), screens[-1]
    assert Report.objects.count() == 0


SKIPS = [
    # (inputs, region, cercle, commune): "8 Je ne sais pas" keeps the coarser level
    (["1", "1", "1", "8", "6", "6", "2", "1"], None, None, None),
    (["1", "1", "1", "7", "8", "6", "6", "2", "1"], "Mopti", None, None),
    (["1", "1", "1", "7", "4", "8", "6", "6", "2", "1"], "Mopti", "Douentza", None),
]


@pytest.mark.parametrize("inputs, region, cercle, commune", SKIPS)
def test_it_lets_each_place_level_be_skipped(client, gazetteer, inputs, region, cercle, commune):
    screens = replay(client, inputs)

    assert screens[-1].startswith("END Merci.")
    report = Report.objects.get()
    names = tuple(p.name if p else None for p in (report.region, report.cercle, report.commune))
    assert names == (region, cercle, commune)


# --- Wrong inputs ------------------------------------------------------------------------

WRONG = [
    "",
    "abc",
    "12",
    "99",
    "-1",
    "0x1",
    "1.0",
    "²",  # str.isdigit() says yes, int() says no
    "٣",  # an Arabic-Indic three
    "１",  # a full-width one
    "é" * 300,
    "7" * 5000,
    "\x00",
    "{summary}",
    "1 OR 1=1",
    "1*2",  # a '*' inside one input is not two inputs
]


@pytest.mark.parametrize("wrong", WRONG)
def test_it_answers_any_wrong_input_with_the_same_screen(client, gazetteer, wrong):
    replay(client, ["1", "1"])

    screen = body_of(post(client, "1*1*" + wrong))

    assert screen.startswith("CON Choix invalide.\nQuel incident ?\n1 Attaque armée"), screen
    # The session goes on from there.
    assert body_of(post(client, "1*1*" + wrong + "*1")).startswith("CON Quelle région ?")


@pytest.mark.parametrize("inputs", [["1", "1", "1", "7", "4", "2", "9"], ["1", "1", "1", "7", "4", "2", "1", "7"]])
def test_it_answers_an_out_of_range_choice_on_fixed_screens(client, gazetteer, inputs):
    screens = replay(client, inputs)

    assert screens[-1].startswith("CON Choix invalide.\n")
    assert screens[-1].removeprefix("CON Choix invalide.\n") == screens[-2].removeprefix("CON ")


def test_it_takes_a_code_with_a_star_inside_as_one_input(client, gazetteer):
    submitted = services.report_submit(channel=Channel.WEB)
    typed = submitted.receipt[:3] + "*" + submitted.receipt[3:].lower()

    screens = replay(client, ["1", "2", typed])

    assert screens[-1].startswith(f"CON Signalement {submitted.receipt} : recu.\nPour ajouter une information")


# --- Retries, lost and expired sessions --------------------------------------------------


def test_it_answers_a_repeated_final_request_with_the_same_receipt_and_no_second_report(client, gazetteer):
    inputs = ["1", "1", "1", "7", "4", "2", "1", "1", "2", "1"]
    first = replay(client, inputs)[-1]

    again = [body_of(post(client, "*".join(inputs))) for _ in range(3)]

    assert again == [first] * 3 and first.startswith("END Merci.")
    assert Report.objects.count() == 1


def test_it_answers_a_repeated_request_midway_with_the_same_screen(client, gazetteer):
    screens = replay(client, ["1", "1", "1"])

    again = body_of(post(client, "1*1*1"))

    assert again == screens[-1]
    assert body_of(post(client, "1*1*1*7")).startswith("CON Quel cercle ?")


def test_it_loses_nothing_confirmed_when_sessions_are_lost(client, gazetteer):
    replay(client, ["1", "1", "1", "7", "4", "2", "1", "1", "2"], session_id="ATUid_lost")
    replay(client, ["1", "1", "1", "7", "4", "2", "1", "1", "2", "1"], session_id="ATUid_kept")

    UssdSession.objects.all().delete()  # the purge, or a server that lost its state

    assert Report.objects.count() == 1
    # The lost session's next request starts again at the first screen; nothing is created.
    screen = body_of(post(client, "1*1*1*7*4*2*1*1*2*1", session_id="ATUid_lost"))
    assert screen.startswith("CON Veille - signalement anonyme")
    assert Report.objects.count() == 1


def test_it_starts_an_expired_session_again(client, gazetteer, settings):
    replay(client, ["1", "1"])
    idle = timezone.now() - timedelta(seconds=settings.USSD_SESSION_TTL_SECONDS + 5)
    UssdSession.objects.update(updated_at=idle)

    assert body_of(post(client, "1*1*1")).startswith("CON Veille - signalement anonyme")


def test_it_refuses_a_live_session_to_another_phone(client, gazetteer):
    replay(client, ["1", "1"])

    intruder = body_of(post(client, "1*1*1", phone="+22365000000"))

    assert intruder.startswith("END ")
    # The owner's session is untouched and goes on.
    assert body_of(post(client, "1*1*1")).startswith("CON Quelle région ?")


# --- Truncated and garbage requests: a valid END, HTTP 200, never an HTTP error ---------

GARBAGE = [
    ("empty body", b""),
    ("text only", urlencode({"text": "1"}).encode()),
    ("no phone number", urlencode({"sessionId": "ATUid_1", "text": ""}).encode()),
    ("no session id", urlencode({"phoneNumber": PHONE, "text": ""}).encode()),
    ("blank session id", urlencode({"sessionId": "  ", "phoneNumber": PHONE, "text": ""}).encode()),
    ("session id too long", urlencode({"sessionId": "x" * 500, "phoneNumber": PHONE}).encode()),
    ("phone too long", urlencode({"sessionId": "ATUid_1", "phoneNumber": "7" * 500}).encode()),
    ("too many fields", urlencode({"sessionId": "A", "phoneNumber": PHONE}).encode() + b"&f=1" * 1200),
    ("body over the upload limit", b"sessionId=A&phoneNumber=%2B22376123456&text=" + b"1" * 3_000_000),
    ("JSON posted as a form", b'{"sessionId": "A", "phoneNumber": "+22376123456", "text": ""}'),
]


@pytest.mark.parametrize("name, raw", GARBAGE, ids=[name for name, _ in GARBAGE])
def test_it_answers_a_truncated_or_garbage_request_with_an_end_screen(client, gazetteer, name, raw):
    response = client.post(URL, raw, content_type=FORM)

    assert body_of(response).startswith("END ")
    assert Report.objects.count() == 0


def test_it_answers_non_utf8_bytes_with_a_valid_screen(client, gazetteer):
    replay(client, ["1", "1"], session_id="ATUid_bytes")
    raw = b"sessionId=ATUid_bytes&phoneNumber=%2B22376123456&serviceCode=%2A123%23&text=1*1*%FF%FE"

    screen = body_of(client.post(URL, raw, content_type=FORM))

    assert screen.startswith("CON Choix invalide.\nQuel incident ?")


def test_it_refuses_get_requests_with_the_bare_403(client):
    response = client.get(URL)

    assert response.status_code == 403 and response.content == b""


def test_it_refuses_other_service_codes_when_a_list_is_set(client, gazetteer, settings):
    settings.USSD_ALLOWED_SERVICE_CODES = ["*555#"]

    assert body_of(post(client, "", code="*123#")).startswith("END ")
    assert body_of(post(client, "", code="*555#")).startswith("CON Veille")
    assert UssdSession.objects.count() == 1


def test_it_reads_only_what_a_session_needs_from_the_gateway(rf):
    request = rf.post(
        URL,
        urlencode({"sessionId": " ATUid_9 ", "serviceCode": "*555#", "phoneNumber": PHONE, "networkCode": "61002"}),
        content_type=FORM,
    )

    parsed = AfricasTalkingGateway().parse(request)

    # networkCode (which carrier, roughly where) is dropped at the door.
    assert parsed == UssdRequest(
        gateway="africastalking", session_id="ATUid_9", phone_number=PHONE, text="", service_code="*555#"
    )


# --- Follow-up by receipt code -------------------------------------------------------------


@pytest.mark.parametrize("status, word", [(ReportStatus.RECEIVED, "recu"), (ReportStatus.IN_REVIEW, "en vérification")])
def test_it_tells_the_status_of_a_report_and_nothing_else(client, gazetteer, status, word):
    submitted = services.report_submit(channel=Channel.WEB, description="attaque au marche de Boni")
    Report.objects.filter(pk=submitted.report.pk).update(status=status)

    screens = replay(client, ["1", "2", submitted.receipt.lower()])

    assert screens[2].startswith("CON Entrez votre code de suivi")
    assert screens[-1].startswith(f"CON Signalement {submitted.receipt} : {word}.\nPour ajouter une information")
    assert "Boni" not in screens[-1]
    checked = ReportEvent.objects.get(report=submitted.report, kind=ReportEventKind.STATUS_CHECKED)
    assert checked.channel == Channel.USSD


def test_it_offers_a_retry_for_an_unknown_code_then_stops_guessing(client, gazetteer):
    screens = replay(client, ["1", "2", "AAAAAA", "1", "CCCCCC", "1", "DDDDDD"])

    assert screens[3].startswith("CON Code inconnu.")
    assert screens[4].startswith("CON Entrez votre code de suivi")
    assert screens[-1].startswith("END Code inconnu. Trop d'essais")
    assert not ReportEvent.objects.filter(kind=ReportEventKind.STATUS_CHECKED).exists()


# --- Anonymity -------------------------------------------------------------------------------


def _raw_rows(table: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        values = [value for row in cursor.fetchall() for value in row]
    return b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in values)


def test_it_keeps_no_number_and_sends_nothing_by_sms(client, gazetteer, outbox, django_capture_on_commit_callbacks):
    from messaging.models import ContactVaultEntry

    with django_capture_on_commit_callbacks(execute=True):
        replay(client, ["1", "1", "1", "7", "4", "2", "1", "1", "2", "1"])

    stored = _raw_rows("reporting_ussdsession") + _raw_rows("reporting_report")
    for variant in number_variants(PHONE):
        assert variant.encode() not in stored, variant
    assert ContactVaultEntry.objects.count() == 0
    assert [sms for sms in outbox if sms.to == PHONE] == []
    assert Report.objects.get().sender_pseudonym == UssdSession.objects.get().sender_pseudonym != ""


def test_it_logs_a_failing_session_without_the_input_or_the_number(client, gazetteer, caplog, monkeypatch):
    from reporting.ussd import engine

    def explode(self, raw_input: str):
        raise ValueError(f"cannot read {raw_input!r} from {PHONE}")

    monkeypatch.setattr(engine.Engine, "answer", explode)
    replay(client, ["1"])
    caplog.set_level(logging.INFO)

    screen = body_of(post(client, "1*SECRET-INPUT"))

    assert screen.startswith("END Désolé")
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") + str(r.exc_text or "") for r in caplog.records)
    assert "ValueError" in logged
    assert "SECRET-INPUT" not in logged and "76123456" not in logged


def test_it_purges_idle_sessions_and_keeps_their_reports(client, gazetteer, settings):
    from reporting.tasks import purge_ussd_sessions

    replay(client, ["1", "1", "1", "7", "4", "2", "1", "1", "2", "1"], session_id="ATUid_old")
    replay(client, ["1"], session_id="ATUid_fresh")
    idle = timezone.now() - timedelta(seconds=settings.USSD_SESSION_TTL_SECONDS + 1)
    UssdSession.objects.filter(session_id="ATUid_old").update(updated_at=idle)

    deleted = purge_ussd_sessions()

    assert deleted == 1
    assert list(UssdSession.objects.values_list("session_id", flat=True)) == ["ATUid_fresh"]
    assert Report.objects.count() == 1
