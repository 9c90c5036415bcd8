"""P6: every SMS a resident can receive fits one GSM-7 segment, in every language."""

from __future__ import annotations

import string

import pytest

from reporting.texts import (
    CATEGORY_WORDS,
    LANGUAGES,
    PLACEHOLDER_MAX,
    SMS_TEXTS,
    STAFF_TEXTS,
    STATUS_WORDS,
    guess_language,
    sms_text,
    staff_text,
    status_word,
)
from veille.gsm7 import is_gsm7, segment_count

CASES = [(key, lang) for key in SMS_TEXTS for lang in LANGUAGES]


@pytest.mark.parametrize("key, language", CASES)
def test_it_fits_one_gsm7_segment_with_its_longest_values(key, language):
    template = SMS_TEXTS[key][language]
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    text = sms_text(key, language, **{name: PLACEHOLDER_MAX[name] for name in fields})

    assert is_gsm7(text), f"{key}/{language} has a character outside GSM-7"
    assert segment_count(text) == 1, f"{key}/{language} is {len(text)} characters"


@pytest.mark.parametrize("status", list(STATUS_WORDS))
def test_every_status_word_is_gsm7_in_every_language(status):
    assert all(is_gsm7(status_word(status, lang)) for lang in LANGUAGES)


def test_every_text_exists_in_every_language():
    assert all(set(texts) == set(LANGUAGES) for texts in [*SMS_TEXTS.values(), *STAFF_TEXTS.values()])
    assert all(set(words) == set(LANGUAGES) for words in CATEGORY_WORDS.values())


@pytest.mark.parametrize("key, language", [(key, lang) for key in STAFF_TEXTS for lang in LANGUAGES])
def test_staff_notices_fit_one_segment_with_their_longest_values(key, language):
    template = STAFF_TEXTS[key][language]
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    text = staff_text(key, language, **{name: PLACEHOLDER_MAX[name] for name in fields})

    assert is_gsm7(text)
    assert segment_count(text) == 1


@pytest.mark.parametrize(
    "text, language",
    [
        ("attaque au marche de boni, 3 blesses", "fr"),
        ("armed men attacked the village, people killed", "en"),
        ("mɔgɔ caman bɛ dugu kɔnɔ ka u ni marifa", "bm"),
        ("", "fr"),
    ],
)
def test_it_guesses_the_language_of_the_reply(text, language):
    assert guess_language(text) == language
