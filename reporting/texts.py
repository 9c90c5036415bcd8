"""Every SMS the platform sends to a resident, in French, English and Bambara.

Each text must fit one GSM-7 segment (160 septets) once its placeholders are filled
with their longest values: ``tests/reporting/test_texts.py`` checks every one. Texts are
written in plain French: the accents GSM-7 has (é è à ù É) are kept, the others (ê ô î
ç, typographic quotes) transliterated by ``to_gsm7`` when a text is made, since one of
them would turn a one-segment SMS into three.

The French is here, as gettext msgids keyed by msgctxt (``sms.receipt``); the other
languages' texts are in ``locale/<code>/LC_MESSAGES/django.po`` (``veille/catalogue.py``).
Texts of languages awaiting native review (Bambara) are marked there, one comment per
entry (``NEEDS_NATIVE_REVIEW``, from ``locale/<code>/language.toml``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from veille.catalogue import TextTable, pgettext_lazy, register
from veille.gsm7 import SINGLE_SEGMENT_GSM7, gsm7_length, to_gsm7
from veille.languages import LANGUAGES, NEEDS_NATIVE_REVIEW  # noqa: F401 (the languages of these texts)

if TYPE_CHECKING:
    from focal_points.models import Member
    from reporting.models import Report


SMS_TEXTS = TextTable(
    "sms",
    {
        "receipt": pgettext_lazy(
            "sms.receipt",
            "Veille: message reçu. Code de suivi: {code}. Pour suivre, envoyez STATUT {code}",
        ),
        "ask_place": pgettext_lazy(
            "sms.ask_place",
            "Veille: merci. Dans quelle commune ou quel village cela s'est-il passé? Répondez "
            "avec le nom du lieu. Déplacé(e)? Ajoutez DEPLACE.",
        ),
        "status": pgettext_lazy("sms.status", "Veille: signalement {code}: {status}."),
        "consent_question": pgettext_lazy(
            "sms.consent_question",
            "Veille: voulez-vous être mise en contact avec un centre d'appui (santé, écoute, "
            "droit)? Répondez OUI ou NON.",
        ),
        "consent_thanks": pgettext_lazy("sms.consent_thanks", "Veille: merci, votre réponse est enregistrée."),
        "notify_ok": pgettext_lazy("sms.notify_ok", "Veille: vous serez prévenu quand votre signalement sera clôturé."),
        "notify_never": pgettext_lazy(
            "sms.notify_never",
            "Veille: ce service n'envoie aucun message sans demande. Pour connaitre l'etat de "
            "votre signalement, envoyez STATUT.",
        ),
        "closed_notice": pgettext_lazy(
            "sms.closed_notice",
            "Veille: votre signalement a été traité et clôturé. Merci de votre confiance.",
        ),
        "status_latest": pgettext_lazy("sms.status_latest", "Veille: votre dernier signalement: {status}."),
        "status_unknown": pgettext_lazy(
            "sms.status_unknown",
            "Veille: code inconnu. Vérifiez le code et envoyez STATUT suivi du code.",
        ),
        "opted_out": pgettext_lazy(
            "sms.opted_out",
            "Veille: vous ne recevrez plus de messages. Envoyez START pour reprendre.",
        ),
        "opted_in": pgettext_lazy("sms.opted_in", "Veille: messages repris. Envoyez STOP pour arrêter."),
    },
)

# Texts to relays and coordinators: reference, category and place, never the reporter's
# words or number (a seized phone must reveal nothing more).
STAFF_TEXTS = TextTable(
    "staff",
    {
        "new_report": pgettext_lazy("staff.new_report", "Veille R-{ref}: {category}, {place}. À traiter."),
        # The reporter added information (web status page or USSD follow-up): never her words.
        "report_added": pgettext_lazy(
            "staff.report_added",
            "Veille R-{ref}: l'auteur a ajouté une information. À lire.",
        ),
        # To the relay who forwarded an alert that could not be delivered.
        "alert_failed": pgettext_lazy(
            "staff.alert_failed",
            "Veille R-{ref}: alerte NON remise à {name}. Transmettez à un autre point focal (TRANSMETTRE {ref}).",
        ),
    },
)

CATEGORY_WORDS = TextTable(
    "category",
    {
        "armed_attack": pgettext_lazy("category.armed_attack", "attaque"),
        "robbery": pgettext_lazy("category.robbery", "vol"),
        "threat": pgettext_lazy("category.threat", "menace"),
        "armed_presence": pgettext_lazy("category.armed_presence", "groupe armé"),
        "explosive": pgettext_lazy("category.explosive", "engin explosif"),
        "kidnapping": pgettext_lazy("category.kidnapping", "enlèvement"),
        "gbv": pgettext_lazy("category.gbv", "VBG"),
        "force_abuse": pgettext_lazy("category.force_abuse", "abus"),
        "intercommunity": pgettext_lazy("category.intercommunity", "tension"),
        "displacement": pgettext_lazy("category.displacement", "déplacement"),
        "other": pgettext_lazy("category.other", "autre"),
        "unclassified": pgettext_lazy("category.unclassified", "à classer"),
    },
)
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
ALERT_TEXTS = register(
    pgettext_lazy("alert.sms", "Veille R-{ref} {severity}: {category}, {place}. {summary} Répondez OK {ref}")
)
ALERT_SEVERITY_WORDS = TextTable(
    "alert.severity",
    {
        "critical": pgettext_lazy("alert.severity.critical", "URGENT"),
        "high": pgettext_lazy("alert.severity.high", "grave"),
        "medium": pgettext_lazy("alert.severity.medium", "moyen"),
        "low": pgettext_lazy("alert.severity.low", "faible"),
    },
)
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


STATUS_WORDS = TextTable(
    "status",
    {
        "received": pgettext_lazy("status.received", "reçu"),
        "in_review": pgettext_lazy("status.in_review", "en vérification"),
        "forwarded": pgettext_lazy("status.forwarded", "transmis"),
        "closed": pgettext_lazy("status.closed", "clôturé"),
    },
)

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
