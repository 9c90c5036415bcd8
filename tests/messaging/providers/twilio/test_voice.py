"""Twilio Voice: recorded call payloads (answer, keys, timeouts, hang-ups, forged
signatures, replays), the TwiML (keypad only: never <Record>, speech, <Stream> or
<Dial>), prompts served by the platform, call logs deleted at Twilio once the call ends
(the real client, built from settings; only the HTTP transport replaced), and a call that
files a report reaching its relay, then a second call that hears its status."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from django.conf import settings as django_settings

from messaging.providers.twilio.voice import delete_call_log, twiml
from messaging.voice import Prompt, VoiceTurn
from reporting.models import Report, UssdSession
from tests.conftest import twilio_signature
from tests.messaging.providers.twilio.transport import API, FakeTwilioTransport, twilio_error

pytestmark = pytest.mark.django_db
VOICE = "/channels/twilio/voice/"
STATUS = "/channels/twilio/voice/status/"
CALLER = "+22376123456"
ALLOWED_TAGS = {"Response", "Gather", "Play", "Say", "Hangup"}


@pytest.fixture
def twilio_voice(settings, voice_prompts, gazetteer):
    settings.VOICE_PROVIDERS = ["twilio"]
    return voice_prompts


@pytest.fixture
def transport(monkeypatch):
    """The HTTP transport under the real Twilio client (SMS stay in the test outbox)."""
    fake = FakeTwilioTransport()
    monkeypatch.setattr(
        requests.adapters.HTTPAdapter, "send", lambda adapter, request, **kw: fake.send(adapter, request, **kw)
    )
    return fake


def recorded(call_sid: str, **fields: str) -> dict[str, str]:
    """What Twilio posts to a voice URL (recorded from an inbound call; the numbers and
    the SIDs replaced)."""
    return {
        "AccountSid": django_settings.TWILIO_ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Called": "+15005550006",
        "CalledCountry": "US",
        "Caller": CALLER,
        "CallerCity": "DOUENTZA",
        "CallerCountry": "ML",
        "Direction": "inbound",
        "From": CALLER,
        "FromCity": "DOUENTZA",
        "FromCountry": "ML",
        "FromState": "MOPTI",
        "To": "+15005550006",
        **fields,
    }


class TwilioCall:
    """Plays Twilio's side of one call: the voice URL, then each gather's action."""

    def __init__(self, client, sid: str | None = None) -> None:
        self.client = client
        self.sid = sid or f"CA{random.getrandbits(128):032x}"
        self.action: str | None = None
        self.root: ET.Element | None = None

    def post(self, path: str, params: dict[str, str], signature: str | None = None):
        return self.client.post(
            path,
            data=urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, params) if signature is None else signature,
        )

    def _read(self, response) -> ET.Element:
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/xml")
        self.root = ET.fromstring(response.content)
        assert_keypad_only(self.root)
        gather = self.root.find("Gather")
        self.action = None if gather is None else gather.get("action")
        return self.root

    def answer(self) -> ET.Element:
        return self._read(self.post(VOICE, recorded(self.sid)))

    def action_path(self) -> str:
        parts = urlsplit(self.action)
        assert f"{parts.scheme}://{parts.netloc}" == django_settings.PUBLIC_BASE_URL
        return f"{parts.path}?{parts.query}"

    def press(self, digits: str) -> ET.Element:
        fields = {"Digits": digits, "FinishedOnKey": ""} if digits else {}
        return self._read(self.post(self.action_path(), recorded(self.sid, **fields)))

    def timeout(self) -> ET.Element:
        return self.press("")

    def hang_up(self, status: str = "completed"):
        return self.post(STATUS, recorded(self.sid, CallStatus=status, CallDuration="42"))

    def played(self) -> list[str]:
        """The prompt keys played, in order ("lang/key")."""
        keys = []
        for play in self.root.iter("Play"):
            path = urlsplit(play.text).path
            assert path.startswith("/channels/voice/prompts/") and path.endswith(".wav"), path
            keys.append(path.removeprefix("/channels/voice/prompts/").removesuffix(".wav"))
        return keys

    def choose(self, key: str) -> ET.Element:
        """Press the digit said after the prompt ``key`` (paging on with 9 when needed)."""
        while True:
            played = self.played()
            keys = [k.split("/", 1)[1] for k in played]
            if key in keys:
                digit = keys[keys.index(key) + 1].removeprefix("press.")
                return self.press(digit)
            assert "voice.more" in keys, (key, keys)
            self.press("9")


def assert_keypad_only(root: ET.Element) -> None:
    """No TwiML the menu makes can listen: no <Record>, no speech input, no <Stream>,
    <Dial> or <Connect>; a gather reads keys only."""
    assert root.tag == "Response"
    for element in root.iter():
        assert element.tag in ALLOWED_TAGS, element.tag
        if element.tag == "Gather":
            assert element.get("input") == "dtmf"
            assert not {"speechTimeout", "speechModel", "hints", "enhanced"} & set(element.attrib)


def test_the_answer_offers_each_language_in_its_own_words(client, twilio_voice):
    call = TwilioCall(client)
    root = call.answer()

    gather = root.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("timeout") == "8"
    assert gather.get("actionOnEmptyResult") == "true" and gather.get("method") == "POST"
    assert call.action == f"{django_settings.PUBLIC_BASE_URL}{VOICE}?t=1"
    assert call.played() == ["fr/voice.language", "fr/press.1", "en/voice.language", "en/press.2"]
    assert root.find("Hangup") is None


def test_the_played_prompts_are_served_by_the_platform_and_cacheable(client, twilio_voice):
    call = TwilioCall(client)
    call.answer()
    url = next(call.root.iter("Play")).text

    response = client.get(urlsplit(url).path)

    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert response["Cache-Control"].startswith("public, max-age=")
    assert b"".join(response.streaming_content)[:4] == b"RIFF"
    again = client.get(urlsplit(url).path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    for path in ["/channels/voice/prompts/fr/..%2Fsecret.wav", "/channels/voice/prompts/xx/menu.wav"]:
        assert client.get(path).status_code == 404
    assert client.post(urlsplit(url).path).status_code == 405


# --- Recorded payloads: keys, timeouts, wrong keys, hang-ups ---------------------------

KEYS = [
    # (what the caller does after answering, what is played first, the gather's digits)
    ("1", "fr/voice.menu", "1"),
    ("2", "en/voice.menu", "1"),
    ("", "fr/voice.silence", "1"),  # the gather timed out: no Digits field
    ("7", "fr/invalid", "1"),
    ("*", "fr/invalid", "1"),
    ("#", "fr/invalid", "1"),
    ("1<script>", "fr/invalid", "1"),  # not a key: refused as a wrong key
    ("3", "fr/invalid", "1"),  # Bambara: no prompts in this deployment, not offered
]


@pytest.mark.parametrize("digits, first, num_digits", KEYS)
def test_each_key_or_timeout_has_its_answer(client, twilio_voice, digits, first, num_digits):
    call = TwilioCall(client)
    call.answer()

    root = call.press(digits)

    assert call.played()[0] == first
    assert root.find("Gather").get("numDigits") == num_digits


def test_silences_end_the_call_politely(client, twilio_voice):
    call = TwilioCall(client)
    call.answer()
    call.press("1")
    call.timeout(), call.timeout()

    root = call.timeout()

    assert call.played() == ["fr/voice.goodbye"] and root.find("Hangup") is not None and root.find("Gather") is None


def test_the_code_gather_waits_for_ten_keys_or_hash(client, twilio_voice):
    call = TwilioCall(client)
    call.answer(), call.press("1")
    root = call.choose("menu.follow")

    gather = root.find("Gather")
    assert (gather.get("numDigits"), gather.get("finishOnKey")) == ("10", "#")


def test_a_hang_up_forgets_the_call_and_deletes_its_log_at_twilio(client, twilio_voice, transport):
    call = TwilioCall(client)
    call.answer(), call.press("1")
    assert UssdSession.objects.filter(gateway="voice:twilio").count() == 1

    response = call.hang_up()

    assert response.status_code == 204
    assert UssdSession.objects.count() == 0
    (delete,) = transport.deletes
    assert delete.url == f"{API}/Accounts/{django_settings.TWILIO_ACCOUNT_SID}/Calls/{call.sid}.json"
    assert delete.headers["Authorization"].startswith("Basic ")
    assert delete.timeout == django_settings.TWILIO_HTTP_TIMEOUT_SECONDS


@pytest.mark.parametrize("status", ["busy", "failed", "no-answer", "canceled"])
def test_every_end_of_call_deletes_its_log(client, twilio_voice, transport, status):
    assert TwilioCall(client).hang_up(status).status_code == 204
    assert len(transport.deletes) == 1


def test_a_status_before_the_end_changes_nothing(client, twilio_voice, transport):
    call = TwilioCall(client)
    call.answer()
    assert call.hang_up("in-progress").status_code == 204
    assert transport.deletes == [] and UssdSession.objects.count() == 1


def test_a_call_log_already_gone_counts_as_deleted_and_an_outage_is_retried(transport):
    from messaging.backends import TransientSendError

    transport.queue(twilio_error(404, 20404), twilio_error(500, 20500), requests.ConnectionError("down"))
    assert delete_call_log("CA" + "a" * 32) is True
    with pytest.raises(TransientSendError):
        delete_call_log("CA" + "a" * 32)
    with pytest.raises(TransientSendError):
        delete_call_log("CA" + "a" * 32)
    assert delete_call_log("not-a-sid") is False and len(transport.requests) == 3


# --- Signatures and replays ----------------------------------------------------------------


def test_forged_or_missing_signatures_are_refused(client, twilio_voice):
    call = TwilioCall(client)
    params = recorded(call.sid)
    other_token = twilio_signature(VOICE, params, token="not-the-token")
    other_url = twilio_signature(VOICE + "?t=1", params)
    tampered = dict(params, From="+22399999999")

    assert call.post(VOICE, params, signature="").status_code == 403
    assert call.post(VOICE, params, signature=other_token).status_code == 403
    assert call.post(VOICE, params, signature=other_url).status_code == 403
    assert call.post(VOICE, tampered, signature=twilio_signature(VOICE, params)).status_code == 403
    assert call.post(STATUS, recorded(call.sid, CallStatus="completed"), signature="forged").status_code == 403
    assert UssdSession.objects.count() == 0


def test_a_replayed_request_gets_the_same_twiml_and_moves_nothing(client, twilio_voice):
    call = TwilioCall(client)
    call.answer()
    path = call.action_path()
    params = recorded(call.sid, Digits="1")
    first = call.post(path, params).content
    second = call.post(path, params).content
    call._read(call.post(path, params))

    assert first == second
    assert UssdSession.objects.get().state["step"] == "menu"
    assert call.post(VOICE, recorded(call.sid)).content == first  # the voice URL again: same turn


def test_bad_requests_and_a_disabled_provider(client, twilio_voice, settings):
    call = TwilioCall(client)
    assert call.post(VOICE, recorded("CAnot-a-sid")).status_code == 400
    assert client.get(VOICE).status_code == 405
    settings.VOICE_PROVIDERS = []
    assert call.post(VOICE, recorded(call.sid)).status_code == 404


def test_a_fault_in_the_menu_gets_an_apology_and_a_hang_up(client, twilio_voice, monkeypatch):
    from reporting.voice import services

    def broken(event):
        raise RuntimeError(f"boom {event.caller}")

    monkeypatch.setattr(services, "voice_answer", broken)
    call = TwilioCall(client)
    root = call.answer()

    assert call.played() == ["fr/error"] and root.find("Hangup") is not None


def test_no_location_or_number_is_kept(client, twilio_voice):
    call = TwilioCall(client)
    call.answer(), call.press("1")

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reporting_ussdsession")
        rows = repr(cursor.fetchall())
    for value in [CALLER, CALLER[1:], "DOUENTZA", "MOPTI"]:
        assert value not in rows


# --- Keypad only, whatever the menu says ----------------------------------------------------


def test_no_twiml_the_menu_produces_can_listen(client, twilio_voice):
    """Random calls, every key at random for 300 presses: every answer is keypad only."""
    rng = random.Random(20)
    for _ in range(6):
        call = TwilioCall(client)
        call.answer()
        for _ in range(50):
            if call.action is None:
                break
            call.press(rng.choice([*"0123456789*#", "", "0#", "5762757627"]))


def test_a_relay_question_is_said_with_twilio_synthesis_only_where_it_can_be():
    turn = VoiceTurn(
        language="fr",
        prompts=(Prompt("", "Combien de blessés ?"), Prompt("", "<Record/>")),
        number=3,
    )
    root = ET.fromstring(twiml(turn))
    assert_keypad_only(root)
    assert [say.text for say in root.iter("Say")] == ["Combien de blessés ?", "<Record/>"]
    assert not list(ET.fromstring(twiml(VoiceTurn(language="bm", prompts=(Prompt("", "Joli?"),)))).iter("Say"))


# --- End to end: a call files a report that reaches its relay; a second call hears it -------


def test_a_call_files_a_report_that_reaches_its_relay_and_a_second_call_hears_its_status(
    client, twilio_voice, deployment, outbox, transport, django_capture_on_commit_callbacks, settings, tmp_path
):
    import shutil

    from places.models import Cercle, Commune, Region
    from reporting.codes import keypad_form
    from reporting.voice.synthesis import synthesise
    from tests.voice_prompts import CACHE

    # The place names this call hears, synthesised too (the session's prompts hold texts).
    folder = tmp_path / "prompts"
    shutil.copytree(twilio_voice, folder)
    settings.VOICE_PROMPT_DIR = str(folder)
    mopti, douentza = Region.objects.get(name="Mopti"), Cercle.objects.get(name="Douentza")
    names = {f"place.region.{r.pk}": r.name for r in Region.objects.all()}
    names |= {f"place.cercle.{c.pk}": c.name for c in Cercle.objects.filter(region=mopti)}
    names |= {f"place.commune.{c.pk}": c.name for c in Commune.objects.filter(cercle=douentza)}
    synthesise("fr", names, root=folder, cache=CACHE)

    call = TwilioCall(client)
    call.answer()
    call.press("1")
    call.choose("menu.report")
    call.choose("category.armed_attack")
    call.choose(f"place.region.{Region.objects.get(name='Mopti').pk}")
    call.choose(f"place.cercle.{Cercle.objects.get(name='Douentza').pk}")
    call.choose(f"place.commune.{Commune.objects.get(name='Hombori').pk}")
    call.choose("when.today")
    call.choose("people.2-5")
    call.choose("no")
    with django_capture_on_commit_callbacks(execute=True):
        root = call.choose("send")

    assert root.find("Hangup") is not None
    report = Report.objects.get()
    assert (report.channel, report.commune.name) == ("voice", "Hombori")
    relay_phones = set(report.recipients.values_list("member__phone", flat=True))
    notices = [sms for sms in outbox if sms.to in relay_phones]
    assert notices and report.reference in notices[0].body
    assert all(sms.to != CALLER for sms in outbox)
    played = [key.split("/", 1)[1] for key in call.played()]
    code = "".join(k.split(".")[1] for k in played[played.index("voice.done") + 1 : played.index("voice.repeat")])
    with django_capture_on_commit_callbacks(execute=True):
        call.hang_up()
    assert Report.objects.count() == 1 and len(transport.deletes) == 1

    follow = TwilioCall(client)
    follow.answer(), follow.press("1"), follow.choose("menu.follow")
    follow.press(keypad_form(code))

    report.refresh_from_db()
    assert follow.played()[:2] == ["fr/voice.report", f"fr/status.{report.status}"]
    assert follow.root.find("Hangup") is not None
