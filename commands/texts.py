"""Every SMS the router sends to a member (relays, coordinators, focal points), in
French, English and Bambara, in the member's own language.

Texts are written in plain French; ``text`` keeps the accents GSM-7 has (é è à ù É) and
transliterates the others (ê ô î ç become e o i c): each must fit one GSM-7 segment once its placeholders hold their
longest values, which ``tests/commands/test_texts.py`` checks for every one. Like every
relay notice, none names a reporter's words, except ``LIRE`` (off by default).

Bambara texts are drafts to be reviewed by native speakers (``NEEDS_NATIVE_REVIEW``).
"""

from __future__ import annotations

from veille.gsm7 import to_gsm7

NEEDS_NATIVE_REVIEW = {"bm"}
LANGUAGES = ("fr", "en", "bm")

T: dict[str, dict[str, str]] = {
    # --- what went wrong before anything was done -----------------------------------
    "not_understood": {
        "fr": "Veille: commande non comprise, rien n'a été modifié. Envoyez AIDE pour la liste.",
        "en": "Veille: command not understood, nothing was changed. Send HELP for the list.",
        "bm": "Veille: an ma i ka cikan faamu, foyi ma yelema. DEME ci ka u lista soro.",
    },
    "usage": {
        "fr": "Veille: il manque quelque chose. Écrivez: {usage}",
        "en": "Veille: something is missing. Write: {usage}",
        "bm": "Veille: fen do dese. A sebe nin cogo: {usage}",
    },
    "not_found": {
        # One answer for an unknown reference and another area's report: the phone
        # learns nothing of reports it may not see.
        "fr": "Veille R-{ref}: introuvable pour vous.",
        "en": "Veille R-{ref}: not found for you.",
        "bm": "Veille R-{ref}: a ma soro i fe.",
    },
    "off_duty": {
        "fr": "Veille: hors de votre permanence, rien n'a été modifié. Passez par le web ou la coordination.",
        "en": "Veille: you are off duty, nothing was changed. Use the web or ask the coordination.",
        "bm": "Veille: i te baara la sisan, foyi ma yelema. Web walima koordinasiyon lajé.",
    },
    "unknown_number": {
        "fr": "Veille: numéro non reconnu. Rien n'a été modifié.",
        "en": "Veille: number not recognised. Nothing was changed.",
        "bm": "Veille: nin nimoro ma don. Foyi ma yelema.",
    },
    "refused": {
        "fr": "Veille R-{ref}: refusé, {reason}.",
        "en": "Veille R-{ref}: refused, {reason}.",
        "bm": "Veille R-{ref}: a ma se, {reason}.",
    },
    # --- help -------------------------------------------------------------------------
    "help_relay": {
        "fr": "Veille: PRENDRE LIBERER VERIFIE INVERIFIABLE LIRE CAT GRAVITE FORCE RESUME QUESTION MEME "
        "TRANSMETTRE FERMER + ref. AIDE CAT, AIDE FORCE, AIDE LIRE",
        "en": "Veille: TAKE RELEASE VERIFY UNVERIFIABLE READ CAT SEVERITY FORCE SUMMARY ASK SAME "
        "FORWARD CLOSE + ref. HELP CAT, HELP FORCE, HELP READ",
        "bm": "Veille: TA BILA VERIFIE INVERIFIABLE KALAN CAT GRAVITE FORCE SEBEN NYININKA MEME "
        "CI DATUGU + ref. DEME CAT, DEME FORCE, DEME KALAN",
    },
    "help_focal_point": {
        "fr": "Veille: OK ref (bien recu), EN ROUTE ref, SUR PLACE ref, FIN ref. OK seul: votre dernière alerte.",
        "en": "Veille: OK ref (received), ON MY WAY ref, ON SITE ref, DONE ref. OK alone: your latest alert.",
        "bm": "Veille: OK ref (a sera), SIRA KAN ref, SE RA ref, BANNA ref. OK dama: i ka kunnafoni laban.",
    },
    "help_coordinator": {
        "fr": "Veille: commandes des relais (AIDE RELAIS) et des alertes: OK, EN ROUTE, SUR PLACE, FIN + ref.",
        "en": "Veille: relay commands (HELP RELAY) and alert answers: OK, ON MY WAY, ON SITE, DONE + ref.",
        "bm": "Veille: relayw ka cikanw (DEME RELAY) ani kunnafoni jaabiw: OK, SIRA KAN, SE RA, BANNA + ref.",
    },
    "help_read": {
        "fr": "Veille: LIRE ref, puis LIRE ref 2... donne le texte masqué. Effacez chaque SMS dès qu'il est lu.",
        "en": "Veille: READ ref, then READ ref 2... gives the masked text. Delete each SMS as soon as it is read.",
        "bm": "Veille: KALAN ref, o ko KALAN ref 2... b'a sebenni di. SMS bee jeni i k'a kalan ko.",
    },
    "help_read_off": {
        "fr": "Veille: LIRE n'est pas activé ici (un texte reste dans le téléphone). Lisez sur le web.",
        "en": "Veille: READ is not enabled here (a text stays on the phone). Read it on the web.",
        "bm": "Veille: KALAN te baara yan (sebenni be to telefoni kono). A kalan web kan.",
    },
    "help_classify": {
        "fr": "CAT ref code: ATT attaque VOL vol MEN menace GRP groupe armé EXP explosif ENL enlèvement "
        "VBG ABU abus TEN tension DEP déplacement AUT autre",
        "en": "CAT ref code: ATT attack VOL robbery MEN threat GRP armed group EXP explosive ENL kidnapping "
        "VBG GBV ABU abuse TEN tension DEP displaced AUT other",
        "bm": "CAT ref code: ATT binkanni VOL sonyali MEN bagabaga GRP marifatigiw EXP bonbon ENL mogo minena "
        "VBG ABU tooro TEN kele DEP bori AUT were",
    },
    "help_severity": {
        "fr": "GRAVITE ref chiffre: 1 faible, 2 moyenne, 3 élevée, 4 critique (en cours)",
        "en": "SEVERITY ref digit: 1 low, 2 medium, 3 high, 4 critical (ongoing)",
        "bm": "GRAVITE ref nimoro: 1 fitinin, 2 cemance, 3 ka bon, 4 ka jugu (a be kera)",
    },
    "help_force": {
        "fr": "FORCE ref code (force mise en cause): POL police GEN gendarmerie GN garde FAMA armée PM police "
        "municipale. La retirer: sur le web",
        "en": "FORCE ref code (accused force): POL police GEN gendarmerie GN guard FAMA army PM municipal "
        "police. Clearing it: on the web",
        "bm": "FORCE ref code (jamana marifatigi): POL polisi GEN zandarimori GN garde FAMA sorodasi PM "
        "meri polisi. K'a bo: web kan",
    },
    "help_forward": {
        "fr": "TRANSMETTRE ref: la liste numérotée des points focaux. TRANSMETTRE ref 1 3: transmettre à 1 et 3",
        "en": "FORWARD ref: the numbered list of focal points. FORWARD ref 1 3: forward to 1 and 3",
        "bm": "CI ref: poen focal lista nimoro ye. CI ref 1 3: a ci 1 ni 3 ma",
    },
    "help_question": {
        "fr": "QUESTION ref texte. Choix: QUESTION ref Combien de blessés ? 1 aucun 2 un ou deux 3 plus",
        "en": "ASK ref text. With choices: ASK ref How many hurt? 1 none 2 one or two 3 more",
        "bm": "NYININKA ref sebenni. Sugandili: NYININKA ref Mogo joli mandimina? 1 si te 2 kelen 3 caman",
    },
    # --- what was done ------------------------------------------------------------------
    "done": {
        "fr": "Veille R-{ref}: {what}.",
        "en": "Veille R-{ref}: {what}.",
        "bm": "Veille R-{ref}: {what}.",
    },
    "read_part": {
        "fr": "R-{ref} {part}/{parts}: {text}",
        "en": "R-{ref} {part}/{parts}: {text}",
        "bm": "R-{ref} {part}/{parts}: {text}",
    },
    "read_no_text": {
        "fr": "Veille R-{ref}: pas de texte (signalement par menu). Voyez la catégorie et le lieu sur le web.",
        "en": "Veille R-{ref}: no text (menu report). See its category and place on the web.",
        "bm": "Veille R-{ref}: sebenni te (menu kibaru). A suguya ni a yoro laje web kan.",
    },
    "read_no_part": {
        "fr": "Veille R-{ref}: il n'y a que {parts} partie(s).",
        "en": "Veille R-{ref}: there are only {parts} part(s).",
        "bm": "Veille R-{ref}: yoro {parts} dama de b'a la.",
    },
    "bad_code": {
        "fr": "Veille: code {code} inconnu, rien n'a été modifié. {help}",
        "en": "Veille: unknown code {code}, nothing was changed. {help}",
        "bm": "Veille: kode {code} ma don, foyi ma yelema. {help}",
    },
    "force_named": {
        "fr": "Veille R-{ref}: force mise en cause: {force}. Elle ne recevra pas ce signalement.",
        "en": "Veille R-{ref}: accused force: {force}. It will not receive this report.",
        "bm": "Veille R-{ref}: jamana marifatigi: {force}. Nin kibaru te se a ma.",
    },
    "force_change_web": {
        "fr": "Veille R-{ref}: une force est déjà nommée. La changer ou la retirer se fait sur le web, "
        "avec une 2e approbation.",
        "en": "Veille R-{ref}: a force is already named. Changing or clearing it is done on the web, "
        "with a second approval.",
        "bm": "Veille R-{ref}: marifatigi togo fora ka ban. K'a yelema walima k'a bo: web kan, "
        "mogo filanan ka sonni ye.",
    },
    "forward_list": {
        "fr": "Veille R-{ref}: {items}. Répondez TRANSMETTRE {ref} et les numéros ({minutes} min)",
        "en": "Veille R-{ref}: {items}. Reply FORWARD {ref} and the numbers ({minutes} min)",
        "bm": "Veille R-{ref}: {items}. CI {ref} ni nimorow ci ({minutes} min)",
    },
    "forward_more": {"fr": "+{count} sur le web", "en": "+{count} on the web", "bm": "+{count} web kan"},
    "forward_nobody": {
        "fr": "Veille R-{ref}: aucun point focal ne peut le recevoir ici. Voyez la coordination.",
        "en": "Veille R-{ref}: no focal point may receive it here. Ask the coordination.",
        "bm": "Veille R-{ref}: poen focal si te se k'a soro yan. Koordinasiyon lajé.",
    },
    "list_expired": {
        "fr": "Veille R-{ref}: liste expirée ou inconnue, rien n'a été transmis. Envoyez TRANSMETTRE {ref}",
        "en": "Veille R-{ref}: list expired or unknown, nothing was forwarded. Send FORWARD {ref}",
        "bm": "Veille R-{ref}: lista tile banna, foyi ma ci. CI {ref} ci",
    },
    "list_bad_number": {
        "fr": "Veille R-{ref}: le numéro {number} n'est pas dans la liste, rien n'a été transmis.",
        "en": "Veille R-{ref}: number {number} is not in the list, nothing was forwarded.",
        "bm": "Veille R-{ref}: nimoro {number} te lista kono, foyi ma ci.",
    },
    "forwarded": {
        "fr": "Veille R-{ref}: transmis à {count} point(s) focal(aux).",
        "en": "Veille R-{ref}: forwarded to {count} focal point(s).",
        "bm": "Veille R-{ref}: a cira poen focal {count} ma.",
    },
    "linked": {
        "fr": "Veille R-{ref}: lié à R-{other} (un seul incident).",
        "en": "Veille R-{ref}: linked to R-{other} (same incident).",
        "bm": "Veille R-{ref}: a ni R-{other} sirilen don (ko kelen).",
    },
    # --- alert answers (focal points) ---------------------------------------------------
    "step_recorded": {
        "fr": "Veille R-{ref}: {step}, c'est noté. Merci.",
        "en": "Veille R-{ref}: {step}, noted. Thank you.",
        "bm": "Veille R-{ref}: {step} sebenna. I ni ce.",
    },
    "step_refused": {
        "fr": "Veille: {reason}. Rien n'a été modifié.",
        "en": "Veille: {reason}. Nothing was changed.",
        "bm": "Veille: {reason}. Foyi ma yelema.",
    },
}

