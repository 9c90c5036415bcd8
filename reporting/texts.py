"""Every SMS the platform sends to a resident, in French, English and Bambara.

Each text must fit one GSM-7 segment (160 characters) once its placeholders are filled
with their longest values: ``tests/reporting/test_texts.py`` checks every one. No ê, ô,
ç, î or typographic quotes: one of them turns a one-segment SMS into three.

Bambara texts are drafts to be reviewed by native speakers (``NEEDS_NATIVE_REVIEW``).
"""

from __future__ import annotations

import re

from reporting.models import ReportStatus

NEEDS_NATIVE_REVIEW = {"bm"}
LANGUAGES = ("fr", "en", "bm")

SMS_TEXTS: dict[str, dict[str, str]] = {
    "receipt": {
        "fr": "Veille: message recu. Code de suivi: {code}. Pour suivre, envoyez STATUT {code}",
        "en": "Veille: message received. Tracking code: {code}. To follow it, send STATUS {code}",
        "bm": "Veille: i ka cikan sera. I ka kode: {code}. Ka a ladon, STATUT {code} ci",
    },
    "ask_place": {
        "fr": "Veille: merci. Dans quelle commune ou quel village? Repondez avec le nom du lieu.",
        "en": "Veille: thank you. In which commune or village? Reply with the name of the place.",
        "bm": "Veille: i ni ce. A kera komini walima dugu jumen na? Yoro togo ci an ma.",
    },
    "status": {
        "fr": "Veille: signalement {code}: {status}.",
        "en": "Veille: report {code}: {status}.",
        "bm": "Veille: kibaru {code}: {status}.",
    },
    "consent_question": {
        "fr": (
            "Veille: voulez-vous etre mise en contact avec un centre d'appui (sante, ecoute, droit)? "
            "Repondez OUI ou NON."
        ),
        "en": (
            "Veille: would you like to be put in touch with a support centre (health, counselling, legal)? "
            "Reply YES or NO."
        ),
        "bm": "Veille: i b'a fe ka i ni deme so ye bena wa (keneya, lamenni, sariya)? AWO walima AYI ci.",
    },
    "consent_thanks": {
        "fr": "Veille: merci, votre reponse est enregistree.",
        "en": "Veille: thank you, your answer is recorded.",
        "bm": "Veille: i ni ce, i ka jaabi sebenna.",
    },
    "notify_ok": {
        "fr": "Veille: vous serez prevenu quand votre signalement sera cloture.",
        "en": "Veille: you will be told when your report is closed.",
        "bm": "Veille: n'i ka kibaru datugura, an bena a fo i ye.",
    },
    "notify_never": {
        "fr": (
            "Veille: ce service n'envoie aucun message sans demande. "
            "Pour connaitre l'etat de votre signalement, envoyez STATUT."
        ),
        "en": "Veille: this service sends no message unless asked. To know where your report stands, send STATUS.",
        "bm": "Veille: an te cikan ci i ma ni i ma a daali. Ka i ka kibaru ladon, STATUT ci.",
    },
    "closed_notice": {
        "fr": "Veille: votre signalement a ete traite et cloture. Merci de votre confiance.",
        "en": "Veille: your report has been handled and closed. Thank you for your trust.",
        "bm": "Veille: i ka kibaru laben na ka datugu. I ni ce i ka dannaya la.",
    },
    "status_latest": {
        "fr": "Veille: votre dernier signalement: {status}.",
        "en": "Veille: your latest report: {status}.",
        "bm": "Veille: i ka kibaru laban: {status}.",
    },
    "status_unknown": {
        "fr": "Veille: code inconnu. Verifiez le code et envoyez STATUT suivi du code.",
        "en": "Veille: unknown code. Check the code and send STATUS followed by the code.",
        "bm": "Veille: kode in ma don. A laje ka STATUT ni kode ci.",
    },
    "opted_out": {
        "fr": "Veille: vous ne recevrez plus de messages. Envoyez START pour reprendre.",
        "en": "Veille: you will receive no more messages. Send START to resume.",
        "bm": "Veille: cikan si te na i ma tugun. START ci ka a damine kura.",
    },
    "opted_in": {
        "fr": "Veille: messages repris. Envoyez STOP pour arreter.",
        "en": "Veille: messages resumed. Send STOP to stop.",
        "bm": "Veille: cikanw segin na. STOP ci ka a jo.",
    },
}

