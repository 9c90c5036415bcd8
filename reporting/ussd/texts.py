"""Every USSD screen text in French, English and Bambara.

Written in plain French; ``text`` keeps the accents GSM-7 has (é è à ù É) and
transliterates the others (ê ô î ç would push the screen to UCS-2 and halve it). Short,
numbered choices; every screen is checked against 182 septets in every language by
``tests/reporting/test_ussd.py``. Bambara texts are drafts awaiting native review.
"""

from __future__ import annotations

from veille.gsm7 import to_gsm7

NEEDS_NATIVE_REVIEW = {"bm"}
LANGUAGES = ("fr", "en", "bm")

T: dict[str, dict[str, str]] = {
    "welcome": {
        "fr": "Veille - signalement anonyme\n1 Français\n2 English\n3 Bamanankan",
        "en": "Veille - signalement anonyme\n1 Francais\n2 English\n3 Bamanankan",
        "bm": "Veille - signalement anonyme\n1 Francais\n2 English\n3 Bamanankan",
    },
    # The menus' titles; their numbered choices come from the menu definition
    # (reporting/ussd/engine.py MENUS), the same for screens and voice.
    "menu": {"fr": "Veille (anonyme)", "en": "Veille (anonymous)", "bm": "Veille (i togo te fo)"},
    "menu.report": {"fr": "Signaler un incident", "en": "Report an incident", "bm": "Ko do fo"},
    "menu.follow": {"fr": "Suivre un signalement", "en": "Follow a report", "bm": "Kibaru ladon"},
    "category": {"fr": "Quel incident ?", "en": "What happened?", "bm": "Mun kera?"},
    "region": {"fr": "Quelle région ?", "en": "Which region?", "bm": "Mara jumen?"},
    "cercle": {"fr": "Quel cercle ?", "en": "Which cercle?", "bm": "Serekili jumen?"},
    "commune": {"fr": "Quelle commune ?", "en": "Which commune?", "bm": "Komini jumen?"},
    "when": {"fr": "Quand ?", "en": "When?", "bm": "Tuma jumen?"},
    "people": {
        "fr": "Combien de personnes touchées ?",
        "en": "How many people affected?",
        "bm": "Mogo joli la kasaara?",
    },
    # A fact about the reporter (Report.reporter_displaced), never where they live now.
    "displaced": {
        "fr": "Êtes-vous vous-même déplacé(e) ?",
        "en": "Are you yourself displaced?",
        "bm": "Yala e yere bolila i ka so la wa?",
    },
    "yes": {"fr": "Oui", "en": "Yes", "bm": "Awo"},
    "no": {"fr": "Non", "en": "No", "bm": "Ayi"},
    "displaced_short": {"fr": "auteur déplacé", "en": "reporter displaced", "bm": "fola bolila"},
    "confirm": {
        "fr": "Confirmer :\n{summary}",
        "en": "Confirm:\n{summary}",
        "bm": "A sebe:\n{summary}",
    },
    "send": {"fr": "Envoyer", "en": "Send", "bm": "A ci"},
    "cancel": {"fr": "Annuler", "en": "Cancel", "bm": "A dabila"},
    "done": {
        "fr": "Merci. Signalement reçu.\nCode de suivi: {code}\nGardez ce code. Rien ne reste dans votre téléphone.",
        "en": "Thank you. Report received.\nTracking code: {code}\nKeep this code. Nothing stays on your phone.",
        "bm": "I ni ce. I ka kibaru sera.\nKode: {code}\nI ka kode mara. Foyi te to i ka telefoni kono.",
    },
    "cancelled": {
        "fr": "Signalement annulé. Rien n'a été envoyé.",
        "en": "Report cancelled. Nothing was sent.",
        "bm": "Kibaru dabilara. Foyi ma ci.",
    },
    "ask_code": {
        "fr": "Entrez votre code de suivi (10 caractères) :\n0 Retour",
        "en": "Enter your tracking code (10 characters):\n0 Back",
        "bm": "I ka kode sebe (sigiden 10):\n0 Segin",
    },
    "status": {
        "fr": "Signalement {code} : {status}.",
        "en": "Report {code}: {status}.",
        "bm": "Kibaru {code}: {status}.",
    },
    "consent": {
        "fr": "Signalement {code} : {status}.\nVoulez-vous être mise en contact avec un centre d'appui ?",
        "en": "Report {code}: {status}.\nWould you like to be put in touch with a support centre?",
        "bm": "Kibaru {code}: {status}.\nI b'a fe ka i ni deme so ye bena wa?",
    },
    # A relay's question that waited for this look-up (SMS_REPLY_MODE=never); the engine
    # shortens the question to fit the screen.
    "question": {
        "fr": (
            "Signalement {code} : {status}.\nQuestion d'un relais : {question}\nRepondez par SMS depuis ce telephone."
        ),
        "en": "Report {code}: {status}.\nA relay asks: {question}\nReply by SMS from this phone.",
        "bm": "Kibaru {code}: {status}.\nJeninfo ka ninkali: {question}\nA jaabi SMS la ni telefoni in ye.",
    },
    # The follow-up of an open report: the reporter may type up to 160 characters to add.
    "status_add": {
        "fr": (
            "Signalement {code} : {status}.\nPour ajouter une information, ecrivez-la (160 signes au plus).\n0 Terminer"
        ),
        "en": "Report {code}: {status}.\nTo add information, type it (160 characters at most).\n0 Finish",
        "bm": "Kibaru {code}: {status}.\nKa kunnafoni fara a kan, a sebe (sigiden 160).\n0 A ban",
    },
    "added_thanks": {
        "fr": "Merci, votre information est ajoutee au signalement.",
        "en": "Thank you, your information is added to the report.",
        "bm": "I ni ce, i ka kunnafoni farala kibaru kan.",
    },
    "consent_thanks": {
        "fr": "Merci, votre réponse est enregistrée.",
        "en": "Thank you, your answer is recorded.",
        "bm": "I ni ce, i ka jaabi sebenna.",
    },
    "unknown_code": {
        "fr": "Code inconnu. Vérifiez-le.",
        "en": "Unknown code. Please check it.",
        "bm": "Kode in ma don. A laje.",
    },
    "retry": {"fr": "Réessayer", "en": "Try again", "bm": "A segin"},
    "to_menu": {"fr": "Menu", "en": "Menu", "bm": "Menu"},
    "code_locked": {
        "fr": "Code inconnu. Trop d'essais: rappelez plus tard.",
        "en": "Unknown code. Too many tries: dial again later.",
        "bm": "Kode in ma don. I ye a laje siyaman: a segin o ko fe.",
    },
    "invalid": {"fr": "Choix invalide.", "en": "Invalid choice.", "bm": "A ma nyi."},
    "error": {
        "fr": "Désolé, une erreur est survenue. Réessayez plus tard.",
        "en": "Sorry, something went wrong. Please try again later.",
        "bm": "Haketo, fili donna. A segin o ko fe.",
    },
    "closed_service": {
        "fr": "Ce service n'est pas disponible sur ce code.",
        "en": "This service is not available on this code.",
        "bm": "Nin baara te se ka ke nin kode in na.",
    },
    "back": {"fr": "0 Retour", "en": "0 Back", "bm": "0 Segin"},
    "more": {"fr": "9 Suite", "en": "9 More", "bm": "9 Tow"},
    "skip": {"fr": "8 Je ne sais pas", "en": "8 I don't know", "bm": "8 N t'a don"},
    "unknown_place": {"fr": "lieu inconnu", "en": "place unknown", "bm": "yoro ma don"},
    # --- Spoken only (the voice menu): ``spoken`` takes "voice.<key>" over "<key>" when
    # there is one, for what a screen says in a way an ear does not follow.
    "voice.menu": {
        "fr": "Veille, signalement anonyme. Votre voix n'est pas enregistrée : répondez avec les touches.",
        "en": "Veille, anonymous reporting. Your voice is not recorded: answer with the keys.",
        "bm": "Veille, kibaru min fola i togo te fo. I kan te sebe: a jaabi ni butonw ye.",
    },
    "voice.language": {"fr": "Pour le français", "en": "For English", "bm": "Bamanankan kama"},
    "voice.press": {"fr": "tapez {n}", "en": "press {n}", "bm": "{n} digi"},
    "voice.skip": {"fr": "Si vous ne savez pas", "en": "If you don't know", "bm": "Ni i t'a don"},
    "voice.more": {"fr": "Pour la suite", "en": "For more", "bm": "Ka tow lamen"},
    "voice.back": {"fr": "Pour revenir", "en": "To go back", "bm": "Ka segin"},
    "voice.confirm": {"fr": "Vous signalez :", "en": "You are reporting:", "bm": "I be nin fo:"},
    "voice.done": {
        "fr": "Merci. Signalement reçu. Votre code de suivi est :",
        "en": "Thank you. Report received. Your tracking code is:",
        "bm": "I ni ce. I ka kibaru sera. I ka kode ye:",
    },
    "voice.repeat": {"fr": "Je répète :", "en": "Again:", "bm": "N b'a fo tugun:"},
    "voice.keep_code": {
        "fr": "Gardez ce code. Au revoir.",
        "en": "Keep this code. Goodbye.",
        "bm": "I ka kode mara. K'an ben.",
    },
    "voice.ask_code": {
        "fr": (
            "Tapez votre code de suivi : pour chaque lettre ou chiffre, la touche qui le porte, puis dièse. "
            "Pour revenir, tapez 0 puis dièse."
        ),
        "en": (
            "Type your tracking code: for each letter or digit, the key that carries it, then hash. "
            "To go back, press 0 then hash."
        ),
        "bm": "I ka kode sebe: siginiden kelen kelen, a buton digi, o ko diyezi. Ka segin, 0 digi, o ko diyezi.",
    },
    "voice.report": {"fr": "Signalement", "en": "Report", "bm": "Kibaru"},
    "voice.status_add": {
        "fr": "Pour ajouter une information, envoyez un SMS ou utilisez le site web. Au revoir.",
        "en": "To add information, send an SMS or use the website. Goodbye.",
        "bm": "Ka kunnafoni fara a kan, SMS ci walima sitiweb labaara. K'an ben.",
    },
    "voice.consent": {
        "fr": "Voulez-vous être mise en contact avec un centre d'appui ?",
        "en": "Would you like to be put in touch with a support centre?",
        "bm": "I b'a fe ka i ni deme so ye bena wa?",
    },
    "voice.question": {
        "fr": "Un relais vous pose une question :",
        "en": "A relay asks you a question:",
        "bm": "Jeninfo ka ninkali:",
    },
    "voice.waiting_question": {
        "fr": (
            "Un relais vous a posé une question. Répondez par SMS depuis ce téléphone, ou sur le site web. Au revoir."
        ),
        "en": "A relay has asked you a question. Answer by SMS from this phone, or on the website. Goodbye.",
        "bm": "Jeninfo ye ninkali ke i ye. A jaabi SMS la ni telefoni in ye, walima sitiweb kan. K'an ben.",
    },
    "voice.unknown_code": {"fr": "Code inconnu.", "en": "Unknown code.", "bm": "Kode in ma don."},
    "voice.silence": {
        "fr": "Aucune touche reçue.",
        "en": "No key received.",
        "bm": "Buton si ma digi.",
    },
    "voice.goodbye": {
        "fr": "Au revoir. Rappelez quand vous voulez.",
        "en": "Goodbye. Call again whenever you like.",
        "bm": "K'an ben. I be se ka weele tugun.",
    },
}

