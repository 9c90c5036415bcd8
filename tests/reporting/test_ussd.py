"""USSD through the Africa's Talking adapter: walks in three languages, navigation,
wrong inputs, retries, lost sessions, and P6: every screen fits 182 GSM-7 characters."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from places.models import Cercle, Commune, Region
from reporting.models import Consent, Report, UssdSession
from reporting.ussd.engine import Engine
from reporting.ussd.texts import LANGUAGES, T, text
from tests.conftest import africastalking_url
from veille.gsm7 import USSD_SCREEN_LIMIT, gsm7_length, is_gsm7

pytestmark = pytest.mark.django_db
URL = africastalking_url()
PHONE = "+22376123456"


class Dialer:
    """Plays a gateway: accumulates inputs joined by '*', as Africa's Talking does."""

    def __init__(self, client, session_id: str = "ATUid_1", phone: str = PHONE) -> None:
        self.client, self.session_id, self.phone, self.inputs = client, session_id, phone, []

    def post(self, text: str):
        data = {
            "sessionId": self.session_id,
            "serviceCode": "*123#",
            "phoneNumber": self.phone,
            "networkCode": "61002",
            "text": text,
        }
        return self.client.post(URL, urlencode(data), content_type="application/x-www-form-urlencoded")

    def dial(self) -> str:
        return self.screen(self.post(""))

    def send(self, value: str) -> str:
        self.inputs.append(value)
        return self.screen(self.post("*".join(self.inputs)))

    @staticmethod
    def screen(response) -> str:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        body = response.content.decode()
        assert body.startswith(("CON ", "END "))
        assert gsm7_length(body[4:]) <= USSD_SCREEN_LIMIT, body
        return body


def choose(screen: str, label: str) -> str:
    """The number shown in front of a label on the screen."""
    for line in screen.splitlines():
        number, _, text = line.partition(" ")
        if text.startswith(label):
            return number
    raise AssertionError(f"{label!r} not on screen:\n{screen}")


def walk_to_commune(dialer: Dialer, region: str, cercle: str, commune: str, lang: str = "1") -> str:
    dialer.dial()
    dialer.send(lang)
    screen = dialer.send("1")
    screen = dialer.send("1")  # first category: armed attack
    for name in (region, cercle, commune):
        while True:
            try:
                number = choose(screen, name)
                break
            except AssertionError:
                screen = dialer.send("9")
        screen = dialer.send(number)
    return screen


def test_a_full_report_in_french(client, gazetteer):
    dialer = Dialer(client)
    assert dialer.dial().startswith("CON Veille - signalement anonyme")
    screen = walk_to_commune(dialer, "Mopti", "Douentza", "Dangol-Bor")
    assert screen.startswith("CON Quand ?")
    dialer.send("2")
    displaced = dialer.send("3")
    assert displaced.startswith("CON Etes-vous vous-meme déplacé(e) ?\n1 Oui\n2 Non\n0 Retour")
    confirm = dialer.send("1")
    assert "Attaque armée\nDangol-Boré (Douentza)\naujourd'hui, 2 à 5 pers., auteur déplacé" in confirm

    done = dialer.send("1")

    assert done.startswith("END Merci. Signalement recu.")
    report = Report.objects.get()
    assert report.reporter_displaced  # a fact about the reporter; the place is where it happened
    assert (report.channel, report.category, report.commune.name, report.occurred, report.people_affected) == (
        "ussd",
        "armed_attack",
        "Dangol-Boré",
        "today",
        "2-5",
    )
    code = done.split("Code de suivi: ")[1].split("\n")[0]
    from reporting.services import report_by_receipt

    assert report_by_receipt(receipt=code, buckets=["test"]) == report


@pytest.mark.parametrize("lang, expected", [("2", "END Thank you. Report received."), ("3", "END I ni ce.")])
def test_a_full_report_in_english_and_bambara(client, gazetteer, lang, expected):
    dialer = Dialer(client)
    walk_to_commune(dialer, "Mopti", "Mopti", "Socoura", lang=lang)
    dialer.send("6")
    dialer.send("6")
    dialer.send("2")

    assert dialer.send("1").startswith(expected)
    assert Report.objects.get().language == {"2": "en", "3": "bm"}[lang]
    assert not Report.objects.get().reporter_displaced


def test_skipping_each_place_level_keeps_the_coarser_one(client, gazetteer):
    dialer = Dialer(client)
    dialer.dial(), dialer.send("1"), dialer.send("1")
    screen = dialer.send("1")
    screen = dialer.send(choose(screen, "Mopti"))
    assert screen.startswith("CON Quel cercle ?")
    screen = dialer.send("8")  # don't know the cercle: keep the region
    assert screen.startswith("CON Quand ?")
    dialer.send("6"), dialer.send("6"), dialer.send("2"), dialer.send("1")

    report = Report.objects.get()
    assert (report.region.name, report.cercle, report.commune) == ("Mopti", None, None)


