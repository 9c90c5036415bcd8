"""Every SMS the router sends a member, in every language, with every placeholder at its
longest value: one GSM-7 segment, GSM-7 only, accents GSM-7 has kept."""

from __future__ import annotations

import string

import pytest

from commands import relay
from commands import texts as t
from reporting.texts import CATEGORY_WORDS, category_word
from veille.gsm7 import SINGLE_SEGMENT_GSM7, gsm7_length, is_gsm7, segment_count


def longest(values: list[str]) -> str:
    return max(values, key=gsm7_length)


def longest_values(language: str) -> dict[str, str]:
    values = dict(t.PLACEHOLDER_MAX)
    values.update(
        usage=longest([relay.USAGE[action][language] for action in relay.USAGE]),
        reason=longest([t.word(t.REASONS, key, language, **t.PLACEHOLDER_MAX, step="sur place") for key in t.REASONS]),
        what=longest(
            [
                t.word(
                    t.DONE,
                    key,
                    language,
                    count="99",
                    category=longest([category_word(c, language) for c in CATEGORY_WORDS]),
                    severity=longest([t.word(t.SEVERITY_WORDS, s, language) for s in t.SEVERITY_WORDS]),
                )
                for key in t.DONE
            ]
        ),
        help="AIDE GRAVITE",
        step=longest([t.word(t.STEP_WORDS, s, language) for s in t.STEP_WORDS]),
        force=longest([t.word(t.FORCE_WORDS, f, language) for f in t.FORCE_WORDS]),
        # Built to fit by the code that fills them (tested below): at least one item / part.
        items="99 " + "W" * t.NAME_MAX_CHARS + " (FAMA) " + t.text("forward_more", language, count="99"),
        text=longest(relay.read_parts("WWWWWWWW", "mot " * 200)),
    )
    return values


CASES = [(key, language) for key in t.T for language in t.LANGUAGES]


@pytest.mark.parametrize("key, language", CASES)
def test_every_member_sms_fits_one_segment_at_its_longest(key, language):
    template = t.T[key][language]
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    values = longest_values(language)
    body = t.text(key, language, **{name: values[name] for name in fields})

    assert is_gsm7(body), (key, language, [c for c in body if not is_gsm7(c)])
    assert segment_count(body) == 1, (key, language, gsm7_length(body))


def test_every_text_exists_in_every_language():
    for table in (t.T, t.DONE, t.SEVERITY_WORDS, t.FORCE_WORDS, t.STEP_WORDS, t.REASONS, relay.USAGE):
        assert all(set(entry) == set(t.LANGUAGES) for entry in table.values())
    assert t.NEEDS_NATIVE_REVIEW == {"bm"}


def test_accents_gsm7_has_are_kept_and_the_others_transliterated():
    assert t.text("not_found", "fr", ref="K7M2") == "Veille R-K7M2: introuvable pour vous."
    assert "été modifié" in t.text("not_understood", "fr")
    assert t.word(t.DONE, "close", "fr") == "cloturé"  # ô is not GSM-7, é is
    assert t.word(t.REASONS, "un signalement ne peut être lié à lui-même", "fr") == "deux fois le meme signalement"


def test_the_read_parts_fit_one_segment_and_lose_no_word():
    text = "Des hommes armés sont arrivés au marché de Boni vers midi. " * 8 + "x" * 300
    parts = relay.read_parts("WWWWWWWW", text)

    assert len(parts) > 3
    for number, part in enumerate(parts, start=1):
        body = t.text("read_part", "fr", ref="WWWWWWWW", part=str(number), parts=str(len(parts)), text=part)
        assert is_gsm7(body) and gsm7_length(body) <= SINGLE_SEGMENT_GSM7
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")
