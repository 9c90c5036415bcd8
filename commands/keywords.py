"""Every inbound SMS keyword, by role and language, in one place.

The router (``commands.router``) resolves the sender's role first, then reads the first
word(s) of the message against that role's table only: a keyword has one meaning within
a role (``tests/commands/test_keywords.py`` fails on any conflict, and on any two
keywords of a role that the typo tolerance below could confuse). The language of the
table a keyword was found in is the reply's language for residents; members are always
answered in their own language (the first of ``Member.languages``).

Keywords are written folded (lower case, no accents, punctuation as spaces), as
``places.normalize.fold`` leaves a message. Bambara keywords are drafts awaiting review
by native speakers, like every Bambara text of the project.
"""

from __future__ import annotations

from collections.abc import Iterator

LANGUAGES = ("fr", "en", "bm")
NEEDS_NATIVE_REVIEW = {"bm"}

# Roles as the router sees them (``focal_points.models.Role`` mapped in ``ROLE_OF``).
RESIDENT, RELAY, FOCAL_POINT, COORDINATOR = "resident", "relay", "focal_point", "coordinator"
ROLES = (RESIDENT, RELAY, FOCAL_POINT, COORDINATOR)
ROLE_OF = {
    "relay": RELAY,
    "focal_point": FOCAL_POINT,
    "commander": FOCAL_POINT,
    "coordinator": COORDINATOR,
    "national_coordinator": COORDINATOR,
    # Oversight, support and mediation members have no SMS commands: their phone is
    # read as a resident's, as before the router (they work on the web).
}

# Residents: any other text is a report. Keywords count only as the whole message
# (opt-out, opt-in, notify, yes/no) or as the first word before a short argument
# (status code, commune): "stop aux attaques a Boni" is a report. The displaced word is
# the first word of a report, which it marks ``reporter_displaced``. No typo tolerance
# for residents: a report misread as a command would be lost.
_RESIDENT: dict[str, dict[str, str]] = {
    "fr": {
        "statut": "status",
        "statu": "status",
        "statuts": "status",
        "etat": "status",
        "suivi": "status",
        "arret": "opt_out",
        "arreter": "opt_out",
        "arretez": "opt_out",
        "desinscrire": "opt_out",
        "demarrer": "opt_in",
        "reprendre": "opt_in",
        "prevenir": "notify",
        "prevenez moi": "notify",
        "abonner": "subscribe",
        "abonnement": "subscribe",
        "desabonner": "unsubscribe",
        "oui": "yes",
        "non": "no",
        "ok": "yes",
        # The reporter is displaced (issue 19): the first word of a report, never a command
        # (the message stays a report, whole). Singular only: "Déplacés arrivés à Sévaré"
        # speaks of others, so the plurals are no keyword.
        "deplace": "displaced",
        "deplacee": "displaced",
    },
    "en": {
        "status": "status",
        # Twilio's own opt-out words: the carrier blocks the number on them anyway.
        "stop": "opt_out",
        "stopall": "opt_out",
        "cancel": "opt_out",
        "end": "opt_out",
        "quit": "opt_out",
        "start": "opt_in",
        "unstop": "opt_in",
        "notify": "notify",
        "tell me": "notify",
        "subscribe": "subscribe",
        # With a commune: that commune's warnings; alone: everything (Twilio treats a
        # bare UNSUBSCRIBE as an opt-out, and so does the platform).
        "unsubscribe": "unsubscribe",
        "yes": "yes",
        "no": "no",
        "displaced": "displaced",
    },
    "bm": {
        "ladon": "status",
        "kunnafoni": "status",
        "a jo": "opt_out",
        "a damine": "opt_in",
        "a fo n ye": "notify",
        "sabonne": "subscribe",
        "awo": "yes",
        "o": "yes",
        "ayi": "no",
        # No Bambara word for "displaced" yet: it awaits a native speaker (DEPLACE works).
    },
}

