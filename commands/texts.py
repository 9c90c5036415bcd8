"""Every SMS the router sends to a member (relays, coordinators, focal points), in
French, English and Bambara, in the member's own language.

Texts are written in plain French; ``text`` keeps the accents GSM-7 has (é è à ù É) and
transliterates the others (ê ô î ç become e o i c): each must fit one GSM-7 segment once its placeholders hold their
longest values, which ``tests/commands/test_texts.py`` checks for every one. Like every
relay notice, none names a reporter's words, except ``LIRE`` (off by default).

The French is here, as gettext msgids keyed by msgctxt (``member.not_understood``);
the other languages' texts are in ``locale/<code>/LC_MESSAGES/django.po``
(``veille/catalogue.py``); Bambara's are drafts marked for native review there.
"""

from __future__ import annotations

from veille.catalogue import TextTable, pgettext_lazy
from veille.gsm7 import to_gsm7
from veille.languages import LANGUAGES, NEEDS_NATIVE_REVIEW  # noqa: F401 (the languages of these texts)

T = TextTable(
    "member",
    {
        # --- what went wrong before anything was done -----------------------------------
        "not_understood": pgettext_lazy(
            "member.not_understood",
            "Veille: commande non comprise, rien n'a été modifié. Envoyez AIDE pour la liste.",
        ),
        "usage": pgettext_lazy("member.usage", "Veille: il manque quelque chose. Écrivez: {usage}"),
        # One answer for an unknown reference and another area's report: the phone
        # learns nothing of reports it may not see.
        "not_found": pgettext_lazy("member.not_found", "Veille R-{ref}: introuvable pour vous."),
        "off_duty": pgettext_lazy(
            "member.off_duty",
            "Veille: hors de votre permanence, rien n'a été modifié. Passez par le web ou la coordination.",
        ),
        "unknown_number": pgettext_lazy("member.unknown_number", "Veille: numéro non reconnu. Rien n'a été modifié."),
        "refused": pgettext_lazy("member.refused", "Veille R-{ref}: refusé, {reason}."),
        # --- help -------------------------------------------------------------------------
        "help_relay": pgettext_lazy(
            "member.help_relay",
            "Veille: PRENDRE LIBERER VERIFIE INVERIFIABLE LIRE CAT GRAVITE FORCE RESUME "
            "QUESTION MEME TRANSMETTRE FERMER + ref. AIDE CAT, AIDE FORCE, AIDE LIRE",
        ),
        "help_focal_point": pgettext_lazy(
            "member.help_focal_point",
            "Veille: OK ref (bien recu), EN ROUTE ref, SUR PLACE ref, FIN ref. OK seul: votre dernière alerte.",
        ),
        "help_coordinator": pgettext_lazy(
            "member.help_coordinator",
            "Veille: commandes des relais (AIDE RELAIS) et des alertes: OK, EN ROUTE, SUR PLACE, FIN + ref.",
        ),
        "help_read": pgettext_lazy(
            "member.help_read",
            "Veille: LIRE ref, puis LIRE ref 2... donne le texte masqué. Effacez chaque SMS dès qu'il est lu.",
        ),
        "help_read_off": pgettext_lazy(
            "member.help_read_off",
            "Veille: LIRE n'est pas activé ici (un texte reste dans le téléphone). Lisez sur le web.",
        ),
        "help_classify": pgettext_lazy(
            "member.help_classify",
            "CAT ref code: ATT attaque VOL vol MEN menace GRP groupe armé EXP explosif ENL "
            "enlèvement VBG ABU abus TEN tension DEP déplacement AUT autre",
        ),
        "help_severity": pgettext_lazy(
            "member.help_severity",
            "GRAVITE ref chiffre: 1 faible, 2 moyenne, 3 élevée, 4 critique (en cours)",
        ),
        "help_force": pgettext_lazy(
            "member.help_force",
            "FORCE ref code (force mise en cause): POL police GEN gendarmerie GN garde FAMA "
            "armée PM police municipale. La retirer: sur le web",
        ),
        "help_forward": pgettext_lazy(
            "member.help_forward",
            "TRANSMETTRE ref: la liste numérotée des points focaux. TRANSMETTRE ref 1 3: transmettre à 1 et 3",
        ),
        "help_question": pgettext_lazy(
            "member.help_question",
            "QUESTION ref texte. Choix: QUESTION ref Combien de blessés ? 1 aucun 2 un ou deux 3 plus",
        ),
        # --- what was done ------------------------------------------------------------------
        "done": pgettext_lazy("member.done", "Veille R-{ref}: {what}."),
        "read_part": pgettext_lazy("member.read_part", "R-{ref} {part}/{parts}: {text}"),
        "read_no_text": pgettext_lazy(
            "member.read_no_text",
            "Veille R-{ref}: pas de texte (signalement par menu). Voyez la catégorie et le lieu sur le web.",
        ),
        "read_no_part": pgettext_lazy("member.read_no_part", "Veille R-{ref}: il n'y a que {parts} partie(s)."),
        "bad_code": pgettext_lazy("member.bad_code", "Veille: code {code} inconnu, rien n'a été modifié. {help}"),
        "force_named": pgettext_lazy(
            "member.force_named",
            "Veille R-{ref}: force mise en cause: {force}. Elle ne recevra pas ce signalement.",
        ),
        "force_change_web": pgettext_lazy(
            "member.force_change_web",
            "Veille R-{ref}: une force est déjà nommée. La changer ou la retirer se fait sur le "
            "web, avec une 2e approbation.",
        ),
        "forward_list": pgettext_lazy(
            "member.forward_list",
            "Veille R-{ref}: {items}. Répondez TRANSMETTRE {ref} et les numéros ({minutes} min)",
        ),
        "forward_more": pgettext_lazy("member.forward_more", "+{count} sur le web"),
        "forward_nobody": pgettext_lazy(
            "member.forward_nobody",
            "Veille R-{ref}: aucun point focal ne peut le recevoir ici. Voyez la coordination.",
        ),
        "list_expired": pgettext_lazy(
            "member.list_expired",
            "Veille R-{ref}: liste expirée ou inconnue, rien n'a été transmis. Envoyez TRANSMETTRE {ref}",
        ),
        "list_bad_number": pgettext_lazy(
            "member.list_bad_number",
            "Veille R-{ref}: le numéro {number} n'est pas dans la liste, rien n'a été transmis.",
        ),
        "forwarded": pgettext_lazy("member.forwarded", "Veille R-{ref}: transmis à {count} point(s) focal(aux)."),
        "linked": pgettext_lazy("member.linked", "Veille R-{ref}: lié à R-{other} (un seul incident)."),
        # --- alert answers (focal points) ---------------------------------------------------
        "step_recorded": pgettext_lazy("member.step_recorded", "Veille R-{ref}: {step}, c'est noté. Merci."),
        "step_refused": pgettext_lazy("member.step_refused", "Veille: {reason}. Rien n'a été modifié."),
    },
)