# Texts to relays and coordinators: reference, category and place, never the reporter's
# words or number (a seized phone must reveal nothing more).
STAFF_TEXTS: dict[str, dict[str, str]] = {
    "new_report": {
        "fr": "Veille R-{ref}: {category}, {place}. A traiter.",
        "en": "Veille R-{ref}: {category}, {place}. To be handled.",
        "bm": "Veille R-{ref}: {category}, {place}. A laje.",
    },
}

CATEGORY_WORDS: dict[str, dict[str, str]] = {
    "armed_attack": {"fr": "attaque", "en": "attack", "bm": "binkanni"},
    "robbery": {"fr": "vol", "en": "robbery", "bm": "sonyali"},
    "threat": {"fr": "menace", "en": "threat", "bm": "bagabaga"},
    "armed_presence": {"fr": "groupe arme", "en": "armed group", "bm": "marifatigiw"},
    "explosive": {"fr": "engin explosif", "en": "explosive", "bm": "bonbon"},
    "kidnapping": {"fr": "enlevement", "en": "kidnapping", "bm": "mogo minena"},
    "gbv": {"fr": "VBG", "en": "GBV", "bm": "VBG"},
    "force_abuse": {"fr": "abus", "en": "abuse", "bm": "tooro"},
    "intercommunity": {"fr": "tension", "en": "tension", "bm": "kele"},
    "displacement": {"fr": "deplacement", "en": "displacement", "bm": "bori"},
    "other": {"fr": "autre", "en": "other", "bm": "were"},
    "unclassified": {"fr": "a classer", "en": "unclassified", "bm": "a ma sigi"},
}
PLACE_MAX_CHARS = 40


def staff_text(key: str, language: str, **params: str) -> str:
    texts = STAFF_TEXTS[key]
    return texts.get(language, texts["fr"]).format(**params)


def category_word(category: str, language: str) -> str:
    words = CATEGORY_WORDS.get(category, CATEGORY_WORDS["other"])
    return words.get(language, words["fr"])


STATUS_WORDS: dict[str, dict[str, str]] = {
    ReportStatus.RECEIVED: {"fr": "recu", "en": "received", "bm": "a sera"},
    ReportStatus.IN_REVIEW: {"fr": "en verification", "en": "being checked", "bm": "a be segesege"},
    ReportStatus.FORWARDED: {"fr": "transmis", "en": "passed on", "bm": "a cira"},
    ReportStatus.CLOSED: {"fr": "cloture", "en": "closed", "bm": "a datugura"},
}

# Longest value each placeholder can take, used by the segment-length tests.
PLACEHOLDER_MAX = {
    "code": "W" * 10,  # codes.RECEIPT_LENGTH
    "ref": "W" * 8,
    "status": max((w for d in STATUS_WORDS.values() for w in d.values()), key=len),
    "category": max((w for d in CATEGORY_WORDS.values() for w in d.values()), key=len),
    "place": "W" * PLACE_MAX_CHARS,
}


def sms_text(key: str, language: str, **params: str) -> str:
    texts = SMS_TEXTS[key]
    return texts.get(language, texts["fr"]).format(**params)


def status_word(status: str, language: str) -> str:
    words = STATUS_WORDS[status]
    return words.get(language, words["fr"])


_WORD = re.compile(r"[a-zɛɔɲŋ']+")
_MARKERS = {
    "en": {"the", "attack", "help", "people", "killed", "there", "were", "please", "village", "armed", "men", "road"},
    "bm": {
        "ani",
        "ye",
        "don",
        "bɛ",
        "be",
        "tɔ",
        "mɔgɔ",
        "mogo",
        "sogoma",
        "dugu",
        "kɛ",
        "ke",
        "ka",
        "u",
        "ni",
        "tun",
        "bɔ",
    },
}


def guess_language(text: str) -> str:
    """French unless the words say English or Bambara clearly: the reply's language."""
    words = _WORD.findall((text or "").lower())
    if not words:
        return "fr"
    scores = {lang: sum(1 for w in words if w in markers) for lang, markers in _MARKERS.items()}
    lang, score = max(scores.items(), key=lambda item: item[1])
    return lang if score >= 2 else "fr"