# What a done action is called, per language.
DONE: dict[str, dict[str, str]] = {
    "claim": {"fr": "pris en charge", "en": "taken", "bm": "i y'a ta"},
    "release": {"fr": "libéré", "en": "released", "bm": "a bilara"},
    "verify": {"fr": "vérifié", "en": "verified", "bm": "a lajera"},
    "unverifiable": {"fr": "invérifiable", "en": "unverifiable", "bm": "a te se ka laje"},
    "summarise": {"fr": "résumé enregistré", "en": "summary recorded", "bm": "kunnafoni surun sebenna"},
    "close": {"fr": "clôturé", "en": "closed", "bm": "a datugura"},
    "classify": {"fr": "catégorie: {category}", "en": "category: {category}", "bm": "suguya: {category}"},
    "severity": {"fr": "gravité: {severity}", "en": "severity: {severity}", "bm": "a juguya: {severity}"},
    "question": {
        "fr": "question envoyée à l'auteur",
        "en": "question sent to the reporter",
        "bm": "nyininkali cira a cibaa ma",
    },
    "question_choices": {
        "fr": "question à {count} choix envoyée à l'auteur",
        "en": "question with {count} choices sent to the reporter",
        "bm": "nyininkali sugandili {count} cira a cibaa ma",
    },
    # SMS_REPLY_MODE=never: the question waits for the reporter's next status look-up.
    "question_waits": {
        "fr": "question en attente: aucun SMS non demandé; remise à sa prochaine demande de statut",
        "en": "question waiting: no unsolicited SMS here; given at the reporter's next status request",
        "bm": "nyininkali be makononi: a bena di a ma a ka ladon nyinini nata la",
    },
}

