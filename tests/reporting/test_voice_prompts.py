"""Voice prompts: the list of every prompt the menu can say is whole (a walk of the menu,
every key at every step, on a small gazetteer, says nothing the list lacks), a declared
language lacking one of them fails, synthesis never overwrites a recording, and the
files are WAV mono 8 kHz 16-bit."""

from __future__ import annotations

import copy
import json
import shutil
import wave

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from messaging.models import Channel
from places.models import Cercle, Commune, Region
from reporting import services
from reporting.models import Consent, Report, ReportStatus
from reporting.ussd import texts
from reporting.ussd.engine import Engine
from reporting.voice import prompts, render
from reporting.voice.synthesis import MANIFEST, synthesise
from tests.voice_prompts import CACHE, synthesise_places

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_gazetteer(db):
    """Two regions, three cercles (one without communes), three communes, in place of
    the session's whole gazetteer (restored when the test's transaction rolls back)."""
    from places.services import places_index_invalidate

    Commune.objects.all().delete()
    Cercle.objects.all().delete()
    Region.objects.all().delete()
    places_index_invalidate()
    mopti = Region.objects.create(name="Mopti")
    kayes = Region.objects.create(name="Kayes")
    douentza = Cercle.objects.create(region=mopti, name="Douentza")
    Cercle.objects.create(region=mopti, name="Djenné")  # a cercle without communes
    bafoulabe = Cercle.objects.create(region=kayes, name="Bafoulabé")
    for cercle, name in [(douentza, "Hombori"), (douentza, "Dangol-Boré"), (bafoulabe, "Mahina")]:
        Commune.objects.create(cercle=cercle, name=name)
    yield
    places_index_invalidate()


class Rollback(Exception):
    pass


def seeded_codes() -> list[str]:
    """Reports in every follow-up case, each with its code as keypad keys."""
    from reporting.codes import keypad_form

    cases = {}
    for case in ["open", "closed", "consent", "choices", "waiting"]:
        submitted = services.report_submit(channel=Channel.SMS, category="armed_attack", sender_pseudonym="p1:seed")
        cases[case] = (submitted.report, keypad_form(submitted.receipt))
    Report.objects.filter(pk=cases["closed"][0].pk).update(status=ReportStatus.CLOSED)
    Report.objects.filter(pk=cases["consent"][0].pk).update(support_consent=Consent.ASKED)
    choices = cases["choices"][0]
    choices.question = {"text": "Combien ?", "choices": ["aucun", "un", "plus"]}
    choices.save(update_fields=["question"])
    Report.objects.filter(pk=cases["waiting"][0].pk).update(pending_question="Où êtes-vous ?")
    return [keys for _, keys in cases.values()]


def walk() -> dict[str, set[str]]:
    """Every prompt key said at every step reachable by any key, by language (what a
    step says depends on the step, its page, the language, the places chosen and the
    report followed, not on the other answers: those are varied in the summary test)."""
    inputs = [*"0123456789", "x", "0#", *seeded_codes()]
    said: dict[str, set[str]] = {}
    seen: set[str] = set()
    frontier: list[dict] = [{}]
    count = 0
    while frontier:
        state = frontier.pop()
        for typed in [None, *inputs]:
            count += 1
            after = copy.deepcopy(state)
            try:
                with transaction.atomic():
                    # The seeded reports' phone: a code typed on a keypad finds only the
                    # reports of the calling phone. Its wrong-code counts are wiped at each
                    # step, so that the walk's wrong tries do not lock the look-up.
                    cache.clear()
                    engine = Engine(
                        after, sender_pseudonym="p1:seed", session_key=f"walk{count}", channel=Channel.VOICE
                    )
                    accepted = engine.take(typed) if typed is not None else None
                    view = engine.view(invalid=accepted is False)
                    said.setdefault(engine.lang, set()).update(
                        p.key for p in render.view_prompts(engine, view) if p.key
                    )
                    raise Rollback
            except Rollback:
                pass
            data = after.get("data", {})
            signature = json.dumps(
                [after.get(k) for k in ("step", "page", "lang", "tracked_id", "code_tries")]
                + [data.get(k) for k in ("region", "cercle", "commune")]
            )
            if signature not in seen and not render.view_ends_call(engine.view()):
                seen.add(signature)
                frontier.append(after)
    return said


def test_the_prompt_list_holds_everything_the_menu_can_say(small_gazetteer):
    said = walk()

    assert set(said) == set(prompts.all_languages())
    for language, keys in said.items():
        listed = set(prompts.every_prompt(language))
        assert keys - listed == set(), language
        # The walk reached the places, the follow-up branch and its question.
        assert {"place.commune." + str(Commune.objects.get(name="Hombori").pk), "status.closed"} <= keys
        assert {"voice.consent", "voice.question", "voice.waiting_question", "code_locked"} <= keys