# What a done action is called, per language.
DONE = TextTable(
    "member.done",
    {
        "claim": pgettext_lazy("member.done.claim", "pris en charge"),
        "release": pgettext_lazy("member.done.release", "libéré"),
        "verify": pgettext_lazy("member.done.verify", "vérifié"),
        "unverifiable": pgettext_lazy("member.done.unverifiable", "invérifiable"),
        "summarise": pgettext_lazy("member.done.summarise", "résumé enregistré"),
        "close": pgettext_lazy("member.done.close", "clôturé"),
        "classify": pgettext_lazy("member.done.classify", "catégorie: {category}"),
        "severity": pgettext_lazy("member.done.severity", "gravité: {severity}"),
        "question": pgettext_lazy("member.done.question", "question envoyée à l'auteur"),
        "question_choices": pgettext_lazy(
            "member.done.question_choices",
            "question à {count} choix envoyée à l'auteur",
        ),
        # SMS_REPLY_MODE=never: the question waits for the reporter's next status look-up.
        "question_waits": pgettext_lazy(
            "member.done.question_waits",
            "question en attente: aucun SMS non demandé; remise à sa prochaine demande de statut",
        ),
    },
)

SEVERITY_WORDS = TextTable(
    "member.severity",
    {
        "low": pgettext_lazy("member.severity.low", "faible"),
        "medium": pgettext_lazy("member.severity.medium", "moyenne"),
        "high": pgettext_lazy("member.severity.high", "élevée"),
        "critical": pgettext_lazy("member.severity.critical", "critique"),
    },
)
FORCE_WORDS = TextTable(
    "member.force",
    {
        "police": pgettext_lazy("member.force.police", "police"),
        "gendarmerie": pgettext_lazy("member.force.gendarmerie", "gendarmerie"),
        "garde_nationale": pgettext_lazy("member.force.garde_nationale", "garde nationale"),
        "army": pgettext_lazy("member.force.army", "armée"),
        "municipal_police": pgettext_lazy("member.force.municipal_police", "police municipale"),
    },
)
STEP_WORDS = TextTable(
    "member.step",
    {
        "acknowledged": pgettext_lazy("member.step.acknowledged", "réception"),
        "en_route": pgettext_lazy("member.step.en_route", "en route"),
        "on_site": pgettext_lazy("member.step.on_site", "sur place"),
        "done": pgettext_lazy("member.step.done", "fin"),
    },
)

