"""The relay's actions on a report, each checked against visibility and recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from focal_points.models import Category, Member
from messaging.models import ContactVaultEntry
from places.models import Commune
from reporting import triage
from reporting.access import report_likely_matches, reports_visible_to
from reporting.models import Report, ReportEventKind, ReportStatus, Verification
from reporting.services import PlaceChoice, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(deployment):
    """Give every member a user account, as staff who log in have."""
    for member in Member.objects.all():
        member.user = get_user_model().objects.create_user(username=f"u{member.pk}")
        member.save(update_fields=["user"])
    return {m.name: m for m in Member.objects.select_related("organisation")}


def web_report(commune: str, category: str = Category.ARMED_ATTACK, text: str = "attaque au marche") -> Report:
    place = PlaceChoice(commune_id=Commune.objects.get(name=commune).pk)
    return report_submit(channel="web", category=category, description=text, place=place).report


def test_a_relay_sees_only_the_reports_of_their_areas(people):
    boni = web_report("Dangol-Boré")
    sevare = web_report("Socoura")

    assert list(reports_visible_to(people["Oumar Tembely"])) == [boni]
    assert set(reports_visible_to(people["Mariam Traoré"])) == {boni, sevare}  # regional coordinator
    assert set(reports_visible_to(people["Ibrahim Keita"])) == {boni, sevare}  # national
    assert list(reports_visible_to(people["Adjudant Coulibaly"])) == []  # focal points: alerts only


def test_gbv_is_hidden_from_relays_not_trained_for_it(people):
    web_report("Dangol-Boré", Category.GBV)

    assert not reports_visible_to(people["Aminata Guindo"]).exists()
    assert reports_visible_to(people["Fatoumata Cissé"]).exists()


def test_oversight_sees_only_what_was_routed_to_it(people):
    abuse = web_report("Socoura", Category.FORCE_ABUSE)
    web_report("Socoura", Category.ROBBERY)

    assert list(reports_visible_to(people["Awa Sangaré"])) == [abuse]


def test_an_action_on_an_invisible_report_is_refused_as_not_found(people):
    sevare = web_report("Socoura")

    with pytest.raises(triage.NotVisible):
        triage.report_read(member=people["Oumar Tembely"], report_id=sevare.pk)


def test_a_claim_shows_who_holds_it_and_times_out(people, settings):
    report = web_report("Dangol-Boré")
    aminata, oumar = people["Aminata Guindo"], people["Oumar Tembely"]

    triage.report_claim(member=aminata, report_id=report.pk)
    with pytest.raises(triage.HeldByAnother, match="Aminata Guindo"):
        triage.report_claim(member=oumar, report_id=report.pk)
    Report.objects.filter(pk=report.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    triage.report_claim(member=oumar, report_id=report.pk)

    report.refresh_from_db()
    assert report.claimed_by == oumar
    assert report.status == ReportStatus.IN_REVIEW


def test_every_read_is_recorded_with_its_reader(people):
    report = web_report("Dangol-Boré")

    triage.report_read(member=people["Aminata Guindo"], report_id=report.pk)
    triage.report_read(member=people["Oumar Tembely"], report_id=report.pk)

    readers = list(report.events.filter(kind=ReportEventKind.READ).values_list("member__name", flat=True))
    assert readers == ["Aminata Guindo", "Oumar Tembely"]


def test_verification_classification_and_summary(people):
    report = web_report("Dangol-Boré", Category.OTHER, "hommes armes au marche, appelez le 76 55 44 33")
    aminata = people["Aminata Guindo"]

    triage.report_set_verification(member=aminata, report_id=report.pk, verification=Verification.VERIFIED)
    triage.report_classify(member=aminata, report_id=report.pk, category=Category.ARMED_ATTACK, severity="critical")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque en cours au marche, 76 55 44 33")

    report.refresh_from_db()
    assert (report.verification, report.category, report.severity) == ("verified", "armed_attack", "critical")
    assert "76 55 44 33" not in report.summary
    assert report.events.get(kind=ReportEventKind.CLASSIFIED).detail == "category: armed_attack; severity: critical"


def test_reclassifying_as_abuse_brings_in_oversight(people):
    report = web_report("Socoura", Category.OTHER)

    triage.report_classify(
        member=people["Hamadoun Cissé"], report_id=report.pk, category=Category.FORCE_ABUSE, accused_force="police"
    )

    assert report.recipients.filter(member=people["Awa Sangaré"]).exists()


def test_redaction_masks_the_passage_for_good(people):
    report = web_report("Dangol-Boré", text="mon voisin Moussa du quartier Est a vu les hommes")

    triage.report_redact(member=people["Aminata Guindo"], report_id=report.pk, passage="mon voisin Moussa")
    with pytest.raises(triage.TriageError, match="introuvable"):
        triage.report_redact(member=people["Aminata Guindo"], report_id=report.pk, passage="absent")

    report.refresh_from_db()
    assert report.description == "[passage masque] du quartier Est a vu les hommes"


def test_linking_groups_reports_and_matches_are_proposed(people):
    first = web_report("Dangol-Boré", text="attaque au marche de boni")
    second = web_report("Dangol-Boré", text="attaque au marche de boni ce matin")
    web_report("Socoura", text="attaque au marche")
    aminata = people["Aminata Guindo"]

    proposals = report_likely_matches(report=first, member=aminata)
    assert [r for r, _ in proposals] == [second]
    incident = triage.report_link(member=aminata, report_id=first.pk, other_id=second.pk)

    assert set(incident.reports.all()) == {first, second}
    first.refresh_from_db()
    assert report_likely_matches(report=first, member=aminata) == []


def test_asking_the_reporter_goes_through_the_vault_and_the_answer_joins(
    people, phone, outbox, django_capture_on_commit_callbacks
):
    phone.send("attaque a Hombori")
    report = Report.objects.get()
    fatoumata = people["Fatoumata Cissé"]
    Report.objects.filter(pk=report.pk).update(last_message_at=report.last_message_at - timedelta(hours=2))

    with django_capture_on_commit_callbacks(execute=True):
        triage.report_ask_reporter(member=fatoumata, report_id=report.pk, question="Combien de personnes blessees ?")
    phone.send("trois blesses")

    questions = [sms for sms in outbox if sms.body == "Veille: Combien de personnes blessees ?"]
    assert [sms.to for sms in questions] == ["+22376123456"]
    report.refresh_from_db()
    assert report.description.endswith("trois blesses")
    assert Report.objects.count() == 1


def test_a_web_reporter_cannot_be_asked(people):
    report = web_report("Dangol-Boré")

    with pytest.raises(triage.TriageError, match="USSD ou web"):
        triage.report_ask_reporter(member=people["Aminata Guindo"], report_id=report.pk, question="Ou exactement ?")


def test_closing_forgets_the_number_and_stops_further_changes(people, phone, outbox):
    phone.send("attaque a Hombori")
    report = Report.objects.get()
    fatoumata = people["Fatoumata Cissé"]

    triage.report_close(member=fatoumata, report_id=report.pk, reason="resolved")

    assert ContactVaultEntry.objects.count() == 0
    with pytest.raises(triage.TriageError, match="clôturé"):
        triage.report_summarise(member=fatoumata, report_id=report.pk, summary="Un resume assez long")
    closed = report.events.get(kind=ReportEventKind.CLOSED)
    assert (closed.to_status, closed.detail, closed.actor) == ("closed", "reason: resolved", fatoumata.user)


def test_a_reporter_who_asked_is_told_of_the_closure_in_neutral_words(
    people, phone, outbox, django_capture_on_commit_callbacks
):
    phone.send("attaque a Hombori, deux blesses")
    phone.send("PREVENIR")
    report = Report.objects.get()
    assert report.notify_on_close
    assert outbox[-1].body == "Veille: vous serez prévenu quand votre signalement sera cloturé."

    with django_capture_on_commit_callbacks(execute=True):
        triage.report_close(member=people["Fatoumata Cissé"], report_id=report.pk, reason="resolved")

    notice = outbox[-1]
    assert notice.to == "+22376123456"
    assert notice.body == "Veille: votre signalement a été traité et cloturé. Merci de votre confiance."
    assert report.events.filter(kind=ReportEventKind.INFORMED).exists()
    assert ContactVaultEntry.objects.count() == 0  # and then the number is forgotten


def test_a_reporter_who_did_not_ask_hears_nothing_at_closure(people, phone, outbox, django_capture_on_commit_callbacks):
    phone.send("attaque a Hombori")
    outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        triage.report_close(member=people["Fatoumata Cissé"], report_id=Report.objects.get().pk, reason="resolved")

    assert [sms for sms in outbox if sms.to == "+22376123456"] == []


def test_closed_reports_are_purged_after_retention_and_open_ones_never(people, settings):
    from reporting.tasks import purge_closed_reports

    old_closed = web_report("Dangol-Boré")
    old_open = web_report("Dangol-Boré")
    triage.report_close(member=people["Aminata Guindo"], report_id=old_closed.pk, reason="resolved")
    long_ago = timezone.now() - timedelta(days=settings.REPORT_RETENTION_DAYS + 1)
    Report.objects.filter(pk__in=[old_closed.pk, old_open.pk]).update(last_message_at=long_ago)
    recent_closed = web_report("Dangol-Boré")
    triage.report_close(member=people["Aminata Guindo"], report_id=recent_closed.pk, reason="false")

    purge_closed_reports()

    assert set(Report.objects.values_list("pk", flat=True)) == {old_open.pk, recent_closed.pk}
