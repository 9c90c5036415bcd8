"""The conflict-of-interest rule kept for good: every force ever accused on a report, by
the resident's choice or a relay's classification, never receives it, whatever later
edits say. Clearing an accusation or leaving "abuse by forces" takes a second
coordinator's approval; members routed a report for oversight or support read it but
neither reclassify nor forward it. Tested as a role x action matrix at the service layer."""

from __future__ import annotations

import pytest

from alerts.models import Alert
from alerts.services import alert_forward
from focal_points.models import Category, Member
from places.models import Commune
from reporting import accusations, triage
from reporting.models import (
    AccusationClearance,
    ClearanceStatus,
    Report,
    ReportAccusation,
    ReportEvent,
    ReportEventKind,
    ReportRecipient,
)
from reporting.services import PlaceChoice, report_submit

pytestmark = pytest.mark.django_db

RELAY, COORDINATOR, NATIONAL = "Hamadoun Cissé", "Mariam Traoré", "Ibrahim Keita"
OVERSIGHT, SUPPORT, MEDIATOR = "Awa Sangaré", "Kadiatou Bah", "Moussa Dicko"
POLICE, ARMY = "Inspecteur Konaté", "Lieutenant Diarra"


def member(name: str) -> Member:
    return Member.objects.get(name=name)


@pytest.fixture
def complaint(deployment) -> Report:
    """A resident's complaint about the police in Socoura, triaged by the area's relay; the
    support officer has it too (as after a referral with consent)."""
    place = PlaceChoice(commune_id=Commune.objects.get(name="Socoura").pk)
    report = report_submit(
        channel="web", category=Category.FORCE_ABUSE, description="des policiers ont frappe", place=place
    ).report
    relay = member(RELAY)
    triage.report_classify(member=relay, report_id=report.pk, severity="high", accused_force="police")
    triage.report_summarise(member=relay, report_id=report.pk, summary="Violences signalees lors d'un controle.")
    triage.report_release(member=relay, report_id=report.pk)
    ReportRecipient.objects.create(
        report=report, member=member(SUPPORT), rule="referral", audience="support", level="region"
    )
    return report


def _clearance(report: Report, by: str = RELAY) -> AccusationClearance:
    triage.report_classify(member=member(by), report_id=report.pk, category=Category.ARMED_ATTACK)
    triage.report_release(member=member(by), report_id=report.pk)
    return AccusationClearance.objects.get(report=report, force="", status=ClearanceStatus.PENDING)


ACTIONS = {
    "read": lambda m, r: triage.report_read(member=m, report_id=r.pk),
    "reclassify as armed attack": lambda m, r: triage.report_classify(
        member=m, report_id=r.pk, category=Category.ARMED_ATTACK
    ),
    "clear the accused force": lambda m, r: triage.report_classify(member=m, report_id=r.pk, accused_force=""),
    "forward to the accused force": lambda m, r: alert_forward(
        member=m, report_id=r.pk, focal_point_ids=[member(POLICE).pk]
    ),
    "forward to another force": lambda m, r: alert_forward(member=m, report_id=r.pk, focal_point_ids=[member(ARMY).pk]),
    "approve a relay's clearance": lambda m, r: accusations.clearance_decide(
        member=m, report_id=r.pk, clearance_id=_clearance(r).pk, approve=True
    ),
}
# ok: done (for the two edits that need a second person: asked, nothing changed yet);
# refused: an error the member reads; hidden: 404 (the member may not even see it).
H, OK, NO = "hidden", "ok", "refused"
MATRIX = {
    #              read reclass clear fwd-accused fwd-other approve
    RELAY: (OK, OK, OK, NO, OK, NO),
    COORDINATOR: (OK, OK, OK, NO, OK, OK),
    NATIONAL: (OK, OK, OK, NO, OK, OK),
    OVERSIGHT: (OK, NO, NO, NO, NO, NO),
    SUPPORT: (OK, NO, NO, NO, NO, NO),
    MEDIATOR: (H, H, H, H, H, H),
    POLICE: (H, H, H, H, H, H),
}


def _outcome(action, who: Member, report: Report) -> str:
    try:
        action(who, report)
    except (triage.NotVisible, accusations.ClearanceNotVisible):
        return H
    except (triage.TriageError, accusations.ClearanceError):
        return NO
    return OK


@pytest.mark.parametrize("name", list(MATRIX))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_action_matrix(complaint, name, action):
    expected = MATRIX[name][list(ACTIONS).index(action)]
    if action == "approve a relay's clearance" and name == RELAY:
        expected = NO  # the relay asked for it: a second person must decide

    outcome = _outcome(ACTIONS[action], member(name), complaint)

    assert outcome == expected
    complaint.refresh_from_db()
    # Whoever did whatever, the police never got it and its accusation still stands.
    assert not Alert.objects.filter(focal_point__name=POLICE).exists()
    assert "police" in accusations.accused_forces(report=complaint)
    if action != "approve a relay's clearance" or outcome != OK:
        assert complaint.category == Category.FORCE_ABUSE and complaint.accused_force == "police"


def test_the_attack_of_the_issue_is_refused(complaint):
    """A relay of the area clears the force, reclassifies as an armed attack, forwards to
    the police: refused, and the edits wait for a coordinator."""
    relay = member(RELAY)
    triage.report_classify(member=relay, report_id=complaint.pk, accused_force="", category=Category.ARMED_ATTACK)

    with pytest.raises(triage.TriageError):
        alert_forward(member=relay, report_id=complaint.pk, focal_point_ids=[member(POLICE).pk])

    complaint.refresh_from_db()
    assert (complaint.category, complaint.accused_force) == (Category.FORCE_ABUSE, "police")
    assert set(AccusationClearance.objects.values_list("force", "status")) == {("", "pending"), ("police", "pending")}