SEVERITY_WORDS: dict[str, dict[str, str]] = {
    "low": {"fr": "faible", "en": "low", "bm": "fitinin"},
    "medium": {"fr": "moyenne", "en": "medium", "bm": "cemance"},
    "high": {"fr": "élevée", "en": "high", "bm": "ka bon"},
    "critical": {"fr": "critique", "en": "critical", "bm": "ka jugu"},
}
FORCE_WORDS: dict[str, dict[str, str]] = {
    "police": {"fr": "police", "en": "police", "bm": "polisi"},
    "gendarmerie": {"fr": "gendarmerie", "en": "gendarmerie", "bm": "zandarimori"},
    "garde_nationale": {"fr": "garde nationale", "en": "national guard", "bm": "garde nasiyonali"},
    "army": {"fr": "armée", "en": "army", "bm": "sorodasiw"},
    "municipal_police": {"fr": "police municipale", "en": "municipal police", "bm": "meri polisi"},
}
STEP_WORDS: dict[str, dict[str, str]] = {
    "acknowledged": {"fr": "réception", "en": "receipt", "bm": "a sera"},
    "en_route": {"fr": "en route", "en": "on the way", "bm": "sira kan"},
    "on_site": {"fr": "sur place", "en": "on site", "bm": "a sera yen"},
    "done": {"fr": "fin", "en": "done", "bm": "a banna"},
}

