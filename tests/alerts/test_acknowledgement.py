"""The acknowledgement grammar as a recorded SMS table: typos, wrong references, foreign
numbers, a bare OK."""

from __future__ import annotations

import pytest

from alerts.models import Alert, AlertStatus
from alerts.services import alert_forward
from commands.router import parse_alert_command
from focal_points.models import Category, Member
from places.models import Commune
from reporting import triage
from reporting.models import Report
from reporting.services import PlaceChoice, report_submit
from tests.conftest import TwilioPhone

pytestmark = pytest.mark.django_db
COULIBALY = "+223 76 20 00 01"
DEMBELE = "+223 76 20 00 02"

TABLE = [
    ("OK K7M4", "acknowledged", "K7M4"),
    ("ok k7m4", "acknowledged", "K7M4"),
    ("Ok R-K7M4", "acknowledged", "K7M4"),
    ("OKK7M4", "acknowledged", "K7M4"),
    ("OK", "acknowledged", ""),
    ("ok.", "acknowledged", ""),
    ("EN ROUTE K7M4", "en_route", "K7M4"),
    ("en-route k7m4", "en_route", "K7M4"),
    ("enroute K7M4", "en_route", "K7M4"),
    ("On my way K7M4", "en_route", "K7M4"),
    ("SUR PLACE K7M4", "on_site", "K7M4"),
    ("surplace K7M4", "on_site", "K7M4"),
    ("Sur place", "on_site", ""),
    ("FIN K7M4", "done", "K7M4"),
    ("Terminé K7M4", "done", "K7M4"),
    ("banna K7M4", "done", "K7M4"),
]


@pytest.mark.parametrize("body, step, reference", TABLE)
def test_it_parses_the_answer(body, step, reference):
    command = parse_alert_command(body)
    assert (command.step, command.reference) == (step, reference)


@pytest.mark.parametrize("body", ["endroit dangereux", "fin de l'attaque a Boni", "okay merci beaucoup", "attaque", ""])
def test_ordinary_words_are_not_answers(body):
    assert parse_alert_command(body) is None


@pytest.fixture
def alert(deployment, django_capture_on_commit_callbacks) -> Alert:
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    report = report_submit(channel="web", category=Category.ARMED_ATTACK, description="x", place=place).report
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, severity="critical")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee au marche de Boni.")
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    with django_capture_on_commit_callbacks(execute=True):
        return alert_forward(member=aminata, report_id=report.pk, focal_point_ids=[coulibaly.pk])[0]


@pytest.fixture
def sms_from(client, django_capture_on_commit_callbacks):
    return lambda number, body: TwilioPhone(client, number, django_capture_on_commit_callbacks).send(body)


def test_a_focal_point_acknowledges_then_reports_the_response(alert, sms_from, outbox):
    ref = alert.reference
    sms_from(COULIBALY, f"ok {ref}")
    sms_from(COULIBALY, f"SUR PLACE {ref}")  # skips "en route": recorded at the same time
    sms_from(COULIBALY, f"FIN {ref}")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.DONE
    assert list(alert.events.values_list("kind", flat=True)) == [
        "forwarded",
        "acknowledged",
        "en_route",
        "on_site",
        "done",
    ]
    assert f"Veille R-{ref}: réception, c'est noté. Merci." in [m.body for m in outbox]
    assert Report.objects.count() == 1  # no answer became a report


def test_a_bare_ok_acknowledges_the_latest_open_alert(alert, sms_from):
    sms_from(COULIBALY, "OK")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED


def test_someone_elses_alert_changes_nothing_and_says_so(alert, sms_from, outbox):
    sms_from(DEMBELE, f"OK {alert.reference}")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.SENT
    assert outbox[-1].body == f"Veille: R-{alert.reference} n'est pas une de vos alertes. Rien n'a été modifié."


def test_an_unknown_number_changes_nothing_says_so_and_makes_no_report(alert, sms_from, outbox):
    sms_from("+223 66 00 00 99", f"OK {alert.reference}")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.SENT
    assert outbox[-1].body == "Veille: numéro non reconnu. Rien n'a été modifié."
    assert Report.objects.count() == 1


def test_a_residents_ok_is_an_ordinary_message(alert, sms_from, outbox):
    sms_from("+223 66 00 00 99", "ok merci")

    assert Report.objects.count() == 2


def test_a_step_backwards_is_refused(alert, sms_from, outbox):
    sms_from(COULIBALY, f"FIN {alert.reference}")
    sms_from(COULIBALY, f"OK {alert.reference}")

    assert outbox[-1].body == f"Veille: R-{alert.reference} est déjà fin. Rien n'a été modifié."


# --- A leading R: the "R-" prefix, or the first letter of the reference --------------


@pytest.mark.parametrize(
    "body, reference, alternatives",
    [
        ("OK RK7MA", "RK7MA", ("K7MA",)),
        ("OK R-K7MA", "K7MA", ()),
        ("OK r k7ma", "K7MA", ()),
        ("OK RK7MA.", "RK7MA", ("K7MA",)),
        ("OK RK7M", "RK7M", ()),  # "K7M" is too short to be a reference
        ("FIN RRK7M", "RRK7M", ("RK7M",)),
    ],
)
def test_a_leading_r_is_read_both_ways(body, reference, alternatives):
    command = parse_alert_command(body)
    assert (command.reference, command.alternatives) == (reference, alternatives)


def with_reference(alert: Alert, reference: str) -> Alert:
    Alert.objects.filter(pk=alert.pk).update(reference=reference)
    alert.refresh_from_db()
    return alert


def test_a_reference_that_starts_with_r_is_not_cut(alert, sms_from, outbox):
    alert = with_reference(alert, "RK7MA")

    sms_from(COULIBALY, "OK RK7MA")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert outbox[-1].body == "Veille R-RK7MA: réception, c'est noté. Merci."


def test_an_r_prefix_without_its_dash_still_finds_the_alert(alert, sms_from, outbox):
    alert = with_reference(alert, "K7MA")

    sms_from(COULIBALY, "EN ROUTE RK7MA")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.EN_ROUTE


def test_an_unknown_sender_quoting_a_reference_with_its_r_is_told_nothing_changed(alert, sms_from, outbox):
    alert = with_reference(alert, "RK7MA")

    sms_from("+223 66 00 00 99", "OK RK7MA")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.SENT
    assert outbox[-1].body == "Veille: numéro non reconnu. Rien n'a été modifié."
