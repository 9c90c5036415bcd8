"""Forwarding: the relay's summary reaches the chosen focal points in one SMS segment;
a report about a force never reaches that force, whatever a relay clicks (scenario 2)."""

from __future__ import annotations

import pytest

from alerts.models import Alert, AlertEventKind
from alerts.services import ForwardError, alert_forward
from alerts.texts import alert_sms
from focal_points.models import Category, Member
from places.models import Commune
from reporting import triage
from reporting.models import Report, ReportStatus
from reporting.services import PlaceChoice, report_submit
from veille.gsm7 import is_gsm7, segment_count

pytestmark = pytest.mark.django_db


def triaged(commune: str, category: str, relay: str, *, accused: str = "") -> Report:
    place = PlaceChoice(commune_id=Commune.objects.get(name=commune).pk)
    report = report_submit(channel="sms", category=category, description="mots de l'auteur", place=place).report
    member = Member.objects.get(name=relay)
    triage.report_classify(member=member, report_id=report.pk, severity="critical", accused_force=accused)
    triage.report_summarise(member=member, report_id=report.pk, summary="Attaque armee au marche, trois blesses.")
    return report


def ids(*names: str) -> list[int]:
    return list(Member.objects.filter(name__in=names).values_list("pk", flat=True))


def test_it_forwards_the_summary_never_the_reporters_words(deployment, outbox, django_capture_on_commit_callbacks):
    report = triaged("Dangol-Boré", Category.ARMED_ATTACK, "Aminata Guindo")
    aminata = Member.objects.get(name="Aminata Guindo")

    with django_capture_on_commit_callbacks(execute=True):
        alerts = alert_forward(member=aminata, report_id=report.pk, focal_point_ids=ids("Adjudant Coulibaly"))

    sms = [m for m in outbox if m.to == "+22376200001"]
    assert len(alerts) == 1 and len(sms) == 1
    assert sms[0].body.startswith(f"Veille R-{report.reference} URGENT: attaque, Dangol-Boré.")
    assert "mots de l'auteur" not in sms[0].body
    assert sms[0].body.endswith(f"Répondez OK {report.reference}")
    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED
    assert alerts[0].events.get().kind == AlertEventKind.FORWARDED


def test_a_report_about_the_police_cannot_reach_the_police(deployment, outbox):
    report = triaged("Socoura", Category.FORCE_ABUSE, "Hamadoun Cissé", accused="police")
    hamadoun = Member.objects.get(name="Hamadoun Cissé")

    with pytest.raises(ForwardError, match="ne peut pas recevoir"):
        alert_forward(member=hamadoun, report_id=report.pk, focal_point_ids=ids("Inspecteur Konaté"))
    with pytest.raises(ForwardError):  # hiding the accused among others changes nothing
        alert_forward(
            member=hamadoun, report_id=report.pk, focal_point_ids=ids("Inspecteur Konaté", "Lieutenant Diarra")
        )

    assert not Alert.objects.exists()
    assert Report.objects.get(pk=report.pk).status != ReportStatus.FORWARDED
    assert all(sms.to != "+22376200004" for sms in outbox)


def test_the_forward_list_never_shows_the_accused_force(deployment, staff_client):
    report = triaged("Socoura", Category.FORCE_ABUSE, "Hamadoun Cissé", accused="police")

    page = staff_client("Hamadoun Cissé").get(f"/staff/reports/{report.pk}/").content.decode()

    assert "Lieutenant Diarra" in page
    assert "Inspecteur Konaté" not in page


def test_forwarding_through_the_page_with_a_forged_choice_is_refused(deployment, staff_client):
    report = triaged("Socoura", Category.FORCE_ABUSE, "Hamadoun Cissé", accused="police")
    client = staff_client("Hamadoun Cissé")

    response = client.post(
        f"/staff/alerts/forward/{report.pk}/", {"focal_point": ids("Inspecteur Konaté")}, follow=True
    )

    assert "ne peut pas recevoir" in response.content.decode()
    assert not Alert.objects.exists()


def test_an_unknown_accused_force_reaches_no_force(deployment):
    report = triaged("Socoura", Category.FORCE_ABUSE, "Hamadoun Cissé", accused="")

    with pytest.raises(ForwardError):
        alert_forward(
            member=Member.objects.get(name="Hamadoun Cissé"),
            report_id=report.pk,
            focal_point_ids=ids("Lieutenant Diarra"),
        )


def test_no_forward_without_a_neutral_summary(deployment):
    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    report = report_submit(channel="sms", category=Category.ARMED_ATTACK, description="x", place=place).report

    with pytest.raises(triage.TriageError, match="résumé neutre"):
        alert_forward(
            member=Member.objects.get(name="Aminata Guindo"),
            report_id=report.pk,
            focal_point_ids=ids("Adjudant Coulibaly"),
        )


