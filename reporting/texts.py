"""Every SMS the platform sends to a resident, in French, English and Bambara.

Each text must fit one GSM-7 segment (160 septets) once its placeholders are filled
with their longest values: ``tests/reporting/test_texts.py`` checks every one. Texts are
written in plain French: the accents GSM-7 has (é è à ù É) are kept, the others (ê ô î
ç, typographic quotes) transliterated by ``to_gsm7`` when a text is made, since one of
them would turn a one-segment SMS into three.

Bambara texts are drafts to be reviewed by native speakers (``NEEDS_NATIVE_REVIEW``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from reporting.models import ReportStatus
from veille.gsm7 import SINGLE_SEGMENT_GSM7, gsm7_length, to_gsm7

if TYPE_CHECKING:
    from focal_points.models import Member
    from reporting.models import Report

NEEDS_NATIVE_REVIEW = {"bm"}
LANGUAGES = ("fr", "en", "bm")

SMS_TEXTS: dict[str, dict[str, str]] = {
    "receipt": {
        "fr": "Veille: message reçu. Code de suivi: {code}. Pour suivre, envoyez STATUT {code}",
        "en": "Veille: message received. Tracking code: {code}. To follow it, send STATUS {code}",
        "bm": "Veille: i ka cikan sera. I ka kode: {code}. Ka a ladon, STATUT {code} ci",
    },
    "ask_place": {
        "fr": (
            "Veille: merci. Dans quelle commune ou quel village cela s'est-il passé? Répondez avec le nom "
            "du lieu. Déplacé(e)? Ajoutez DEPLACE."
        ),
        "en": (
            "Veille: thank you. In which commune or village did it happen? Reply with the name of the place. "
            "Displaced? Add DISPLACED."
        ),
        "bm": "Veille: i ni ce. A kera komini walima dugu jumen na? Yoro togo ci an ma.",
    },
    "status": {
        "fr": "Veille: signalement {code}: {status}.",
        "en": "Veille: report {code}: {status}.",
        "bm": "Veille: kibaru {code}: {status}.",
    },
    "consent_question": {
        "fr": (
            "Veille: voulez-vous être mise en contact avec un centre d'appui (santé, écoute, droit)? "
            "Répondez OUI ou NON."
        ),
        "en": (
            "Veille: would you like to be put in touch with a support centre (health, counselling, legal)? "
            "Reply YES or NO."
        ),
        "bm": "Veille: i b'a fe ka i ni deme so ye bena wa (keneya, lamenni, sariya)? AWO walima AYI ci.",
    },
    "consent_thanks": {
        "fr": "Veille: merci, votre réponse est enregistrée.",
        "en": "Veille: thank you, your answer is recorded.",
        "bm": "Veille: i ni ce, i ka jaabi sebenna.",
    },
    "notify_ok": {
        "fr": "Veille: vous serez prévenu quand votre signalement sera clôturé.",
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
        "fr": "Veille: votre signalement a été traité et clôturé. Merci de votre confiance.",
        "en": "Veille: your report has been handled and closed. Thank you for your trust.",
        "bm": "Veille: i ka kibaru laben na ka datugu. I ni ce i ka dannaya la.",
    },
    "status_latest": {
        "fr": "Veille: votre dernier signalement: {status}.",
        "en": "Veille: your latest report: {status}.",
        "bm": "Veille: i ka kibaru laban: {status}.",
    },
    "status_unknown": {
        "fr": "Veille: code inconnu. Vérifiez le code et envoyez STATUT suivi du code.",
        "en": "Veille: unknown code. Check the code and send STATUS followed by the code.",
        "bm": "Veille: kode in ma don. A laje ka STATUT ni kode ci.",
    },
    "opted_out": {
        "fr": "Veille: vous ne recevrez plus de messages. Envoyez START pour reprendre.",
        "en": "Veille: you will receive no more messages. Send START to resume.",
        "bm": "Veille: cikan si te na i ma tugun. START ci ka a damine kura.",
    },
    "opted_in": {
        "fr": "Veille: messages repris. Envoyez STOP pour arrêter.",
        "en": "Veille: messages resumed. Send STOP to stop.",
        "bm": "Veille: cikanw segin na. STOP ci ka a jo.",
    },
}

# Texts to relays and coordinators: reference, category and place, never the reporter's
# words or number (a seized phone must reveal nothing more).
STAFF_TEXTS: dict[str, dict[str, str]] = {
    "new_report": {
        "fr": "Veille R-{ref}: {category}, {place}. À traiter.",
        "en": "Veille R-{ref}: {category}, {place}. To be handled.",
        "bm": "Veille R-{ref}: {category}, {place}. A laje.",
    },
    # The reporter added information (web status page or USSD follow-up): never her words.
    "report_added": {
        "fr": "Veille R-{ref}: l'auteur a ajouté une information. À lire.",
        "en": "Veille R-{ref}: the reporter added information. To be read.",
        "bm": "Veille R-{ref}: kibaru cikela ye kunnafoni fara a kan. A kalan.",
    },
    # To the relay who forwarded an alert that could not be delivered.
    "alert_failed": {
        "fr": "Veille R-{ref}: alerte NON remise à {name}. Transmettez à un autre point focal (TRANSMETTRE {ref}).",
        "en": "Veille R-{ref}: alert NOT delivered to {name}. Forward to another focal point (FORWARD {ref}).",
        "bm": "Veille R-{ref}: kunnafoni MA SE {name} ma. A ci poen focal wɛrɛ ma (CI {ref}).",
    },
}

CATEGORY_WORDS: dict[str, dict[str, str]] = {
    "armed_attack": {"fr": "attaque", "en": "attack", "bm": "binkanni"},
    "robbery": {"fr": "vol", "en": "robbery", "bm": "sonyali"},
    "threat": {"fr": "menace", "en": "threat", "bm": "bagabaga"},
    "armed_presence": {"fr": "groupe armé", "en": "armed group", "bm": "marifatigiw"},
    "explosive": {"fr": "engin explosif", "en": "explosive", "bm": "bonbon"},
    "kidnapping": {"fr": "enlèvement", "en": "kidnapping", "bm": "mogo minena"},
    "gbv": {"fr": "VBG", "en": "GBV", "bm": "VBG"},
    "force_abuse": {"fr": "abus", "en": "abuse", "bm": "tooro"},
    "intercommunity": {"fr": "tension", "en": "tension", "bm": "kele"},
    "displacement": {"fr": "déplacement", "en": "displacement", "bm": "bori"},
    "other": {"fr": "autre", "en": "other", "bm": "were"},
    "unclassified": {"fr": "à classer", "en": "unclassified", "bm": "a ma sigi"},
}
PLACE_MAX_CHARS = 40


def staff_text(key: str, language: str, **params: str) -> str:
    texts = STAFF_TEXTS[key]
    return to_gsm7(texts.get(language, texts["fr"]).format(**params))


def category_word(category: str, language: str) -> str:
    words = CATEGORY_WORDS.get(category, CATEGORY_WORDS["other"])
    return to_gsm7(words.get(language, words["fr"]))


def member_language(member: Member) -> str:
    """A member's SMS language: the first of their languages (``Member.languages``, set
    by the CSV import and the admin) that the platform writes, else French."""
    return next((code for code in member.language_list if code in LANGUAGES), "fr")


# The alert SMS to a focal point (``alerts.texts.alert_sms``). It lives here because it
# sets the one limit of the neutral summary, which triage enforces before any alert
# exists: the summary may use what the alert's one segment leaves, never more.
ALERT_TEXTS: dict[str, str] = {
    "fr": "Veille R-{ref} {severity}: {category}, {place}. {summary} Répondez OK {ref}",
    "en": "Veille R-{ref} {severity}: {category}, {place}. {summary} Reply OK {ref}",
    "bm": "Veille R-{ref} {severity}: {category}, {place}. {summary} OK {ref} ci",
}
ALERT_SEVERITY_WORDS: dict[str, dict[str, str]] = {
    "critical": {"fr": "URGENT", "en": "URGENT", "bm": "TELIMAN"},
    "high": {"fr": "grave", "en": "serious", "bm": "ka jugu"},
    "medium": {"fr": "moyen", "en": "medium", "bm": "cemance"},
    "low": {"fr": "faible", "en": "low", "bm": "fitinin"},
}
SUMMARY_MAX_CHARS = 300  # whatever the alert leaves, the web form never takes more


def alert_place(place: str) -> str:
    return to_gsm7(place)[:PLACE_MAX_CHARS]


def alert_text(*, language: str, reference: str, severity: str, category: str, place: str, summary: str) -> str:
    template = ALERT_TEXTS.get(language, ALERT_TEXTS["fr"])
    words = ALERT_SEVERITY_WORDS.get(severity, {})
    return to_gsm7(
        template.format(
            ref=reference,
            severity=words.get(language, words.get("fr", severity)),
            category=category_word(category, language),
            place=alert_place(place),
            summary=to_gsm7(" ".join(summary.split())),
        )
    )


def alert_frame(*, language: str, reference: str, severity: str, category: str, place: str) -> str:
    """The alert SMS with an empty summary: the summary adds exactly its own septets."""
    return alert_text(
        language=language, reference=reference, severity=severity, category=category, place=place, summary=""
    )


def alert_summary_limit(report: Report) -> int:
    """Septets the neutral summary may use so that the alert SMS stays one segment, in
    every focal point's language, at any severity and category (both may still change
    after the summary), for this report's reference and place (the longest place when
    it is not known yet)."""
    place = report.place_label or "W" * PLACE_MAX_CHARS
    frames = [
        gsm7_length(
            alert_frame(
                language=language, reference=report.reference, severity=severity, category=category, place=place
            )
        )
        for language in LANGUAGES
        for severity in ALERT_SEVERITY_WORDS
        for category in CATEGORY_WORDS
    ]
    return max(0, min(SUMMARY_MAX_CHARS, SINGLE_SEGMENT_GSM7 - max(frames)))


STATUS_WORDS: dict[str, dict[str, str]] = {
    ReportStatus.RECEIVED: {"fr": "reçu", "en": "received", "bm": "a sera"},
    ReportStatus.IN_REVIEW: {"fr": "en vérification", "en": "being checked", "bm": "a be segesege"},
    ReportStatus.FORWARDED: {"fr": "transmis", "en": "passed on", "bm": "a cira"},
    ReportStatus.CLOSED: {"fr": "clôturé", "en": "closed", "bm": "a datugura"},
}

# Longest value each placeholder can take, used by the segment-length tests.
PLACEHOLDER_MAX = {
    "code": "W" * 10,  # codes.RECEIPT_LENGTH
    "ref": "W" * 8,
    "status": max((w for d in STATUS_WORDS.values() for w in d.values()), key=len),
    "category": max((w for d in CATEGORY_WORDS.values() for w in d.values()), key=len),
    "place": "W" * PLACE_MAX_CHARS,
    "name": "W" * PLACE_MAX_CHARS,
}


def sms_text(key: str, language: str, **params: str) -> str:
    texts = SMS_TEXTS[key]
    return to_gsm7(texts.get(language, texts["fr"]).format(**params))


def status_word(status: str, language: str) -> str:
    words = STATUS_WORDS[status]
    return to_gsm7(words.get(language, words["fr"]))


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