def test_back_and_more_navigate_like_mobile_money(client, gazetteer):
    dialer = Dialer(client)
    dialer.dial(), dialer.send("1"), dialer.send("1")
    first_page = dialer.send("9")  # categories page 2
    assert "Autre" in first_page
    assert dialer.send("0").startswith("CON Quel incident ?")  # back to page 1
    assert "Attaque armée" in dialer.post("*".join(dialer.inputs)).content.decode()
    assert dialer.send("0").startswith("CON Veille (anonyme)")  # back to the menu


@pytest.mark.parametrize("bad", ["", "abc", "99", "-1", "1*2", "é" * 50, "7" * 500, "%00"])
def test_any_wrong_input_gets_a_valid_screen(client, gazetteer, bad):
    dialer = Dialer(client)
    dialer.dial(), dialer.send("1"), dialer.send("1")

    screen = dialer.send(bad)

    assert screen.startswith("CON Choix invalide.\nQuel incident ?") or screen.startswith("CON Quel incident ?")


def test_a_star_inside_an_input_is_taken_whole(client, gazetteer):
    dialer = Dialer(client)
    dialer.dial(), dialer.send("1"), dialer.send("2")

    screen = dialer.send("K7M*4X")  # a code with a '*' typed in: one input, not two

    assert screen.startswith("CON Code inconnu.")


def test_a_repeated_final_request_gives_the_same_receipt_and_no_second_report(client, gazetteer):
    dialer = Dialer(client)
    walk_to_commune(dialer, "Mopti", "Douentza", "Hombori")
    dialer.send("1"), dialer.send("1"), dialer.send("2")
    first = dialer.send("1")

    again = dialer.screen(dialer.post("*".join(dialer.inputs)))

    assert first == again and first.startswith("END Merci.")
    assert Report.objects.count() == 1


def test_a_session_lost_midway_creates_nothing_and_a_confirmed_one_is_kept(client, gazetteer):
    lost = Dialer(client, session_id="ATUid_lost")
    walk_to_commune(lost, "Mopti", "Douentza", "Hombori")
    kept = Dialer(client, session_id="ATUid_kept")
    walk_to_commune(kept, "Mopti", "Douentza", "Hombori")
    kept.send("1"), kept.send("1"), kept.send("2"), kept.send("1")
    UssdSession.objects.all().delete()  # the purge, or the gateway's 180 s timeout

    assert Report.objects.count() == 1
    assert Dialer(client, session_id="ATUid_lost").dial().startswith("CON Veille - signalement anonyme")


