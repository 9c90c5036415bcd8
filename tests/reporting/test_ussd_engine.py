"""The USSD menu engine on its own: P6 (every page of every list and every fixed screen
fits 182 GSM-7 characters in every language, "Choix invalide." included), every commune
reachable, input reading, and the texts' completeness."""

from __future__ import annotations

import itertools

import pytest

from places.models import Cercle, Commune, Region
from places.normalize import fold
from reporting.models import Category, OccurredPeriod, PeopleAffected
from reporting.texts import STATUS_WORDS
from reporting.ussd import texts
from reporting.ussd.engine import Engine, Screen, menu_number
from veille.gsm7 import USSD_SCREEN_LIMIT, gsm7_length, is_gsm7, to_gsm7

LANGUAGES = texts.LANGUAGES
NOT_IN_SMS = set("êôîçâëïûœÊÔÎÇÂ’‘“”«»–—…")


def assert_fits(screen: Screen | str) -> None:
    body = screen.text if isinstance(screen, Screen) else screen
    assert is_gsm7(body), body
    assert gsm7_length(body) <= USSD_SCREEN_LIMIT, (gsm7_length(body), body)


def walk_list(state: dict) -> list[tuple[str, str]]:
    """Every page of the list at ``state``, each as (screen, screen after a wrong input),
    paging with "9" as a resident would."""
    engine = Engine(state, sender_pseudonym="p1:test")
    more = texts.text("more", state["lang"])
    pages = []
    screen = engine.current().text
    while True:
        pages.append((screen, engine.answer("x").text))
        if more not in screen.split("\n"):
            return pages
        screen = engine.answer("9").text


def numbered(screen: str) -> list[str]:
    """The item labels of a list page (1 to 7; 8, 9 and 0 are navigation)."""
    return [line[2:] for line in screen.split("\n") if line[:1] in "1234567" and line[1:2] == " "]


def list_state(language: str, step: str, **data) -> dict:
    return {"lang": language, "step": step, "page": 0, "history": ["menu", "category"], "data": data}


# --- P6: every page of every list, in every language -----------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_fits_every_page_of_every_place_list_in_every_language(gazetteer, language):
    walked = walk_list(list_state(language, "category"))
    walked += walk_list(list_state(language, "region", category="armed_attack"))
    for region in Region.objects.all():
        walked += walk_list(list_state(language, "cercle", category="armed_attack", region=region.pk))
    for cercle in Cercle.objects.all():
        walked += walk_list(list_state(language, "commune", category="armed_attack", cercle=cercle.pk))

    assert len(walked) >= Commune.objects.count() // 7  # at most 7 communes a page
    for screen, after_wrong_input in walked:
        assert_fits(screen)
        assert_fits(after_wrong_input)
        assert after_wrong_input == texts.text("invalid", language) + "\n" + screen


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_reaches_every_region_cercle_and_commune(gazetteer, language):
    regions = [label for page, _ in walk_list(list_state(language, "region")) for label in numbered(page)]
    assert sorted(map(fold, regions)) == sorted(fold(to_gsm7(r.name)) for r in Region.objects.all())
    for cercle in Cercle.objects.all():
        shown = [
            label
            for page, _ in walk_list(list_state(language, "commune", cercle=cercle.pk))
            for label in numbered(page)
        ]
        expected = [to_gsm7(c.name)[:30] for c in Commune.objects.filter(cercle=cercle)]
        assert sorted(shown) == sorted(expected), cercle.name


def test_it_lists_categories_most_common_first_without_unclassified():
    assert texts.CATEGORY_ORDER == [
        "armed_attack",
        "robbery",
        "armed_presence",
        "explosive",
        "kidnapping",
        "threat",
        "gbv",
        "force_abuse",
        "intercommunity",
        "displacement",
        "other",
    ]
    assert set(texts.CATEGORY_ORDER) == set(Category.values) - {Category.UNCLASSIFIED}
    assert set(texts.WHEN_CHOICES) == set(OccurredPeriod.values)
    assert set(texts.PEOPLE_CHOICES) == set(PeopleAffected.values)


# --- P6: every fixed screen, with its longest values ----------------------------------------