def test_every_prompt_key_names_a_file():
    from messaging.voice import PROMPT_KEY

    for language in prompts.all_languages():
        for key in prompts.every_prompt(language, places=False):
            assert PROMPT_KEY.fullmatch(key) and ".." not in key, key


def test_the_summary_says_only_listed_prompts_whatever_the_answers(small_gazetteer):
    hombori = Commune.objects.get(name="Hombori")
    answers = [{"category": c} for c in texts.CATEGORY_ORDER] + [{"occurred": w} for w in texts.WHEN_CHOICES]
    answers += [{"people": p} for p in texts.PEOPLE_CHOICES] + [{"displaced": True}]
    places = [{}, {"region": hombori.cercle.region_id}, {"cercle": hombori.cercle_id}, {"commune": hombori.pk}]
    for language in prompts.all_languages():
        listed = set(prompts.every_prompt(language))
        for answer in answers:
            for place in places:
                data = {"category": "other", "occurred": "now", "people": "none", **answer, **place}
                engine = Engine({"step": "confirm", "lang": language, "data": data}, sender_pseudonym="p1:x")
                keys = {p.key for p in render.view_prompts(engine, engine.view())}
                assert keys <= listed, (language, keys - listed)


def test_a_declared_language_lacking_a_reachable_prompt_fails(small_gazetteer, voice_prompt_folder, settings, tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(voice_prompt_folder, folder)
    synthesise_places(folder)
    settings.VOICE_PROMPT_DIR = str(folder)

    # The demo's and tests' prompts: French and English whole; Bambara not declared.
    assert prompts.declared_languages() == ["fr", "en"]
    for language in prompts.declared_languages():
        assert prompts.missing_prompts(language) == [], language

    call_command("voice_prompts_check", stdout=open("/dev/null", "w"))
    commune = Commune.objects.get(name="Mahina")
    (folder / "en" / f"place.commune.{commune.pk}.wav").unlink()
    (folder / "fr" / "voice.goodbye.wav").unlink()
    assert prompts.missing_prompts("en") == [f"place.commune.{commune.pk}"]
    assert prompts.missing_prompts("fr") == ["voice.goodbye"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="voice prompts missing"):
        call_command("voice_prompts_check", stdout=open("/dev/null", "w"))


def test_a_language_without_prompts_is_not_offered_by_voice(small_gazetteer, voice_prompts):
    from messaging.voice import CallEvent, VoiceEvent, voice_handler

    start = voice_handler().handle(VoiceEvent("test", "CA" + "1" * 32, CallEvent.START, caller="+22376000000"))
    assert {p.language for p in start.prompts} == {"fr", "en"}
    bambara = voice_handler().handle(VoiceEvent("test", "CA" + "1" * 32, CallEvent.DIGITS, digits="3", turn=1))
    assert bambara.prompts[0].key == "invalid" and bambara.language == "fr"


def test_prompts_are_wav_mono_8khz_16bit(voice_prompts):
    for path in [voice_prompts / "fr" / "voice.menu.wav", voice_prompts / "en" / "letter.K.wav"]:
        with wave.open(str(path)) as audio:
            assert (audio.getnchannels(), audio.getframerate(), audio.getsampwidth()) == (1, 8000, 2)
            assert audio.getnframes() > 800  # at least a tenth of a second of speech


def test_synthesis_never_overwrites_a_recording_and_redoes_changed_words(tmp_path):
    (tmp_path / "fr").mkdir()
    recording = tmp_path / "fr" / "menu.wav"
    recording.write_bytes(b"RIFF recorded by a native speaker")

    written = synthesise("fr", {"menu": "Veille", "yes": "Oui"}, root=tmp_path, cache=CACHE)
    assert written == 1 and recording.read_bytes() == b"RIFF recorded by a native speaker"
    assert synthesise("fr", {"yes": "Oui"}, root=tmp_path, cache=CACHE) == 0  # same words: kept
    assert synthesise("fr", {"yes": "Oui, bien sûr"}, root=tmp_path, cache=CACHE) == 1
    assert json.loads((tmp_path / "fr" / MANIFEST).read_text()) == {"yes": "Oui, bien sûr"}


def test_the_command_synthesises_french_and_english_and_refuses_bambara(small_gazetteer, settings, tmp_path):
    from django.core.management.base import CommandError

    settings.VOICE_PROMPT_DIR = str(tmp_path)
    call_command("voice_prompts_synthesise", "--language", "en", "--no-places", stdout=open("/dev/null", "w"))
    assert (tmp_path / "en" / "voice.menu.wav").is_file() and not (tmp_path / "fr").exists()
    with pytest.raises(CommandError, match="espeak-ng"):
        call_command("voice_prompts_synthesise", "--language", "bm")
