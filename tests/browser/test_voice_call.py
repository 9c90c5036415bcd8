"""The phone simulator plays a voice call in a real browser: each prompt's words shown
and its audio served by the platform (<audio>, WAV), keypad presses through the Twilio
Voice webhook, a report filed by keys alone. Screenshot in screenshots/simulator-call-fr.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_simulator_plays_a_call_answered_by_keypad(live_server, gazetteer, voice_prompts, settings, new_page):
    from reporting.models import Report

    settings.VOICE_PROVIDERS = ["twilio"]
    page = new_page(width=1100, height=1000)
    page.goto(f"{live_server.url}/simulator/")
    page.click("button[value=call]")

    texts = page.locator(".voice-prompts .prompt-text").all_inner_texts()
    assert texts[:2] == ["Pour le français", "tapez 1"] and "For English" in texts
    audio = page.locator("audio.voice-prompt").first.get_attribute("src")
    assert audio == "/channels/voice/prompts/fr/voice.language.wav"
    served = page.request.get(f"{live_server.url}{audio}")
    assert served.status == 200 and served.headers["content-type"] == "audio/wav"
    assert served.body()[:4] == b"RIFF"
    # The browser can decode it: a duration once its metadata is loaded.
    duration = page.evaluate(
        """() => new Promise((done) => {
            const a = document.querySelector('audio.voice-prompt');
            if (a.readyState >= 1) done(a.duration);
            else a.addEventListener('loadedmetadata', () => done(a.duration));
        })"""
    )
    assert duration > 0.2

    page.click(".keypad button[value='1']")  # French
    assert "Veille, signalement anonyme" in page.inner_text(".voice-prompts")
    page.click(".keypad button[value='1']")  # report an incident
    assert page.locator(".voice-prompts .prompt-text").first.inner_text() == "Quel incident ?"
    page.click(".keypad button[value='1']")  # armed attack
    page.click(".keypad button[value='8']")  # region: I don't know
    assert page.locator(".voice-prompts .prompt-text").first.inner_text() == "Quand ?"
    page.click("button[value=wait]")  # silence: the step again
    assert page.locator(".voice-prompts .prompt-text").first.inner_text() == "Aucune touche reçue."
    for key in ["1", "1", "2"]:  # now, no one, not displaced
        page.click(f".keypad button[value='{key}']")
    assert "Vous signalez :" in page.inner_text(".voice-prompts")
    page.click(".keypad button[value='1']")  # send

    assert "Votre code de suivi est :" in page.inner_text(".voice-prompts")
    assert page.locator(".call-ended").count() == 1
    report = Report.objects.get()
    assert (report.channel, report.region_id) == ("voice", None)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "simulator-call-fr.png"), full_page=True)
    assert page.context.cookies() == []