# Why a triage or forward action was refused, keyed by the French message the service
# raised (``reporting.triage``, ``alerts.services``): the services keep one language,
# the phone gets the member's. A message not listed here is sent as it is.
REASONS: dict[str, dict[str, str]] = {
    "ce signalement est clôturé": {"fr": "signalement clôturé", "en": "report closed", "bm": "kibaru datugura"},
    "vous ne tenez pas ce signalement": {
        "fr": "vous ne le tenez pas",
        "en": "you do not hold it",
        "bm": "i ma a ta",
    },
    "un signalement ne peut être lié à lui-même": {
        "fr": "deux fois le même signalement",
        "en": "same report twice",
        "bm": "kibaru kelen siyen fila",
    },
    "écrivez d'abord le résumé neutre : c'est le seul texte que voient les forces": {
        "fr": "écrivez d'abord le résumé (RESUME ref texte)",
        "en": "write the summary first (SUMMARY ref text)",
        "bm": "kunnafoni surun sebe folo (SEBEN ref)",
    },
    "indiquez d'abord la gravité": {
        "fr": "indiquez d'abord la gravité (GRAVITE ref 1-4)",
        "en": "set the severity first (SEVERITY ref 1-4)",
        "bm": "a juguya fo folo (GRAVITE ref 1-4)",
    },
    "un des destinataires ne peut pas recevoir ce signalement": {
        "fr": "un destinataire ne peut pas le recevoir",
        "en": "a recipient may not receive it",
        "bm": "mogo do te se k'a soro",
    },
    "l'auteur de ce signalement ne peut pas recevoir de question (USSD ou web)": {
        "fr": "auteur USSD ou web: question à choix seulement",
        "en": "USSD or web reporter: questions with choices only",
        "bm": "USSD walima web cibaa: sugandili nyininkali dama",
    },
    "l'auteur ne peut plus être joint (désinscrit ou délai dépassé)": {
        "fr": "l'auteur n'est plus joignable",
        "en": "the reporter can no longer be reached",
        "bm": "a cibaa te se ka soro tugun",
    },
    "summary_too_short": {
        "fr": "résumé trop court (10 signes au moins)",
        "en": "summary too short (10 characters at least)",
        "bm": "kunnafoni surun ka dogo (sigiden 10)",
    },
    "summary_too_long": {
        "fr": "résumé trop long pour l'alerte ({used}/{limit})",
        "en": "summary too long for the alert ({used}/{limit})",
        "bm": "kunnafoni surun ka jan ({used}/{limit})",
    },
    "question_length": {
        "fr": "question de 5 à {limit} signes",
        "en": "question of 5 to {limit} characters",
        "bm": "nyininkali sigiden 5 ka se {limit}",
    },
    "held": {"fr": "tenu par {name}", "en": "held by {name}", "bm": "{name} b'a la"},
    "not_one_of_yours": {
        "fr": "R-{ref} n'est pas une de vos alertes",
        "en": "R-{ref} is not one of your alerts",
        "bm": "R-{ref} te i ka kunnafoni ye",
    },
    "no_open_alert": {"fr": "aucune alerte ouverte", "en": "no open alert", "bm": "kunnafoni si te yen"},
    "already": {
        "fr": "R-{ref} est déjà {step}",
        "en": "R-{ref} is already {step}",
        "bm": "R-{ref} kera {step} ka ban",
    },
}
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