def test_a_relay_of_another_area_cannot_forward(deployment):
    report = triaged("Dangol-Boré", Category.ARMED_ATTACK, "Aminata Guindo")

    with pytest.raises(triage.NotVisible):
        alert_forward(
            member=Member.objects.get(name="Hamadoun Cissé"),
            report_id=report.pk,
            focal_point_ids=ids("Adjudant Coulibaly"),
        )


def test_an_alert_that_cannot_be_delivered_is_reported_to_the_relay(
    deployment, outbox, settings, django_capture_on_commit_callbacks
):
    from alerts.models import AlertEventKind
    from messaging.models import OutboundStatus
    from messaging.services import outbound_status_update

    report = triaged("Dangol-Boré", Category.ARMED_ATTACK, "Aminata Guindo")
    aminata = Member.objects.get(name="Aminata Guindo")
    with django_capture_on_commit_callbacks(execute=True):
        (alert,) = alert_forward(member=aminata, report_id=report.pk, focal_point_ids=ids("Adjudant Coulibaly"))
    alert.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        outbound_status_update(
            provider="locmem",
            provider_message_id=alert.outbound.provider_message_id,
            status=OutboundStatus.UNDELIVERED,
            error_code="30003",
        )

    assert alert.events.filter(kind=AlertEventKind.DELIVERY_FAILED).exists()
    assert outbox[-1].to == "+22376100001"
    assert (
        outbox[-1].body == f"Veille R-{report.reference}: alerte NON remise à Adjudant Coulibaly. "
        f"Transmettez à un autre point focal (TRANSMETTRE {report.reference})."
    )


# --- the summary is never cut: its limit is what the alert's one segment leaves -------


def test_a_summary_at_its_limit_makes_a_one_segment_alert_in_every_language_and_severity(deployment):
    from reporting.texts import ALERT_SEVERITY_WORDS, CATEGORY_WORDS, LANGUAGES, alert_summary_limit

    report = triaged("Dangol-Boré", Category.ARMED_ATTACK, "Aminata Guindo")
    limit = alert_summary_limit(report)
    summary = ("é" * (limit - 1)) + "."  # accents GSM-7 has cost one septet
    assert limit >= 60  # room for a real sentence with a real commune
    for language in LANGUAGES:
        for severity in ALERT_SEVERITY_WORDS:
            for category in CATEGORY_WORDS:
                text = alert_sms(
                    reference=report.reference,
                    severity=severity,
                    category=category,
                    place=report.place_label,
                    summary=summary,
                    language=language,
                )
                assert is_gsm7(text) and segment_count(text) == 1, (language, severity, category)
                assert summary in text  # whole, never cut


def test_the_105_character_summary_is_refused_not_cut(deployment):
    report = triaged("Dangol-Boré", Category.ARMED_ATTACK, "Aminata Guindo")
    long_summary = (
        "2 à 5 personnes touchées au marché de Boni, hommes armés à moto venus du nord, partis vers Hombori à midi."
    )
    assert len(long_summary) >= 105

    with pytest.raises(triage.TriageError, match="trop long pour le SMS d'alerte"):
        triage.report_summarise(
            member=Member.objects.get(name="Aminata Guindo"), report_id=report.pk, summary=long_summary
        )
    report.refresh_from_db()
    assert report.summary == "Attaque armee au marche, trois blesses."


def test_an_old_summary_too_long_for_the_alert_is_refused_at_forwarding(deployment, outbox):
    report = triaged("Dangol-Boré", Category.ARMED_ATTACK, "Aminata Guindo")
    Report.objects.filter(pk=report.pk).update(summary="mot " * 40)  # written before the limit existed

    with pytest.raises(ForwardError, match="trop long"):
        alert_forward(
            member=Member.objects.get(name="Aminata Guindo"),
            report_id=report.pk,
            focal_point_ids=ids("Adjudant Coulibaly"),
        )
    assert not Alert.objects.exists() and outbox == []


def test_the_alert_is_in_the_focal_points_language(deployment, outbox, django_capture_on_commit_callbacks):
    report = triaged("Dangol-Boré", Category.ARMED_ATTACK, "Aminata Guindo")
    Member.objects.filter(name="Adjudant Coulibaly").update(languages="en,fr")

    with django_capture_on_commit_callbacks(execute=True):
        alert_forward(
            member=Member.objects.get(name="Aminata Guindo"),
            report_id=report.pk,
            focal_point_ids=ids("Adjudant Coulibaly"),
        )

    (sms,) = [m for m in outbox if m.to == "+22376200001"]
    assert sms.body == (
        f"Veille R-{report.reference} URGENT: attack, Dangol-Boré. Attaque armee au marche, trois blesses. "
        f"Reply OK {report.reference}"
    )
