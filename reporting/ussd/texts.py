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
    "menu": {
        "fr": "Veille (anonyme)\n1 Signaler un incident\n2 Suivre un signalement",
        "en": "Veille (anonymous)\n1 Report an incident\n2 Follow a report",
        "bm": "Veille (i togo te fo)\n1 Ko do fo\n2 Kibaru ladon",
    },
    "category": {"fr": "Quel incident ?", "en": "What happened?", "bm": "Mun kera?"},
    "region": {"fr": "Quelle région ?", "en": "Which region?", "bm": "Mara jumen?"},
    "cercle": {"fr": "Quel cercle ?", "en": "Which cercle?", "bm": "Serekili jumen?"},
    "commune": {"fr": "Quelle commune ?", "en": "Which commune?", "bm": "Komini jumen?"},
    "when": {
        "fr": "Quand ?\n1 En ce moment\n2 Aujourd'hui\n3 Hier\n4 Cette semaine\n5 Plus tôt\n6 Je ne sais pas\n0 Retour",
        "en": "When?\n1 Right now\n2 Today\n3 Yesterday\n4 This week\n5 Earlier\n6 I don't know\n0 Back",
        "bm": "Tuma jumen?\n1 Sisan\n2 Bi\n3 Kunun\n4 Nin dogokun\n5 Ka kon o ne\n6 N t'a don\n0 Segin",
    },
    "people": {
        "fr": (
            "Combien de personnes touchées ?\n1 Aucune\n2 Une\n3 2 à 5\n4 6 à 20\n5 Plus de 20\n"
            "6 Je ne sais pas\n0 Retour"
        ),
        "en": "How many people affected?\n1 None\n2 One\n3 2 to 5\n4 6 to 20\n5 More than 20\n6 I don't know\n0 Back",
        "bm": (
            "Mogo joli la kasaara?\n1 Si te\n2 Kelen\n3 2 ka se 5\n4 6 ka se 20\n5 Ka tame 20 kan\n6 N t'a don\n0 Segin"
        ),
    },
    "confirm": {
        "fr": "Confirmer :\n{summary}\n1 Envoyer\n2 Annuler\n0 Retour",
        "en": "Confirm:\n{summary}\n1 Send\n2 Cancel\n0 Back",
        "bm": "A sebe:\n{summary}\n1 A ci\n2 A dabila\n0 Segin",
    },
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
        "fr": "Signalement {code} : {status}.\nVoulez-vous être mise en contact avec un centre d'appui ?\n1 Oui\n2 Non",
        "en": "Report {code}: {status}.\nWould you like to be put in touch with a support centre?\n1 Yes\n2 No",
        "bm": "Kibaru {code}: {status}.\nI b'a fe ka i ni deme so ye bena wa?\n1 Awo\n2 Ayi",
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
        "fr": "Code inconnu. Vérifiez-le.\n1 Réessayer\n0 Menu",
        "en": "Unknown code. Please check it.\n1 Try again\n0 Menu",
        "bm": "Kode in ma don. A laje.\n1 A segin\n0 Menu",
    },
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