def test_an_expired_session_starts_again(client, gazetteer, settings):
    from datetime import timedelta

    from django.utils import timezone

    dialer = Dialer(client)
    dialer.dial(), dialer.send("1")
    UssdSession.objects.update(updated_at=timezone.now() - timedelta(seconds=settings.USSD_SESSION_TTL_SECONDS + 1))

    assert dialer.send("1").startswith("CON Veille - signalement anonyme")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"text": "1"},
        {"sessionId": "ATUid_x"},
        {"phoneNumber": PHONE},
        {"sessionId": "x" * 500, "phoneNumber": PHONE, "text": ""},
    ],
)
def test_a_truncated_payload_gets_a_valid_end_screen(client, gazetteer, payload):
    response = client.post(URL, urlencode(payload), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert response.content.decode().startswith("END ")


def test_non_utf8_bytes_get_a_valid_screen(client, gazetteer):
    body = b"sessionId=ATUid_9&phoneNumber=%2B22376123456&serviceCode=%2A123%23&text=1%FF%FE"
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200 and response.content.decode().startswith(("CON ", "END "))


def test_an_unknown_gateway_and_get_get_the_bare_403(client):
    assert client.post("/channels/ussd/nowhere/", {}).status_code == 403
    assert client.get(URL).status_code == 403


def test_other_service_codes_are_refused_when_configured(client, gazetteer, settings):
    settings.USSD_ALLOWED_SERVICE_CODES = ["*456#"]

    assert Dialer(client).dial().startswith("END ")


def test_no_number_is_kept_and_nothing_is_sent_by_sms(client, gazetteer, outbox):
    dialer = Dialer(client)
    walk_to_commune(dialer, "Mopti", "Douentza", "Hombori")
    dialer.send("1"), dialer.send("1"), dialer.send("2"), dialer.send("1")

    from messaging.models import ContactVaultEntry

    assert ContactVaultEntry.objects.count() == 0
    assert [sms for sms in outbox if sms.to == PHONE] == []
    assert Report.objects.get().sender_pseudonym.startswith("p1:")


def test_follow_a_report_and_answer_the_consent_question(client, deployment):
    from focal_points.models import Member
    from reporting import triage

    dialer = Dialer(client)
    walk_to_commune(dialer, "Mopti", "Douentza", "Hombori")
    dialer.send("1"), dialer.send("1"), dialer.send("2")
    code = dialer.send("1").split("Code de suivi: ")[1].split("\n")[0]
    report = Report.objects.get()
    fatoumata = Member.objects.get(name="Fatoumata Cissé")
    triage.report_classify(member=fatoumata, report_id=report.pk, category="gbv")
    triage.report_request_consent(member=fatoumata, report_id=report.pk)

    follow = Dialer(client, session_id="ATUid_follow")
    follow.dial(), follow.send("1"), follow.send("2")
    question = follow.send(code.lower())
    assert "centre d'appui" in question and question.startswith("CON ")
    assert follow.send("1").startswith("END Merci, votre réponse est enregistrée.")

    report.refresh_from_db()
    assert report.support_consent == Consent.GIVEN


# --- P6: every screen of every list, in every language ---------------------------------


def every_list_screen(language: str):
    state = {"lang": language, "step": "category", "data": {}, "history": [], "page": 0}
    yield from pages_of(state)
    for region in Region.objects.all():
        yield from pages_of({**state, "step": "cercle", "data": {"region": region.pk}})
    for cercle in Cercle.objects.all():
        yield from pages_of({**state, "step": "commune", "data": {"cercle": cercle.pk}})
    yield from pages_of({**state, "step": "region"})


def pages_of(state):
    engine = Engine(dict(state), sender_pseudonym="p1:x")
    _, pages, _ = engine._pages()
    for page in range(len(pages)):
        engine.state["page"] = page
        yield engine.current(prefix=T["invalid"][state["lang"]]).text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_list_page_fits_a_screen_even_with_the_invalid_prefix(gazetteer, language):
    screens = list(every_list_screen(language))

    assert len(screens) > 100
    for screen in screens:
        assert is_gsm7(screen), screen
        assert gsm7_length(screen) <= USSD_SCREEN_LIMIT, screen


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_fixed_screen_fits_in_every_language(language):
    longest = {
        "summary": (
            "Abus de forces ou officiels\nKoporokendie Na (ou Koporo Na (Koro)\n"
            "cette semaine, plus de 20 pers., auteur déplacé"
        ),
        "n": "9",
        "code": "WWWWWW",
        "status": "en vérification",
        "question": "",  # shortened by the engine to fit: tests/reporting/test_reply_mode_never.py
    }
    for key in T:
        screen = text("invalid", language) + "\n" + text(key, language, **longest)
        assert is_gsm7(screen), key
        assert gsm7_length(screen) <= USSD_SCREEN_LIMIT, (key, language, gsm7_length(screen))


def test_every_commune_is_reachable(gazetteer):
    reachable = 0
    for cercle in Cercle.objects.all():
        engine = Engine({"lang": "fr", "step": "commune", "data": {"cercle": cercle.pk}}, sender_pseudonym="p1:x")
        _, pages, _ = engine._pages()
        reachable += sum(len(page) for page in pages)
    assert reachable == Commune.objects.count()


def test_a_question_with_choices_is_answered_on_the_ussd_follow_up(client, deployment):
    from focal_points.models import Member
    from reporting import triage
    from reporting.models import ReportEventKind

    dialer = Dialer(client)
    walk_to_commune(dialer, "Mopti", "Douentza", "Hombori")
    dialer.send("1"), dialer.send("1"), dialer.send("2")
    code = dialer.send("1").split("Code de suivi: ")[1].split("\n")[0]
    report = Report.objects.get()
    relay = Member.objects.get(name="Fatoumata Cissé")
    triage.report_ask_reporter(
        member=relay, report_id=report.pk, question="Combien de blessés ?", choices=["aucun", "un ou deux", "plus"]
    )

    follow = Dialer(client, session_id="ATUid_question")
    follow.dial(), follow.send("1"), follow.send("2")
    screen = follow.send(code)
    assert screen.startswith("CON Signalement ") and "Combien de blessés ?\n1 aucun\n2 un ou deux\n3 plus" in screen
    assert follow.send("7").startswith("CON Choix invalide.")
    assert follow.send("3").startswith("END Merci, votre réponse est enregistrée.")

    report.refresh_from_db()
    assert report.description.endswith("Réponse 3: plus") and report.question is None
    assert report.events.filter(kind=ReportEventKind.QUESTION_ANSWERED, channel="ussd").count() == 1


def test_a_question_too_long_for_a_ussd_screen_is_refused(deployment):
    from focal_points.models import Member
    from reporting import triage
    from reporting.services import PlaceChoice, report_submit

    report = report_submit(
        channel="ussd", category="armed_attack", place=PlaceChoice(commune_id=Commune.objects.get(name="Hombori").pk)
    ).report
    with pytest.raises(triage.TriageError):
        triage.report_ask_reporter(
            member=Member.objects.get(name="Fatoumata Cissé"),
            report_id=report.pk,
            question="Q" * 100,
            choices=["un choix assez long " * 2] * 6,
        )
