"""The voice menu (``reporting.voice.services.voice_handler``): the USSD engine's flow,
spoken. Whole calls in French and English, every event's outcome (keys, wrong keys,
silences, hang-ups, replays, unknown calls), follow-up by keypad code, and no number
kept."""

from __future__ import annotations

import itertools

import pytest

from messaging.voice import CallEvent, VoiceEvent, VoiceTurn, voice_handler
from places.models import Commune
from reporting.models import Report, ReportStatus, UssdSession
from reporting.services import report_by_receipt

pytestmark = pytest.mark.django_db
CALLER = "+22376123456"


@pytest.fixture(autouse=True)
def no_prompt_folder(settings, tmp_path):
    """No recorded prompts (whatever another test synthesised): every language offered."""
    settings.VOICE_PROMPT_DIR = str(tmp_path / "no-prompts")


_calls = itertools.count(1)


class Call:
    """Plays a voice provider: events in, turns out, as Twilio or the SIP agent would."""

    def __init__(self, caller: str = CALLER) -> None:
        self.call_id = f"CA{next(_calls):032x}"
        self.caller = caller
        self.turn: VoiceTurn | None = None

    def event(self, kind: CallEvent, digits: str = "", turn: int | None = None) -> VoiceTurn:
        number = self.turn.number if turn is None and self.turn else (turn or 0)
        event = VoiceEvent(
            provider="test",
            call_id=self.call_id,
            event=kind,
            digits=digits,
            caller=self.caller if kind == CallEvent.START else "",
            turn=number,
        )
        self.turn = voice_handler().handle(event)
        return self.turn

    def start(self) -> VoiceTurn:
        return self.event(CallEvent.START)

    def press(self, digits: str) -> VoiceTurn:
        return self.event(CallEvent.DIGITS, digits)

    def silence(self) -> VoiceTurn:
        return self.event(CallEvent.SILENCE)

    def hangup(self) -> VoiceTurn:
        return self.event(CallEvent.HANGUP)

    def keys(self) -> list[str]:
        return [prompt.key for prompt in self.turn.prompts]

    def digit_for(self, key: str) -> str:
        """The key to press for the choice whose label prompt is ``key`` ("for X press N")."""
        keys = self.keys()
        index = keys.index(key)
        assert keys[index + 1].startswith("press."), keys
        return keys[index + 1].removeprefix("press.")

    def choose(self, key: str) -> VoiceTurn:
        """Press the choice ``key``, paging with "more" when it is on a later page."""
        while key not in self.keys():
            assert "voice.more" in self.keys(), (key, self.keys())
            self.press("9")
        return self.press(self.digit_for(key))


def place_key(level: str, name: str) -> str:
    from places.models import Cercle, Region

    model = {"region": Region, "cercle": Cercle, "commune": Commune}[level]
    return f"place.{level}.{model.objects.get(name=name).pk}"


def spoken_code(turn: VoiceTurn) -> list[str]:
    """The characters spoken between "your code is" and "again", and after "again"."""
    keys = [p.key for p in turn.prompts]
    first = keys[keys.index("voice.done") + 1 : keys.index("voice.repeat")]
    second = keys[keys.index("voice.repeat") + 1 : keys.index("voice.keep_code")]
    return ["".join(k.split(".")[1] for k in chars) for chars in (first, second)]


def report_call(call: Call, *, language: str = "1", displaced: str = "2") -> VoiceTurn:
    call.start()
    call.press(language)
    call.choose("menu.report")
    call.choose("category.armed_attack")
    call.choose(place_key("region", "Mopti"))
    call.choose(place_key("cercle", "Douentza"))
    call.choose(place_key("commune", "Hombori"))
    call.choose("when.today")
    call.choose("people.2-5")
    return call.choose({"1": "yes", "2": "no"}[displaced])


def test_the_call_opens_with_each_language_said_in_its_own(gazetteer):
    turn = Call().start()

    assert [(p.key, p.language) for p in turn.prompts] == [
        ("voice.language", "fr"),
        ("press.1", "fr"),
        ("voice.language", "en"),
        ("press.2", "en"),
        ("voice.language", "bm"),
        ("press.3", "bm"),
    ]
    assert turn.prompts[0].text == "Pour le français" and turn.prompts[3].text == "press 2"
    assert (turn.max_digits, turn.hangup, turn.number) == (1, False, 1)


