"""Relays complete triage by SMS, as recorded tables: each command, its typos, wrong
references, other areas, off duty, unknown numbers, a bound list expired; every reply
one segment saying what happened or why nothing did."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert
from commands.models import ChoiceList
from focal_points.models import Category, DutySlot, Member
from places.models import Commune
from reporting import triage
from reporting.models import Report, ReportEvent, ReportEventKind, ReportStatus
from reporting.services import PlaceChoice, report_submit
from tests.conftest import TwilioPhone
from veille.gsm7 import is_gsm7, segment_count

pytestmark = pytest.mark.django_db

AMINATA = "+223 76 10 00 01"  # relay of Dangol-Boré and Douentza
HAMADOUN = "+223 76 10 00 04"  # relay of Mopti and Socoura: another area
MARIAM = "+223 76 10 00 05"  # coordinator of the Mopti region
COULIBALY = "+223 76 20 00 01"  # gendarmerie focal point, cercle of Douentza
STRANGER = "+223 66 00 00 99"
TEXT = (
    "Des hommes armés sont arrivés au marché vers midi, ils ont pris deux motos et frappé "
    "le vendeur de thé, il y a trois blessés, appelez vite les secours s'il vous plait merci."
)


@pytest.fixture
def say(client, django_capture_on_commit_callbacks, outbox):
    """Send an SMS from a number; return the platform's replies to that number."""

    phones: dict[str, TwilioPhone] = {}

    def send(number: str, body: str) -> list[str]:
        before = len(outbox)
        # One phone per number: its message ids differ from one SMS to the next.
        phones.setdefault(number, TwilioPhone(client, number, django_capture_on_commit_callbacks)).send(body)
        canonical = "+" + "".join(ch for ch in number if ch.isdigit())
        replies = [sms.body for sms in outbox[before:] if sms.to == canonical]
        for body_sent in replies:
            assert is_gsm7(body_sent) and segment_count(body_sent) == 1, body_sent
        return replies

    return send


def boni(category: str = Category.ARMED_ATTACK, text: str = TEXT) -> Report:
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    return report_submit(channel="web", category=category, description=text, place=place).report


@pytest.fixture
def report(deployment) -> Report:
    return boni()


def reply(say, number: str, body: str) -> str:
    (answer,) = say(number, body)
    return answer


# --- reading --------------------------------------------------------------------------


def test_read_is_off_unless_the_deployment_turns_it_on(report, say):
    ref = report.reference
    assert reply(say, AMINATA, f"LIRE {ref}") == (
        "Veille: LIRE n'est pas activé ici (un texte reste dans le téléphone). Lisez sur le web."
    )
    assert not report.events.filter(kind=ReportEventKind.READ).exists()


def test_read_in_parts_each_recorded_and_its_help_says_to_delete(report, say, settings):
    settings.RELAY_SMS_READ = True
    ref = report.reference

    first = reply(say, AMINATA, f"LIRE {ref}")
    second = reply(say, AMINATA, f"lire R-{ref} 2")
    beyond = reply(say, AMINATA, f"LIRE {ref} 7")

    assert first.startswith(f"R-{ref} 1/2: Des hommes armés sont arrivés au marché")
    assert second.startswith(f"R-{ref} 2/2: ") and second.endswith("merci.")
    assert beyond == f"Veille R-{ref}: il n'y a que 2 partie(s)."
    assert report.events.filter(kind=ReportEventKind.READ, member__name="Aminata Guindo").count() == 3
    assert "Effacez chaque SMS" in reply(say, AMINATA, "AIDE LIRE")


# --- classifying ------------------------------------------------------------------------


def test_category_severity_and_their_help(report, say):
    ref = report.reference
    assert reply(say, AMINATA, f"CAT {ref} ENL") == f"Veille R-{ref}: catégorie: enlèvement."
    assert reply(say, AMINATA, f"GRAVITE {ref} 4") == f"Veille R-{ref}: gravité: critique."
    assert reply(say, AMINATA, f"CAT {ref} XYZ") == "Veille: code XYZ inconnu, rien n'a été modifié. AIDE CAT"
    assert reply(say, AMINATA, f"GRAVITE {ref} 9") == "Veille: code 9 inconnu, rien n'a été modifié. AIDE GRAVITE"
    assert reply(say, AMINATA, "AIDE CAT").startswith("CAT ref code: ATT attaque VOL vol")
    report.refresh_from_db()
    assert (report.category, report.severity) == (Category.KIDNAPPING, "critical")


def test_force_names_only(report, say):
    ref = report.reference
    assert reply(say, AMINATA, f"FORCE {ref} GEN") == (
        f"Veille R-{ref}: force mise en cause: gendarmerie. Elle ne recevra pas ce signalement."
    )
    assert reply(say, AMINATA, f"FORCE {ref} POL").startswith(f"Veille R-{ref}: une force est déjà nommée.")
    report.refresh_from_db()
    assert report.accused_force == "gendarmerie"


