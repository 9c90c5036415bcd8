"""Every USSD screen text, in French here and in every declared language's catalogue.

Written in plain French; ``text`` keeps the accents GSM-7 has (é è à ù É) and
transliterates the others (ê ô î ç would push the screen to UCS-2 and halve it). Short,
numbered choices; every screen is checked against 182 septets in every language by
``tests/reporting/test_ussd.py``. The French is here, as gettext msgids keyed by msgctxt
(``ussd.menu``); the other languages' texts are in ``locale/<code>/LC_MESSAGES/django.po``
(``veille/catalogue.py``; Bambara's are drafts marked for native review). The first
screen lists the declared languages (``VEILLE_LANGUAGES``), each in its own name.
"""

from __future__ import annotations

from django.conf import settings

from veille.catalogue import TextTable, pgettext_lazy
from veille.gsm7 import to_gsm7
from veille.languages import LANGUAGES, NEEDS_NATIVE_REVIEW  # noqa: F401 (the languages of these texts)

T = TextTable(
    "ussd",
    {
        # The first screen's title; the numbered languages below it are the declared ones
        # (``language_choices``), each in its own name.
        "welcome": pgettext_lazy("ussd.welcome", "Veille - signalement anonyme"),
        "menu": pgettext_lazy("ussd.menu", "Veille (anonyme)\n1 Signaler un incident\n2 Suivre un signalement"),
        "category": pgettext_lazy("ussd.category", "Quel incident ?"),
        "region": pgettext_lazy("ussd.region", "Quelle région ?"),
        "cercle": pgettext_lazy("ussd.cercle", "Quel cercle ?"),
        "commune": pgettext_lazy("ussd.commune", "Quelle commune ?"),
        "when": pgettext_lazy(
            "ussd.when",
            "Quand ?\n1 En ce moment\n2 Aujourd'hui\n3 Hier\n4 Cette semaine\n5 Plus tôt\n6 Je ne sais pas\n0 Retour",
        ),
        "people": pgettext_lazy(
            "ussd.people",
            "Combien de personnes touchées ?\n1 Aucune\n2 Une\n3 2 à 5\n4 6 à 20\n5 Plus de "
            "20\n6 Je ne sais pas\n0 Retour",
        ),
        "confirm": pgettext_lazy("ussd.confirm", "Confirmer :\n{summary}\n1 Envoyer\n2 Annuler\n0 Retour"),
        "done": pgettext_lazy(
            "ussd.done",
            "Merci. Signalement reçu.\nCode de suivi: {code}\nGardez ce code. Rien ne reste dans votre téléphone.",
        ),
        "cancelled": pgettext_lazy("ussd.cancelled", "Signalement annulé. Rien n'a été envoyé."),
        "ask_code": pgettext_lazy("ussd.ask_code", "Entrez votre code de suivi (10 caractères) :\n0 Retour"),
        "status": pgettext_lazy("ussd.status", "Signalement {code} : {status}."),
        "consent": pgettext_lazy(
            "ussd.consent",
            "Signalement {code} : {status}.\nVoulez-vous être mise en contact avec un centre d'appui ?\n1 Oui\n2 Non",
        ),
        # A relay's question that waited for this look-up (SMS_REPLY_MODE=never); the engine
        # shortens the question to fit the screen.
        "question": pgettext_lazy(
            "ussd.question",
            "Signalement {code} : {status}.\nQuestion d'un relais : {question}\nRepondez par SMS depuis ce telephone.",
        ),
        # The follow-up of an open report: the reporter may type up to 160 characters to add.
        "status_add": pgettext_lazy(
            "ussd.status_add",
            "Signalement {code} : {status}.\nPour ajouter une information, ecrivez-la (160 "
            "signes au plus).\n0 Terminer",
        ),
        "added_thanks": pgettext_lazy("ussd.added_thanks", "Merci, votre information est ajoutee au signalement."),
        "consent_thanks": pgettext_lazy("ussd.consent_thanks", "Merci, votre réponse est enregistrée."),
        "unknown_code": pgettext_lazy("ussd.unknown_code", "Code inconnu. Vérifiez-le.\n1 Réessayer\n0 Menu"),
        "code_locked": pgettext_lazy("ussd.code_locked", "Code inconnu. Trop d'essais: rappelez plus tard."),
        "invalid": pgettext_lazy("ussd.invalid", "Choix invalide."),
        "error": pgettext_lazy("ussd.error", "Désolé, une erreur est survenue. Réessayez plus tard."),
        "closed_service": pgettext_lazy("ussd.closed_service", "Ce service n'est pas disponible sur ce code."),
        "back": pgettext_lazy("ussd.back", "0 Retour"),
        "more": pgettext_lazy("ussd.more", "9 Suite"),
        "skip": pgettext_lazy("ussd.skip", "8 Je ne sais pas"),
        "unknown_place": pgettext_lazy("ussd.unknown_place", "lieu inconnu"),
    },
)