# Relays: triage of the reports of their areas (``commands.relay``).
_RELAY: dict[str, dict[str, str]] = {
    "fr": {
        "aide": "help",
        "prendre": "claim",
        "liberer": "release",
        "verifie": "verify",
        "verifier": "verify",
        "inverifiable": "unverifiable",
        "resume": "summarise",
        "resumer": "summarise",
        "fermer": "close",
        "clore": "close",
        "cloturer": "close",
        "lire": "read",
        "cat": "classify",
        "categorie": "classify",
        "gravite": "severity",
        "force": "force",
        "transmettre": "forward",
        "question": "question",
        "meme": "link",
    },
    "en": {
        "help": "help",
        "take": "claim",
        "claim": "claim",
        "release": "release",
        "verified": "verify",
        "verify": "verify",
        "unverifiable": "unverifiable",
        "summary": "summarise",
        "close": "close",
        "read": "read",
        "category": "classify",
        "severity": "severity",
        "forward": "forward",
        "ask": "question",
        "same": "link",
    },
    "bm": {
        "deme": "help",
        "ta": "claim",
        "bila": "release",
        "seben": "summarise",
        "datugu": "close",
        "kalan": "read",
        "ci": "forward",
        "nyininka": "question",
    },
}

# Focal points (and unit commanders): answering alerts (``alerts.sms``). Multi-word
# keywords are also read without their space ("ENROUTE", "SURPLACE").
_FOCAL_POINT: dict[str, dict[str, str]] = {
    "fr": {
        "aide": "help",
        "ok": "acknowledged",
        "recu": "acknowledged",
        "en route": "en_route",
        "sur place": "on_site",
        "fin": "done",
        "termine": "done",
    },
    "en": {
        "help": "help",
        "okay": "acknowledged",
        "on my way": "en_route",
        "on site": "on_site",
        "arrived": "on_site",
        "done": "done",
        "end": "done",
    },
    "bm": {
        "deme": "help",
        "sira kan": "en_route",
        "se ra": "on_site",
        "banna": "done",
    },
}


def _union(*tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for table in tables:
        for language, words in table.items():
            merged[language].update(words)
    return merged


KEYWORDS: dict[str, dict[str, dict[str, str]]] = {
    RESIDENT: _RESIDENT,
    RELAY: _RELAY,
    FOCAL_POINT: _FOCAL_POINT,
    # Coordinators triage like relays and may also receive alerts (escalation).
    COORDINATOR: _union(_RELAY, _FOCAL_POINT),
}

# Actions of the focal-point table: their grammar is ``alerts.sms.parse_alert_command``.
ALERT_ACTIONS = {"acknowledged", "en_route", "on_site", "done"}
# Roles whose unknown messages are commands gone wrong ("not understood"), not reports.
STAFF_ROLES = {RELAY, FOCAL_POINT, COORDINATOR}
# A keyword of at least this many letters is still recognised with one typo (one letter
# wrong, missing, added, or two swapped). Shorter ones must be exact: "cat" and "ta" are
# one letter apart from too many words.
TYPO_MIN_LENGTH = 5


def entries(role: str) -> Iterator[tuple[str, str, str]]:
    """(keyword, action, language) for every keyword of a role."""
    for language, words in KEYWORDS[role].items():
        for word, action in words.items():
            yield word, action, language


def typo_tolerance(word: str, role: str) -> int:
    """Typos one keyword of the role forgives: none for residents (their free text is a
    report), one for long staff keywords."""
    if role not in STAFF_ROLES:
        return 0
    return 1 if len(word.replace(" ", "")) >= TYPO_MIN_LENGTH else 0


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and
    swaps of two neighbouring letters each cost one."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[len(a)][len(b)]


def lookup(role: str, word: str, *, tolerant: bool) -> tuple[str, str] | None:
    """(action, language) of ``word`` (folded, one keyword) in the role's table; with
    ``tolerant``, a word one typo away from exactly one action's keywords counts too."""
    exact = [(action, language) for keyword, action, language in entries(role) if keyword == word]
    if exact:
        return exact[0]
    if not tolerant or len(word) < TYPO_MIN_LENGTH - 1:
        return None
    near = {
        (action, language)
        for keyword, action, language in entries(role)
        if typo_tolerance(keyword, role) and edit_distance(word, keyword) <= typo_tolerance(keyword, role)
    }
    actions = {action for action, _ in near}
    if len(actions) != 1:
        return None
    return sorted(near, key=lambda item: LANGUAGES.index(item[1]))[0]