# Why a triage or forward action was refused, keyed by the French message the service
# raised (``reporting.triage``, ``alerts.services``): the services keep one language,
# the phone gets the member's. A message not listed here is sent as it is.
REASONS = TextTable(
    "member.reason",
    {
        "ce signalement est clôturé": pgettext_lazy("member.reason.ce signalement est clôturé", "signalement clôturé"),
        "vous ne tenez pas ce signalement": pgettext_lazy(
            "member.reason.vous ne tenez pas ce signalement",
            "vous ne le tenez pas",
        ),
        "un signalement ne peut être lié à lui-même": pgettext_lazy(
            "member.reason.un signalement ne peut être lié à lui-même",
            "deux fois le même signalement",
        ),
        "écrivez d'abord le résumé neutre : c'est le seul texte que voient les forces": pgettext_lazy(
            "member.reason.écrivez d'abord le résumé neutre : c'est le seul texte que voient les forces",
            "écrivez d'abord le résumé (RESUME ref texte)",
        ),
        "indiquez d'abord la gravité": pgettext_lazy(
            "member.reason.indiquez d'abord la gravité",
            "indiquez d'abord la gravité (GRAVITE ref 1-4)",
        ),
        "un des destinataires ne peut pas recevoir ce signalement": pgettext_lazy(
            "member.reason.un des destinataires ne peut pas recevoir ce signalement",
            "un destinataire ne peut pas le recevoir",
        ),
        "l'auteur de ce signalement ne peut pas recevoir de question (USSD ou web)": pgettext_lazy(
            "member.reason.l'auteur de ce signalement ne peut pas recevoir de question (USSD ou web)",
            "auteur USSD ou web: question à choix seulement",
        ),
        "l'auteur ne peut plus être joint (désinscrit ou délai dépassé)": pgettext_lazy(
            "member.reason.l'auteur ne peut plus être joint (désinscrit ou délai dépassé)",
            "l'auteur n'est plus joignable",
        ),
        "summary_too_short": pgettext_lazy("member.reason.summary_too_short", "résumé trop court (10 signes au moins)"),
        "summary_too_long": pgettext_lazy(
            "member.reason.summary_too_long",
            "résumé trop long pour l'alerte ({used}/{limit})",
        ),
        "question_length": pgettext_lazy("member.reason.question_length", "question de 5 à {limit} signes"),
        "held": pgettext_lazy("member.reason.held", "tenu par {name}"),
        "not_one_of_yours": pgettext_lazy("member.reason.not_one_of_yours", "R-{ref} n'est pas une de vos alertes"),
        "no_open_alert": pgettext_lazy("member.reason.no_open_alert", "aucune alerte ouverte"),
        "already": pgettext_lazy("member.reason.already", "R-{ref} est déjà {step}"),
    },
)
NAME_MAX_CHARS = 20

# Longest value each placeholder can take, for the one-segment tests.
PLACEHOLDER_MAX: dict[str, str] = {
    "ref": "W" * 8,
    "other": "W" * 8,
    "code": "W" * 12,
    "number": "99",
    "count": "99",
    "minutes": "999",
    "part": "99",
    "parts": "99",
    "limit": "999",
    "used": "999",
    "name": "W" * NAME_MAX_CHARS,
}


def text(key: str, language: str, **params: str) -> str:
    """The text in GSM-7: accents GSM-7 has are kept, the others transliterated
    ("clôturé" -> "cloturé"), placeholders included."""
    entry = T[key]
    return to_gsm7(entry.get(language, entry["fr"]).format(**params))


def word(table: dict[str, dict[str, str]], key: str, language: str, **params: str) -> str:
    entry = table[key]
    return to_gsm7(entry.get(language, entry["fr"]).format(**params))