# Menu labels of categories, most common first.
CATEGORY_LABELS = TextTable(
    "ussd.category_label",
    {
        "armed_attack": pgettext_lazy("ussd.category_label.armed_attack", "Attaque armée"),
        "robbery": pgettext_lazy("ussd.category_label.robbery", "Vol, banditisme"),
        "armed_presence": pgettext_lazy("ussd.category_label.armed_presence", "Groupe armé vu"),
        "explosive": pgettext_lazy("ussd.category_label.explosive", "Engin explosif, mine"),
        "kidnapping": pgettext_lazy("ussd.category_label.kidnapping", "Enlèvement"),
        "threat": pgettext_lazy("ussd.category_label.threat", "Menace"),
        "gbv": pgettext_lazy("ussd.category_label.gbv", "Violence faite aux femmes"),
        "force_abuse": pgettext_lazy("ussd.category_label.force_abuse", "Abus de forces ou officiels"),
        "intercommunity": pgettext_lazy("ussd.category_label.intercommunity", "Conflit entre communautés"),
        "displacement": pgettext_lazy("ussd.category_label.displacement", "Déplacement de personnes"),
        "other": pgettext_lazy("ussd.category_label.other", "Autre"),
    },
)
CATEGORY_ORDER = list(CATEGORY_LABELS)

WHEN_CHOICES = ["now", "today", "yesterday", "this_week", "earlier", "unknown"]
PEOPLE_CHOICES = ["none", "1", "2-5", "6-20", "20+", "unknown"]
WHEN_SHORT = TextTable(
    "ussd.when_short",
    {
        "now": pgettext_lazy("ussd.when_short.now", "en ce moment"),
        "today": pgettext_lazy("ussd.when_short.today", "aujourd'hui"),
        "yesterday": pgettext_lazy("ussd.when_short.yesterday", "hier"),
        "this_week": pgettext_lazy("ussd.when_short.this_week", "cette semaine"),
        "earlier": pgettext_lazy("ussd.when_short.earlier", "plus tôt"),
        "unknown": pgettext_lazy("ussd.when_short.unknown", "date inconnue"),
    },
)
PEOPLE_SHORT = TextTable(
    "ussd.people_short",
    {
        "none": pgettext_lazy("ussd.people_short.none", "aucune pers."),
        "1": pgettext_lazy("ussd.people_short.1", "1 pers."),
        "2-5": pgettext_lazy("ussd.people_short.2-5", "2 à 5 pers."),
        "6-20": pgettext_lazy("ussd.people_short.6-20", "6 à 20 pers."),
        "20+": pgettext_lazy("ussd.people_short.20+", "plus de 20 pers."),
        "unknown": pgettext_lazy("ussd.people_short.unknown", "nombre inconnu"),
    },
)


# One digit per language on the first screen.
LANGUAGE_CHOICES_MAX = 9


def language_choices() -> dict[str, str]:
    """The first screen's digits: the declared languages (``VEILLE_LANGUAGES``) in order,
    French first; at most nine (one digit each)."""
    return {str(number): code for number, code in enumerate(list(LANGUAGES)[:LANGUAGE_CHOICES_MAX], start=1)}


def _welcome(language: str) -> str:
    names = dict(settings.LANGUAGES)
    lines = [f"{digit} {names.get(code, code)}" for digit, code in language_choices().items()]
    return "\n".join([T["welcome"].get(language, T["welcome"]["fr"]), *lines])


def text(key: str, language: str, **params: str) -> str:
    if key == "welcome":
        return to_gsm7(_welcome(language))
    entry = T[key]
    return to_gsm7(entry.get(language, entry["fr"]).format(**params))


def label(labels: dict[str, dict[str, str]], key: str, language: str) -> str:
    return to_gsm7(labels[key][language])