# --- forwarding through a bound, expiring list ----------------------------------------


def ready(report: Report) -> None:
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, severity="high")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armée au marché, trois blessés.")


def test_forward_lists_numbered_focal_points_then_forwards_to_the_chosen(report, say, outbox):
    ready(report)
    ref = report.reference

    offer = reply(say, AMINATA, f"TRANSMETTRE {ref}")
    assert offer.startswith(f"Veille R-{ref}: 1 ")
    assert "Adjudant Coulibaly (GEN)" in offer and "Lieutenant Diarra (FAMA)" in offer
    assert offer.endswith(f"Répondez TRANSMETTRE {ref} et les numéros (15 min)")
    listed = ChoiceList.objects.get().items
    number = listed.index(Member.objects.get(name="Adjudant Coulibaly").pk) + 1

    assert reply(say, AMINATA, f"TRANSMETTRE {ref} {number}") == f"Veille R-{ref}: transmis à 1 point(s) focal(aux)."
    assert list(Alert.objects.values_list("focal_point__name", flat=True)) == ["Adjudant Coulibaly"]
    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED
    assert any(sms.to == "+22376200001" and sms.body.startswith(f"Veille R-{ref} grave") for sms in outbox)


def test_the_list_never_offers_the_accused_force(report, say):
    ready(report)
    say(AMINATA, f"FORCE {report.reference} GEN")

    offer = reply(say, AMINATA, f"TRANSMETTRE {report.reference}")

    assert "GEN" not in offer and "Coulibaly" not in offer
    assert "Lieutenant Diarra (FAMA)" in offer


def test_numbers_mean_the_list_that_was_sent_and_expire(report, say):
    ready(report)
    ref = report.reference
    assert reply(say, AMINATA, f"TRANSMETTRE {ref} 1") == (
        f"Veille R-{ref}: liste expirée ou inconnue, rien n'a été transmis. Envoyez TRANSMETTRE {ref}"
    )
    say(AMINATA, f"TRANSMETTRE {ref}")
    assert reply(say, AMINATA, f"TRANSMETTRE {ref} 1 7") == (
        f"Veille R-{ref}: le numéro 7 n'est pas dans la liste, rien n'a été transmis."
    )
    ChoiceList.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reply(say, AMINATA, f"TRANSMETTRE {ref} 1").startswith(f"Veille R-{ref}: liste expirée")
    assert not Alert.objects.exists()


def test_a_list_sent_to_one_relay_is_not_anothers(report, say):
    ready(report)
    say(AMINATA, f"TRANSMETTRE {report.reference}")

    assert reply(say, MARIAM, f"TRANSMETTRE {report.reference} 1").startswith(
        f"Veille R-{report.reference}: liste expirée"
    )


def test_forward_says_what_is_missing(report, say):
    ref = report.reference
    say(AMINATA, f"TRANSMETTRE {ref}")
    answer = reply(say, AMINATA, f"TRANSMETTRE {ref} 1")
    assert answer == f"Veille R-{ref}: refusé, écrivez d'abord le résumé (RESUME ref texte)."


# --- questions, links ------------------------------------------------------------------


def test_a_question_with_choices_is_answered_by_digit_by_sms(deployment, say, phone, outbox):
    phone.send("Attaque au marché de Dangol-Boré ce matin, des blessés")
    report = Report.objects.get()
    ref = report.reference

    answer = reply(say, AMINATA, f"QUESTION {ref} Combien de blessés ? 1 aucun 2 un ou deux 3 plus")
    asked = [sms.body for sms in outbox if sms.to == "+22376123456"][-1]
    phone.send("2")

    assert answer == f"Veille R-{ref}: question à 3 choix envoyée à l'auteur."
    assert asked == "Veille: Combien de blessés ? 1 aucun 2 un ou deux 3 plus. Répondez par le chiffre."
    report.refresh_from_db()
    assert report.description.endswith("Réponse 2: un ou deux")
    assert report.question is None
    assert report.events.get(kind=ReportEventKind.QUESTION_ANSWERED).detail == "choice 2"
    assert Report.objects.count() == 1


def test_a_plain_question_reaches_sms_reporters_only(report, say):
    answer = reply(say, AMINATA, f"QUESTION {report.reference} Ou exactement ?")
    assert answer == f"Veille R-{report.reference}: refusé, auteur USSD ou web: question à choix seulement."


def test_link_two_reports(report, say):
    other = boni(text="une autre personne parle de la meme attaque")
    ref = report.reference
    assert reply(say, AMINATA, f"MEME {ref} {other.reference}") == (
        f"Veille R-{ref}: lié à R-{other.reference} (un seul incident)."
    )
    report.refresh_from_db()
    other.refresh_from_db()
    assert report.incident_id == other.incident_id is not None
    assert reply(say, AMINATA, f"MEME {ref} WXYZ") == "Veille R-WXYZ: introuvable pour vous."