def test_edits_of_the_fields_do_not_undo_the_history(complaint):
    """Even fields changed behind the services' back (a script, the database): the rows
    of the accusations decide."""
    Report.objects.filter(pk=complaint.pk).update(category=Category.ARMED_ATTACK, accused_force="")

    with pytest.raises(triage.TriageError):
        alert_forward(member=member(RELAY), report_id=complaint.pk, focal_point_ids=[member(POLICE).pk])
    assert ReportAccusation.objects.filter(report=complaint).count() == 2  # the resident's, the relay's


def test_every_force_ever_named_stays_out(complaint):
    relay = member(RELAY)
    triage.report_classify(member=relay, report_id=complaint.pk, accused_force="army")

    complaint.refresh_from_db()
    assert complaint.accused_force == "army"
    assert accusations.accused_forces(report=complaint) == {"police", "army"}
    for focal in (POLICE, ARMY):
        with pytest.raises(triage.TriageError):
            alert_forward(member=relay, report_id=complaint.pk, focal_point_ids=[member(focal).pk])


def test_the_residents_choice_alone_keeps_every_force_out(deployment):
    place = PlaceChoice(commune_id=Commune.objects.get(name="Socoura").pk)
    report = report_submit(channel="ussd", category=Category.FORCE_ABUSE, place=place).report
    relay = member(RELAY)
    triage.report_classify(member=relay, report_id=report.pk, severity="high", category=Category.ROBBERY)
    triage.report_summarise(member=relay, report_id=report.pk, summary="Vol signale, auteurs inconnus.")

    accusation = ReportAccusation.objects.get(report=report)
    assert (accusation.force, accusation.source) == ("", "resident")
    for focal in (POLICE, ARMY):
        with pytest.raises(triage.TriageError):
            alert_forward(member=relay, report_id=report.pk, focal_point_ids=[member(focal).pk])


def test_a_coordinator_cannot_approve_their_own_request(complaint):
    clearance = _clearance(complaint, by=COORDINATOR)

    with pytest.raises(accusations.ClearanceError, match="second"):
        accusations.clearance_decide(
            member=member(COORDINATOR), report_id=complaint.pk, clearance_id=clearance.pk, approve=True
        )


def test_an_approved_category_clearance_moves_the_report_but_the_named_force_stays_out(complaint):
    clearance = _clearance(complaint)

    accusations.clearance_decide(
        member=member(COORDINATOR), report_id=complaint.pk, clearance_id=clearance.pk, approve=True
    )

    complaint.refresh_from_db()
    assert complaint.category == Category.ARMED_ATTACK
    kinds = list(ReportEvent.objects.filter(report=complaint).values_list("kind", flat=True))
    assert ReportEventKind.CLEARANCE_ASKED in kinds and ReportEventKind.CLEARANCE_APPROVED in kinds
    alerts = alert_forward(member=member(RELAY), report_id=complaint.pk, focal_point_ids=[member(ARMY).pk])
    assert len(alerts) == 1
    with pytest.raises(triage.TriageError):
        alert_forward(member=member(RELAY), report_id=complaint.pk, focal_point_ids=[member(POLICE).pk])


def test_a_force_cleared_by_two_people_may_receive_it_until_accused_again(complaint):
    relay = member(RELAY)
    triage.report_classify(member=relay, report_id=complaint.pk, accused_force="army")
    police = AccusationClearance.objects.get(report=complaint, force="police")
    accusations.clearance_decide(member=member(NATIONAL), report_id=complaint.pk, clearance_id=police.pk, approve=True)

    assert accusations.accused_forces(report=complaint) == {"army"}
    triage.report_classify(member=relay, report_id=complaint.pk, accused_force="police")

    assert accusations.accused_forces(report=complaint) == {"army", "police"}


def test_a_refused_clearance_changes_nothing(complaint):
    clearance = _clearance(complaint)

    accusations.clearance_decide(
        member=member(COORDINATOR), report_id=complaint.pk, clearance_id=clearance.pk, approve=False
    )

    complaint.refresh_from_db()
    assert complaint.category == Category.FORCE_ABUSE
    assert ReportEvent.objects.filter(report=complaint, kind=ReportEventKind.CLEARANCE_REFUSED).count() == 1
    with pytest.raises(accusations.ClearanceError):
        accusations.clearance_decide(
            member=member(NATIONAL), report_id=complaint.pk, clearance_id=clearance.pk, approve=True
        )


def test_a_coordinator_approves_on_the_report_page(complaint, staff_client):
    clearance = _clearance(complaint)
    client = staff_client(COORDINATOR)

    page = client.get(f"/staff/reports/{complaint.pk}/").content.decode()
    assert f'action="clearance/{clearance.pk}/"' in page and "police" in page
    client.post(f"/staff/reports/{complaint.pk}/clearance/{clearance.pk}/", {"decision": "approve"})

    complaint.refresh_from_db()
    assert complaint.category == Category.ARMED_ATTACK


def test_a_hidden_report_s_clearance_is_a_404(complaint, staff_client):
    clearance = _clearance(complaint)

    response = staff_client("Aminata Guindo").post(
        f"/staff/reports/{complaint.pk}/clearance/{clearance.pk}/", {"decision": "approve"}
    )

    assert response.status_code == 404
    clearance.refresh_from_db()
    assert clearance.status == ClearanceStatus.PENDING


def test_the_relay_is_told_that_the_change_waits_for_a_coordinator(complaint, staff_client):
    client = staff_client(RELAY)

    response = client.post(f"/staff/reports/{complaint.pk}/classify/", {"accused_force": ""}, follow=True)

    assert "attend l&#x27;accord d&#x27;un·e second·e coordinateur·rice" in response.content.decode()