# Menu labels of categories, most common first.
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "armed_attack": {"fr": "Attaque armée", "en": "Armed attack", "bm": "Marifa binkanni"},
    "robbery": {"fr": "Vol, banditisme", "en": "Robbery, banditry", "bm": "Sonyali"},
    "armed_presence": {"fr": "Groupe armé vu", "en": "Armed group seen", "bm": "Marifatigiw yera"},
    "explosive": {"fr": "Engin explosif, mine", "en": "Explosive, mine", "bm": "Bonbon, mini"},
    "kidnapping": {"fr": "Enlèvement", "en": "Kidnapping", "bm": "Mogo minena"},
    "threat": {"fr": "Menace", "en": "Threat", "bm": "Bagabaga"},
    "gbv": {"fr": "Violence faite aux femmes", "en": "Violence against women", "bm": "Musow tooroli"},
    "force_abuse": {
        "fr": "Abus de forces ou officiels",
        "en": "Abuse by forces or officials",
        "bm": "Sorodasiw ka tooro",
    },
    "intercommunity": {"fr": "Conflit entre communautés", "en": "Conflict between communities", "bm": "Kele siyaw ce"},
    "displacement": {"fr": "Déplacement de personnes", "en": "People displaced", "bm": "Mogow boli"},
    "other": {"fr": "Autre", "en": "Other", "bm": "Were"},
}
CATEGORY_ORDER = list(CATEGORY_LABELS)