def test_a_whole_report_by_voice_files_it_before_the_receipt_is_spoken(gazetteer):
    call = Call()
    confirm = report_call(call, displaced="1")

    keys = [p.key for p in confirm.prompts]
    assert keys[:8] == [
        "voice.confirm",
        "category.armed_attack",
        place_key("commune", "Hombori"),
        place_key("cercle", "Douentza"),
        "when_short.today",
        "people_short.2-5",
        "displaced_short",
        "send",
    ]
    assert [p.text for p in confirm.prompts[:3]] == ["Vous signalez :", "Attaque armée", "Hombori"]
    done = call.choose("send")

    report = Report.objects.get()
    assert (report.channel, report.commune.name, report.occurred, report.people_affected, report.language) == (
        "voice",
        "Hombori",
        "today",
        "2-5",
        "fr",
    )
    assert report.reporter_displaced
    assert done.hangup and done.max_digits == 0
    first, again = spoken_code(done)
    assert first == again and len(first) == 10  # character by character, and repeated
    assert report_by_receipt(receipt=first, buckets=["test"]) == report
    assert all(p.key.startswith(("letter.", "digit.", "voice.")) for p in done.prompts)


def test_a_call_in_english_speaks_english(gazetteer):
    call = Call()
    call.start()
    menu = call.press("2")

    assert menu.language == "en"
    assert menu.prompts[0].text.startswith("Veille, anonymous reporting")
    assert [p.text for p in menu.prompts[1:3]] == ["Report an incident", "press 1"]


def test_a_wrong_key_says_so_and_asks_again(gazetteer):
    call = Call()
    call.start()
    menu = call.press("1")
    for wrong in ["7", "*", "#", "", "12345678901234567890123"]:
        again = call.press(wrong)
        assert again.prompts[0].key == "invalid"
        assert again.prompts[1:] == menu.prompts
    assert call.press("1").prompts[0].key == "category"


def test_silence_repeats_the_step_then_says_goodbye(gazetteer, settings):
    settings.VOICE_MAX_SILENCES = 2
    call = Call()
    call.start()
    menu = call.press("1")

    for _ in range(2):
        again = call.silence()
        assert [p.key for p in again.prompts[:1]] == ["voice.silence"] and again.prompts[1:] == menu.prompts
        assert not again.hangup
    bye = call.silence()

    assert bye.hangup and [p.key for p in bye.prompts] == ["voice.goodbye"]
    assert call.press("1").hangup  # the call is over: the same goodbye
    assert Report.objects.count() == 0


def test_a_key_after_silence_starts_the_count_again(gazetteer, settings):
    settings.VOICE_MAX_SILENCES = 1
    call = Call()
    call.start()
    call.silence()
    call.press("1")
    assert not call.silence().hangup


def test_a_hang_up_midway_files_nothing_and_forgets_the_call(gazetteer):
    call = Call()
    call.start()
    call.press("1")
    call.choose("menu.report")
    assert UssdSession.objects.filter(gateway="voice:test").count() == 1

    turn = call.hangup()

    assert turn.hangup and turn.prompts == ()
    assert UssdSession.objects.count() == 0 and Report.objects.count() == 0
    assert call.press("1") == voice_handler().failure_turn()  # an unknown call: apology, hang-up


def test_a_hang_up_after_confirming_loses_nothing(gazetteer):
    call = Call()
    report_call(call)
    # The caller presses "send" and hangs up before the receipt is heard: the provider
    # still delivers the key first, then the hang-up.
    call.choose("send")
    call.hangup()

    assert Report.objects.count() == 1 and UssdSession.objects.count() == 0


def test_a_replayed_request_gets_the_same_answer_and_files_once(gazetteer):
    call = Call()
    confirm = report_call(call)
    turn_number = confirm.number
    done = call.choose("send")

    replayed = call.event(CallEvent.DIGITS, "1", turn=turn_number)
    restarted = call.event(CallEvent.START)

    assert replayed == done and restarted == done
    assert Report.objects.count() == 1


def test_a_replayed_key_midway_does_not_move_the_menu(gazetteer):
    call = Call()
    call.start()
    welcome_number = call.turn.number
    menu = call.press("1")
    categories = call.press("1")

    assert call.event(CallEvent.DIGITS, "1", turn=welcome_number) == categories
    assert call.event(CallEvent.DIGITS, "2", turn=menu.number).prompts == categories.prompts
    assert UssdSession.objects.get().state["step"] == "category"


def test_no_number_is_kept_and_the_caller_is_a_pseudonym(gazetteer):
    call = Call()
    report_call(call)
    call.choose("send")

    session = UssdSession.objects.get()
    assert session.sender_pseudonym.startswith("p1:") and CALLER not in str(session.state)
    assert Report.objects.get().sender_pseudonym == session.sender_pseudonym
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reporting_ussdsession")
        assert CALLER not in repr(cursor.fetchall())


