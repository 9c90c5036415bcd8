"""Every USSD screen text, in French here and in every declared language's catalogue.

Written in plain French; ``text`` keeps the accents GSM-7 has (é è à ù É) and
transliterates the others (ê ô î ç would push the screen to UCS-2 and halve it). Short,
numbered choices; every screen is checked against 182 septets in every language by
``tests/reporting/test_ussd.py``. The French is here, as gettext msgids keyed by msgctxt
(``ussd.menu``); the other languages' texts are in ``locale/<code>/LC_MESSAGES/django.po``
(``veille/catalogue.py``; Bambara's are drafts marked for native review). The first
screen lists the declared languages (``VEILLE_LANGUAGES``), each in its own name.

The menus' titles are here; their numbered choices come from the menu definition
(``reporting/ussd/engine.py``), the same for screens and voice. Texts keyed ``voice.<key>``
are spoken only (``spoken`` takes them over ``<key>``), for what a screen says in a way an
ear does not follow; spoken texts keep every accent (nothing limits them to GSM-7).
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
        # The menus' titles; their numbered choices come from the menu definition.
        "menu": pgettext_lazy("ussd.menu", "Veille (anonyme)"),
        "menu.report": pgettext_lazy("ussd.menu.report", "Signaler un incident"),
        "menu.follow": pgettext_lazy("ussd.menu.follow", "Suivre un signalement"),
        "category": pgettext_lazy("ussd.category", "Quel incident ?"),
        "region": pgettext_lazy("ussd.region", "Quelle région ?"),
        "cercle": pgettext_lazy("ussd.cercle", "Quel cercle ?"),
        "commune": pgettext_lazy("ussd.commune", "Quelle commune ?"),
        "when": pgettext_lazy("ussd.when", "Quand ?"),
        "people": pgettext_lazy("ussd.people", "Combien de personnes touchées ?"),
        # A fact about the reporter (Report.reporter_displaced), never where they live now.
        "displaced": pgettext_lazy("ussd.displaced", "Êtes-vous vous-même déplacé(e) ?"),
        "yes": pgettext_lazy("ussd.yes", "Oui"),
        "no": pgettext_lazy("ussd.no", "Non"),
        "displaced_short": pgettext_lazy("ussd.displaced_short", "auteur déplacé"),
        "confirm": pgettext_lazy("ussd.confirm", "Confirmer :\n{summary}"),
        "send": pgettext_lazy("ussd.send", "Envoyer"),
        "cancel": pgettext_lazy("ussd.cancel", "Annuler"),
        "done": pgettext_lazy(
            "ussd.done",
            "Merci. Signalement reçu.\nCode de suivi: {code}\nGardez ce code. Rien ne reste dans votre téléphone.",
        ),
        "cancelled": pgettext_lazy("ussd.cancelled", "Signalement annulé. Rien n'a été envoyé."),
        "ask_code": pgettext_lazy("ussd.ask_code", "Entrez votre code de suivi (10 caractères) :\n0 Retour"),
        "status": pgettext_lazy("ussd.status", "Signalement {code} : {status}."),
        "consent": pgettext_lazy(
            "ussd.consent", "Signalement {code} : {status}.\nVoulez-vous être mise en contact avec un centre d'appui ?"
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
        "unknown_code": pgettext_lazy("ussd.unknown_code", "Code inconnu. Vérifiez-le."),
        "retry": pgettext_lazy("ussd.retry", "Réessayer"),
        "to_menu": pgettext_lazy("ussd.to_menu", "Menu"),
        "code_locked": pgettext_lazy("ussd.code_locked", "Code inconnu. Trop d'essais: rappelez plus tard."),
        "invalid": pgettext_lazy("ussd.invalid", "Choix invalide."),
        "error": pgettext_lazy("ussd.error", "Désolé, une erreur est survenue. Réessayez plus tard."),
        "closed_service": pgettext_lazy("ussd.closed_service", "Ce service n'est pas disponible sur ce code."),
        "back": pgettext_lazy("ussd.back", "0 Retour"),
        "more": pgettext_lazy("ussd.more", "9 Suite"),
        "skip": pgettext_lazy("ussd.skip", "8 Je ne sais pas"),
        "unknown_place": pgettext_lazy("ussd.unknown_place", "lieu inconnu"),
        # --- Spoken only (the voice menu).
        "voice.menu": pgettext_lazy(
            "ussd.voice.menu",
            "Veille, signalement anonyme. Votre voix n'est pas enregistrée : répondez avec les touches.",
        ),
        "voice.language": pgettext_lazy("ussd.voice.language", "Pour le français"),
        "voice.press": pgettext_lazy("ussd.voice.press", "tapez {n}"),
        "voice.skip": pgettext_lazy("ussd.voice.skip", "Si vous ne savez pas"),
        "voice.more": pgettext_lazy("ussd.voice.more", "Pour la suite"),
        "voice.back": pgettext_lazy("ussd.voice.back", "Pour revenir"),
        "voice.confirm": pgettext_lazy("ussd.voice.confirm", "Vous signalez :"),
        "voice.done": pgettext_lazy("ussd.voice.done", "Merci. Signalement reçu. Votre code de suivi est :"),
        "voice.repeat": pgettext_lazy("ussd.voice.repeat", "Je répète :"),
        "voice.keep_code": pgettext_lazy("ussd.voice.keep_code", "Gardez ce code. Au revoir."),
        "voice.ask_code": pgettext_lazy(
            "ussd.voice.ask_code",
            "Tapez votre code de suivi : pour chaque lettre ou chiffre, "
            "la touche qui le porte, puis dièse. Pour revenir, tapez 0 puis dièse.",
        ),
        "voice.report": pgettext_lazy("ussd.voice.report", "Signalement"),
        "voice.status_add": pgettext_lazy(
            "ussd.voice.status_add", "Pour ajouter une information, envoyez un SMS ou utilisez le site web. Au revoir."
        ),
        "voice.consent": pgettext_lazy(
            "ussd.voice.consent", "Voulez-vous être mise en contact avec un centre d'appui ?"
        ),
        "voice.question": pgettext_lazy("ussd.voice.question", "Un relais vous pose une question :"),
        "voice.waiting_question": pgettext_lazy(
            "ussd.voice.waiting_question",
            "Un relais vous a posé une question. Répondez par SMS depuis ce téléphone, ou sur le site web. Au revoir.",
        ),
        "voice.unknown_code": pgettext_lazy("ussd.voice.unknown_code", "Code inconnu."),
        "voice.silence": pgettext_lazy("ussd.voice.silence", "Aucune touche reçue."),
        "voice.goodbye": pgettext_lazy("ussd.voice.goodbye", "Au revoir. Rappelez quand vous voulez."),
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
# The choices as the "when" and "people" menus list them (WHEN_SHORT, PEOPLE_SHORT: as the
# summary shows them).
WHEN_LABELS = TextTable(
    "ussd.when_label",
    {
        "now": pgettext_lazy("ussd.when_label.now", "En ce moment"),
        "today": pgettext_lazy("ussd.when_label.today", "Aujourd'hui"),
        "yesterday": pgettext_lazy("ussd.when_label.yesterday", "Hier"),
        "this_week": pgettext_lazy("ussd.when_label.this_week", "Cette semaine"),
        "earlier": pgettext_lazy("ussd.when_label.earlier", "Plus tôt"),
        "unknown": pgettext_lazy("ussd.when_label.unknown", "Je ne sais pas"),
    },
)
PEOPLE_LABELS = TextTable(
    "ussd.people_label",
    {
        "none": pgettext_lazy("ussd.people_label.none", "Aucune"),
        "1": pgettext_lazy("ussd.people_label.1", "Une"),
        "2-5": pgettext_lazy("ussd.people_label.2-5", "2 à 5"),
        "6-20": pgettext_lazy("ussd.people_label.6-20", "6 à 20"),
        "20+": pgettext_lazy("ussd.people_label.20+", "Plus de 20"),
        "unknown": pgettext_lazy("ussd.people_label.unknown", "Je ne sais pas"),
    },
)
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


def spoken_key(key: str) -> str:
    """The text key a voice prompt says for ``key``: its spoken variant when it has one."""
    return f"voice.{key}" if f"voice.{key}" in T else key


def spoken(key: str, language: str, **params: str) -> str:
    """A text as the voice menu says it (and synthesis reads it): accents kept, since
    nothing limits a spoken text to GSM-7."""
    entry = T[key]
    return entry.get(language, entry["fr"]).format(**params)


def spoken_label(labels: dict[str, dict[str, str]], key: str, language: str) -> str:
    entry = labels[key]
    return entry.get(language, entry["fr"])
