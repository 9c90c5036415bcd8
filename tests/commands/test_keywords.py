"""One keyword table per role and language: within a role a keyword has one meaning,
and no two keywords of different meanings are within the typo tolerance of each other."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from commands import keywords as kw
from commands.relay import parse
from commands.router import parse_alert_command, parse_resident


@pytest.mark.parametrize("role", kw.ROLES)
def test_every_role_has_a_table_in_every_language(role):
    assert set(kw.KEYWORDS[role]) == set(kw.LANGUAGES)
    assert all(kw.KEYWORDS[role][language] for language in kw.LANGUAGES)


@pytest.mark.parametrize("role", kw.ROLES)
def test_within_a_role_a_keyword_has_one_meaning(role):
    meanings: dict[str, set[str]] = defaultdict(set)
    for word, action, _ in kw.entries(role):
        meanings[word].add(action)
    conflicts = {word: actions for word, actions in meanings.items() if len(actions) > 1}
    assert conflicts == {}


@pytest.mark.parametrize("role", kw.ROLES)
def test_no_typo_can_be_read_as_two_keywords_of_a_role(role):
    """Two keywords whose distance is within both tolerances added up could both be one
    typo away from the same word: the router could not tell which was meant."""
    confusable = [
        (a, b)
        for (a, action_a, _), (b, action_b, _) in itertools.combinations(kw.entries(role), 2)
        if action_a != action_b
        and kw.edit_distance(a.replace(" ", ""), b.replace(" ", ""))
        <= kw.typo_tolerance(a, role) + kw.typo_tolerance(b, role)
    ]
    assert confusable == []


def test_the_conflict_test_would_catch_the_old_overlaps():
    """Before the router, "ok" meant consent and acknowledgement, "end" opt-out and done:
    the same test over a merged table finds them."""
    merged = defaultdict(set)
    for role in (kw.RESIDENT, kw.FOCAL_POINT):
        for word, action, _ in kw.entries(role):
            merged[word].add(action)
    assert merged["ok"] == {"yes", "acknowledged"}
    assert merged["end"] == {"opt_out", "done"}


def test_the_confusability_test_would_catch_ask_and_ack():
    assert kw.edit_distance("ask", "ack") == 1
    assert kw.edit_distance("prendre", "prnedre") == 1  # a swap is one typo
    assert kw.edit_distance("transmettre", "transmetre") == 1


# --- the same words read per role ----------------------------------------------------

RELAY_TABLE = [
    ("PRENDRE K7M2", "claim", "K7M2", ""),
    ("prnedre K7M2", "claim", "K7M2", ""),  # one typo in a long keyword
    ("Transmetre R-K7M2 1 3", "forward", "K7M2", "1 3"),
    ("LIRE K7M2 2", "read", "K7M2", "2"),
    ("read r k7m2", "read", "K7M2", ""),
    ("CAT K7M2 att", "classify", "K7M2", "att"),
    ("Gravité K7M2 4", "severity", "K7M2", "4"),
    ("FORCE K7M2 POL", "force", "K7M2", "POL"),
    ("QUESTION K7M2 Combien de blessés ? 1 aucun 2 plus", "question", "K7M2", "Combien de blessés ? 1 aucun 2 plus"),
    ("Même K7M2 X9P4", "link", "K7M2", "X9P4"),
    ("fermer K7M2 doublon", "close", "K7M2", "doublon"),
    ("seben K7M2 Attaque", "summarise", "K7M2", "Attaque"),
]


@pytest.mark.parametrize("body, action, reference, rest", RELAY_TABLE)
def test_a_relays_words(body, action, reference, rest):
    command = parse(body, kw.RELAY)
    assert (command.action, command.reference, command.rest) == (action, reference, rest)


@pytest.mark.parametrize("body", ["CT K7M2 att", "lir K7M2", "bonjour", "ok K7M2", "fin K7M2", ""])
def test_what_is_no_relay_command(body):
    """Short keywords are exact ("CT" is no "CAT"), and alert answers are not a relay's."""
    assert parse(body, kw.RELAY) is None


def test_help_topics():
    assert parse("AIDE CAT", kw.RELAY).topic == "classify"
    assert parse("help read", kw.RELAY).topic == "read"
    assert parse("?", kw.RELAY).action == "help"


@pytest.mark.parametrize(
    "body, kind, language",
    [
        ("ok", "yes", "fr"),
        ("end", "opt_out", "en"),
        ("END", "opt_out", "en"),
        ("unsubscribe", "opt_out", "en"),
        ("UNSUBSCRIBE boni", "unsubscribe", "en"),
        ("desabonner Boni", "unsubscribe", "fr"),
        ("ok merci je suis a Boni", "report", "fr"),
        ("prendre la route est dangereux", "report", "fr"),
        ("statut", "status", "fr"),
        ("statt K7M2QX", "report", "fr"),  # no typo tolerance for residents
    ],
)
def test_a_residents_words(body, kind, language):
    command = parse_resident(body)
    assert (command.kind, command.language) == (kind, language)


def test_a_focal_points_end_and_ok_mean_the_alert():
    assert parse_alert_command("END K7M4").step == "done"
    assert parse_alert_command("ok").step == "acknowledged"
    assert parse_alert_command("termin K7M4", tolerant=True).step == "done"
    assert parse_alert_command("termin K7M4") is None