def longest(table: dict[str, dict[str, str]], language: str) -> str:
    return max(table, key=lambda key: len(table[key][language]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_fits_the_summary_with_the_longest_names_in_every_language(gazetteer, language):
    communes = sorted(Commune.objects.select_related("cercle"), key=lambda c: -len(c.name) - len(c.cercle.name))[:10]
    cercles = sorted(Cercle.objects.all(), key=lambda c: -len(c.name))[:3]
    regions = sorted(Region.objects.all(), key=lambda r: -len(r.name))[:3]
    places = [{"commune": c.pk, "cercle": c.cercle_id} for c in communes]
    places += [{"cercle": c.pk, "region": c.region_id} for c in cercles] + [{"region": r.pk} for r in regions] + [{}]
    for place in places:
        state = list_state(
            language,
            "confirm",
            category=longest(texts.CATEGORY_LABELS, language),
            occurred=longest(texts.WHEN_SHORT, language),
            people=longest(texts.PEOPLE_SHORT, language),
            displaced=True,
            **place,
        )
        engine = Engine(state, sender_pseudonym="p1:test")
        assert_fits(engine.current())
        assert_fits(engine.answer("5"))  # wrong input on the summary: prefixed, still fits


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_fits_every_fixed_screen_in_every_language(language):
    longest_status = max((words[language] for words in STATUS_WORDS.values()), key=len)
    states = [
        {"step": "welcome"},
        {"step": "menu"},
        {"step": "when"},
        {"step": "people"},
        {"step": "displaced"},
        {"step": "ask_code"},
        {"step": "unknown_code"},
        {"step": "cancelled"},
        {"step": "code_locked"},
        {"step": "consent_thanks"},
        {"step": "done", "receipt": "W" * 10},
        {"step": "status", "code": "W" * 10, "status": longest_status},
        {"step": "consent", "code": "W" * 10, "status": longest_status},
    ]
    for extra in states:
        engine = Engine({"lang": language, **extra}, sender_pseudonym="p1:test")
        screen = engine.current()
        assert_fits(screen)
        assert_fits(texts.text("invalid", language) + "\n" + screen.text)
    for key in ("error", "closed_service"):
        assert_fits(texts.text(key, language))


def test_it_keeps_every_text_in_three_languages_and_plain_gsm7():
    assert texts.NEEDS_NATIVE_REVIEW == {"bm"}
    tables = [texts.T, texts.CATEGORY_LABELS, texts.WHEN_SHORT, texts.PEOPLE_SHORT]
    for key, by_language in itertools.chain.from_iterable(table.items() for table in tables):
        assert set(by_language) == set(LANGUAGES), key
        for language, value in by_language.items():
            shown = to_gsm7(value)  # what a phone gets: accents GSM-7 lacks transliterated
            assert is_gsm7(shown), (key, language)
            assert not NOT_IN_SMS & set(shown), (key, language)


# --- Reading inputs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, number",
    [
        ("1", 1),
        ("9", 9),
        ("0", 0),
        ("12", 12),
        ("", None),
        ("a", None),
        ("-1", None),
        ("1.0", None),
        ("²", None),
        ("٣", None),
        ("１", None),
        ("1234", None),
        ("7" * 5000, None),
    ],
)
def test_it_reads_only_plain_menu_numbers(typed, number):
    assert menu_number(typed) == number


def test_it_answers_the_last_screen_again_once_a_session_has_ended():
    engine = Engine({"lang": "en", "step": "cancelled"}, sender_pseudonym="p1:test")
    last = engine.current()

    assert last.end
    assert engine.answer("1") == last
    assert engine.answer("anything") == last


@pytest.mark.parametrize("language, start", [("fr", "Choix invalide.\nQuand ?"), ("en", "Invalid choice.\nWhen?")])
def test_it_reshows_a_fixed_screen_after_a_wrong_choice(language, start):
    engine = Engine({"lang": language, "step": "when"}, sender_pseudonym="p1:test")
    engine.current()

    assert engine.answer("7").text.startswith(start)
    assert engine.state["step"] == "when"
    assert not engine.answer("1").text.startswith(start)
    assert engine.state["data"]["occurred"] == "now"