# --- why nothing happened ---------------------------------------------------------------

WHY_NOT = [
    (AMINATA, "bonjour", "Veille: commande non comprise, rien n'a été modifié. Envoyez AIDE pour la liste."),
    (AMINATA, "PRENDRE", "Veille: il manque quelque chose. Écrivez: PRENDRE ref"),
    (AMINATA, "CAT {ref}", "Veille: il manque quelque chose. Écrivez: CAT ref code (AIDE CAT)"),
    (AMINATA, "PRENDRE WXYZ", "Veille R-WXYZ: introuvable pour vous."),
    (HAMADOUN, "PRENDRE {ref}", "Veille R-{ref}: introuvable pour vous."),
    (HAMADOUN, "CAT {ref} XYZ", "Veille R-{ref}: introuvable pour vous."),  # a bad code tells nothing either
    (HAMADOUN, "TRANSMETTRE {ref}", "Veille R-{ref}: introuvable pour vous."),
    (STRANGER, "PRENDRE {ref}", "Veille: numéro non reconnu. Rien n'a été modifié."),
    (COULIBALY, "PRENDRE {ref}", "Veille: commande non comprise, rien n'a été modifié. Envoyez AIDE pour la liste."),
    (COULIBALY, "OK K7", "Veille: il manque quelque chose. Écrivez: OK ref"),
    (COULIBALY, "termine X", "Veille: il manque quelque chose. Écrivez: FIN ref"),
    (
        COULIBALY,
        "AIDE",
        "Veille: OK ref (bien recu), EN ROUTE ref, SUR PLACE ref, FIN ref. OK seul: votre dernière alerte.",
    ),
]


@pytest.mark.parametrize("number, body, expected", WHY_NOT)
def test_every_refusal_says_why(report, say, number, body, expected):
    ref = report.reference
    assert reply(say, number, body.format(ref=ref)) == expected.format(ref=ref)
    report.refresh_from_db()
    assert report.claimed_by is None and report.category == Category.ARMED_ATTACK
    assert Report.objects.count() == 1  # nothing became a report


def test_off_duty_changes_nothing(report, say):
    aminata = Member.objects.get(name="Aminata Guindo")
    now = timezone.localtime()
    later = (now + timedelta(hours=3)).time().replace(microsecond=0)
    DutySlot.objects.create(member=aminata, weekday=(now.weekday() + 3) % 7, starts=later, ends=time(23, 59))

    assert reply(say, AMINATA, f"PRENDRE {report.reference}") == (
        "Veille: hors de votre permanence, rien n'a été modifié. Passez par le web ou la coordination."
    )
    report.refresh_from_db()
    assert report.claimed_by is None


def test_typos_in_long_keywords_are_forgiven(report, say):
    assert reply(say, AMINATA, f"PRNEDRE {report.reference}") == f"Veille R-{report.reference}: pris en charge."
    assert reply(say, AMINATA, f"Gravte {report.reference} 2") == f"Veille R-{report.reference}: gravité: moyenne."


def test_every_reply_is_in_the_members_language(report, say):
    Member.objects.filter(name="Aminata Guindo").update(languages="en")
    ref = report.reference
    assert reply(say, AMINATA, f"TAKE {ref}") == f"Veille R-{ref}: taken."
    assert reply(say, AMINATA, f"PRENDRE {ref}") == f"Veille R-{ref}: taken."  # the words of any language
    assert (
        reply(say, AMINATA, "hello") == "Veille: command not understood, nothing was changed. Send HELP for the list."
    )
    Member.objects.filter(name="Aminata Guindo").update(languages="bm,fr")
    assert reply(say, AMINATA, f"GRAVITE {ref} 3") == f"Veille R-{ref}: a juguya: ka bon."


def test_a_coordinator_triages_and_answers_alerts(report, say):
    assert reply(say, MARIAM, f"PRENDRE {report.reference}") == f"Veille R-{report.reference}: pris en charge."
    assert reply(say, MARIAM, "AIDE").startswith("Veille: commandes des relais (AIDE RELAIS)")
    assert reply(say, MARIAM, "AIDE RELAIS").startswith("Veille: PRENDRE LIBERER")
    assert reply(say, MARIAM, "OK") == "Veille: aucune alerte ouverte. Rien n'a été modifié."


def test_reads_are_recorded_once_per_part_and_never_store_the_words(report, say, settings):
    settings.RELAY_SMS_READ = True
    say(AMINATA, f"LIRE {report.reference}")
    assert all("hommes" not in event.detail for event in ReportEvent.objects.all())