def test_places_are_their_own_prompts_with_more_and_skip(gazetteer):
    call = Call()
    call.start()
    call.press("1")
    call.choose("menu.report")
    regions = call.choose("category.armed_attack")

    assert regions.prompts[0].key == "region"
    keys = [p.key for p in regions.prompts]
    assert any(key.startswith("place.region.") for key in keys)
    assert "voice.skip" in keys and "voice.back" in keys
    when = call.press("8")  # "I don't know" the region
    assert when.prompts[0].key == "when"


# --- Follow a report by its code, typed on the keypad -----------------------------------


def keypad(code: str) -> str:
    from reporting.codes import keypad_form

    return keypad_form(code)


def filed(call: Call) -> tuple[Report, str]:
    report_call(call)
    code = spoken_code(call.choose("send"))[0]
    return Report.objects.get(), code


def follow(code_keys: str) -> Call:
    call = Call()
    call.start()
    call.press("1")
    ask = call.choose("menu.follow")
    assert ask.prompts[0].key == "voice.ask_code" and ask.max_digits == 10
    call.press(code_keys)
    return call


def test_the_status_is_spoken_from_a_code_typed_on_the_keypad(gazetteer):
    report, code = filed(Call())

    call = follow(keypad(code))

    keys = call.keys()
    assert keys[:2] == ["voice.report", "status.received"] and keys[2] == "voice.status_add"
    assert call.turn.hangup  # information is added by SMS or web: the call ends
    assert report.events.filter(kind="status_checked", channel="voice").count() == 1


def test_a_code_typed_on_the_keypad_finds_only_the_reports_of_the_same_phone(gazetteer):
    report, code = filed(Call())
    other = Call(caller="+22365000000")
    other.start(), other.press("1"), other.choose("menu.follow")

    assert other.press(keypad(code)).prompts[0].key == "voice.unknown_code"
    withheld = Call(caller="")  # no caller id: no pseudonym, no follow-up by voice
    withheld.start(), withheld.press("1"), withheld.choose("menu.follow")
    assert withheld.press(keypad(code)).prompts[0].key == "voice.unknown_code"
    assert follow(keypad(code)).keys()[:2] == ["voice.report", "status.received"]
    # The whole code still works on every other channel, from any phone.
    assert report_by_receipt(receipt=code, buckets=["test"]) == report


def test_a_wrong_code_offers_a_retry_and_three_end_the_call(gazetteer):
    filed(Call())
    call = follow("2222222222")
    assert call.keys()[0] == "voice.unknown_code" and call.digit_for("retry") == "1"
    call.press("1")
    call.press("3333333333")
    call.press("1")
    locked = call.press("4444444444")
    assert locked.hangup and locked.prompts[0].key == "code_locked"


def test_back_from_the_code_with_zero_then_hash(gazetteer):
    call = Call()
    call.start()
    call.press("1")
    call.choose("menu.follow")
    assert call.press("0#").prompts[0].key == "voice.menu"


def test_a_relay_question_with_choices_is_spoken_and_answered_by_key(deployment):
    from focal_points.models import Member
    from reporting import triage

    report, code = filed(Call())
    relay = Member.objects.get(name="Fatoumata Cissé")
    triage.report_ask_reporter(
        member=relay, report_id=report.pk, question="Combien de blessés ?", choices=["aucun", "un ou deux", "plus"]
    )

    call = follow(keypad(code))

    said = [(p.key, p.text) for p in call.turn.prompts]
    assert said[2:5] == [
        ("voice.question", "Un relais vous pose une question :"),
        ("", "Combien de blessés ?"),
        ("", "aucun"),
    ]
    assert said[5] == ("press.1", "tapez 1") and ("", "plus") in said
    assert not call.turn.hangup
    thanks = call.press("3")
    assert thanks.hangup and thanks.prompts[0].key == "consent_thanks"
    report.refresh_from_db()
    assert report.description.endswith("Réponse 3: plus")


def test_a_relay_question_without_choices_is_announced_for_sms_or_web(deployment, settings):
    from focal_points.models import Member
    from reporting import triage

    settings.SMS_REPLY_MODE = "never"
    report, code = filed(Call())
    # A question in words reaches only a reporter who wrote by SMS (who may call later).
    Report.objects.filter(pk=report.pk).update(channel="sms")
    triage.report_ask_reporter(
        member=Member.objects.get(name="Fatoumata Cissé"), report_id=report.pk, question="Où êtes-vous ?"
    )

    call = follow(keypad(code))

    assert call.keys() == ["voice.report", "status.in_review", "voice.waiting_question"]
    assert call.turn.hangup
    assert "SMS" in call.turn.prompts[-1].text


def test_a_closed_report_speaks_its_status_only(gazetteer):
    report, code = filed(Call())
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.CLOSED)

    call = follow(keypad(code))

    assert call.keys() == ["voice.report", "status.closed"] and call.turn.hangup