WHEN_CHOICES = ["now", "today", "yesterday", "this_week", "earlier", "unknown"]
# The choices as the "when" and "people" menus list them (WHEN_SHORT, PEOPLE_SHORT: as the
# summary shows them).
WHEN_LABELS = {
    "now": {"fr": "En ce moment", "en": "Right now", "bm": "Sisan"},
    "today": {"fr": "Aujourd'hui", "en": "Today", "bm": "Bi"},
    "yesterday": {"fr": "Hier", "en": "Yesterday", "bm": "Kunun"},
    "this_week": {"fr": "Cette semaine", "en": "This week", "bm": "Nin dogokun"},
    "earlier": {"fr": "Plus tôt", "en": "Earlier", "bm": "Ka kon o ne"},
    "unknown": {"fr": "Je ne sais pas", "en": "I don't know", "bm": "N t'a don"},
}
PEOPLE_LABELS = {
    "none": {"fr": "Aucune", "en": "None", "bm": "Si te"},
    "1": {"fr": "Une", "en": "One", "bm": "Kelen"},
    "2-5": {"fr": "2 à 5", "en": "2 to 5", "bm": "2 ka se 5"},
    "6-20": {"fr": "6 à 20", "en": "6 to 20", "bm": "6 ka se 20"},
    "20+": {"fr": "Plus de 20", "en": "More than 20", "bm": "Ka tame 20 kan"},
    "unknown": {"fr": "Je ne sais pas", "en": "I don't know", "bm": "N t'a don"},
}
PEOPLE_CHOICES = ["none", "1", "2-5", "6-20", "20+", "unknown"]
WHEN_SHORT = {
    "now": {"fr": "en ce moment", "en": "now", "bm": "sisan"},
    "today": {"fr": "aujourd'hui", "en": "today", "bm": "bi"},
    "yesterday": {"fr": "hier", "en": "yesterday", "bm": "kunun"},
    "this_week": {"fr": "cette semaine", "en": "this week", "bm": "nin dogokun"},
    "earlier": {"fr": "plus tôt", "en": "earlier", "bm": "ka kon"},
    "unknown": {"fr": "date inconnue", "en": "date unknown", "bm": "tuma ma don"},
}
PEOPLE_SHORT = {
    "none": {"fr": "aucune pers.", "en": "no one", "bm": "mogo si te"},
    "1": {"fr": "1 pers.", "en": "1 person", "bm": "mogo kelen"},
    "2-5": {"fr": "2 à 5 pers.", "en": "2-5 people", "bm": "mogo 2-5"},
    "6-20": {"fr": "6 à 20 pers.", "en": "6-20 people", "bm": "mogo 6-20"},
    "20+": {"fr": "plus de 20 pers.", "en": "20+ people", "bm": "mogo 20+"},
    "unknown": {"fr": "nombre inconnu", "en": "number unknown", "bm": "hake ma don"},
}


def text(key: str, language: str, **params: str) -> str:
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
