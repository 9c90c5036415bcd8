"""The role × endpoint matrix of the staff API: the same visibility as the pages
(tests/staff/test_permissions.py), from reporting.access, on every endpoint."""

from __future__ import annotations

import pytest

from reporting.models import ReportEventKind, StaffRead, StaffReadView

pytestmark = pytest.mark.django_db

# member: (sees Boni attack, sees Sévaré abuse complaint, reads response times)
MATRIX = {
    "Aminata Guindo": (True, False, False),  # relay, Boni
    "Hamadoun Cissé": (False, True, False),  # relay, Mopti/Socoura
    "Mariam Traoré": (True, True, True),  # regional coordinator
    "Ibrahim Keita": (True, True, True),  # national coordination
    "Adjudant Coulibaly": (False, False, False),  # gendarmerie focal point: alerts only
    "Inspecteur Konaté": (False, False, False),  # police focal point, the accused force
    "Awa Sangaré": (False, True, False),  # oversight: the abuse complaint was routed to her
    "Moussa Dicko": (False, False, False),  # mediator
    "Kadiatou Bah": (False, False, False),  # support service: only with consent
}
ALL_SCOPES = ["read", "triage", "forward_close"]


@pytest.mark.parametrize("name", list(MATRIX))
def test_the_report_list_holds_exactly_what_the_role_may_see(api_client, reports, name):
    boni, sevare = reports
    body = api_client(name).get("/api/v1/reports/?status=all").json()

    refs = {r["reference"] for r in body["results"]}
    assert (boni.reference in refs, sevare.reference in refs) == MATRIX[name][:2]
    assert body["count"] == len(refs)
    # No reporter's text in a list, and the time at the hour only.
    assert all("description" not in r and r["received_hour"][14:19] == "00:00" for r in body["results"])


@pytest.mark.parametrize("name", list(MATRIX))
def test_report_detail_is_404_when_not_visible_and_records_the_read(api_client, reports, name):
    client = api_client(name)
    codes = tuple(client.get(f"/api/v1/reports/{r.pk}/").status_code for r in reports)

    assert codes == tuple(200 if seen else 404 for seen in MATRIX[name][:2])
    for report, seen in zip(reports, MATRIX[name][:2], strict=True):
        assert report.events.filter(kind=ReportEventKind.READ).exists() == seen


@pytest.mark.parametrize("name", list(MATRIX))
def test_response_times_are_for_coordinators_only(api_client, reports, name):
    response = api_client(name).get("/api/v1/response-times/?by=category&days=7")

    assert response.status_code == (200 if MATRIX[name][2] else 404)
    if MATRIX[name][2]:
        assert sum(row["reports"] for row in response.json()) == sum(MATRIX[name][:2])


@pytest.mark.parametrize("name", list(MATRIX))
def test_alerts_and_places_answer_every_member(api_client, reports, name):
    client = api_client(name)
    assert client.get("/api/v1/alerts/").status_code == 200
    places = client.get("/api/v1/places/").json()
    assert any(p["name"] == "Socoura" for p in places)


ACTION_INPUT = {
    "claim": {},
    "release": {},
    "verify": {"verification": "corroborated"},
    "classify": {"severity": "high"},
    "redact": {"passage": "policiers"},
    "summarise": {"summary": "Violence signalée"},
    "ask": {"question": "Combien de blessés ?"},
    "link": {"other": 1},
    "consent": {},
    "refer": {},
    "close": {"reason": "resolved"},
    "forward": {"focal_points": [1]},
}


@pytest.mark.parametrize("action", list(ACTION_INPUT))
@pytest.mark.parametrize("name", ["Inspecteur Konaté", "Aminata Guindo", "Moussa Dicko"])
def test_actions_on_an_invisible_report_are_404_and_change_nothing(api_client, reports, name, action):
    _, sevare = reports
    before = (sevare.status, sevare.category, sevare.severity, sevare.claimed_by_id)

    # Invalid input for some actions: validation must not run before visibility.
    response = api_client(name, ALL_SCOPES).post(
        f"/api/v1/reports/{sevare.pk}/{action}/", {"reason": "nope"}, content_type="application/json"
    )

    assert response.status_code == 404
    sevare.refresh_from_db()
    assert (sevare.status, sevare.category, sevare.severity, sevare.claimed_by_id) == before


def test_a_relay_triages_through_the_services_and_every_step_is_an_event(api_client, reports):
    boni, _ = reports
    client = api_client("Aminata Guindo", ["read", "triage"])

    claimed = client.post(f"/api/v1/reports/{boni.pk}/claim/", {}, content_type="application/json")
    classified = client.post(
        f"/api/v1/reports/{boni.pk}/classify/", {"severity": "high"}, content_type="application/json"
    )

    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "Aminata Guindo"
    assert classified.status_code == 200 and classified.json()["severity"] == "high"
    kinds = set(boni.events.values_list("kind", flat=True))
    assert {ReportEventKind.CLAIMED, ReportEventKind.CLASSIFIED} <= kinds


def test_every_api_list_is_recorded_in_the_trail(api_client, reports):
    boni, _ = reports
    client = api_client("Mariam Traoré")
    client.get("/api/v1/reports/?status=all")
    client.get("/api/v1/alerts/")
    client.get("/api/v1/response-times/")

    reads = StaffRead.objects.filter(view=StaffReadView.API).order_by("pk")
    assert [r.detail.split(";")[0] for r in reads] == ["reports", "alerts", "response-times"]
    assert boni.reference in reads[0].references


def test_the_inbox_filters_apply(api_client, reports):
    _, sevare = reports
    client = api_client("Mariam Traoré")

    only_abuse = client.get("/api/v1/reports/?status=all&category=force_abuse").json()

    assert [r["reference"] for r in only_abuse["results"]] == [sevare.reference]


def test_a_place_outside_the_members_areas_is_a_400_naming_place(api_client, reports):
    response = api_client("Aminata Guindo").get("/api/v1/reports/?place=region:999999")
    assert response.status_code == 400 and "place" in response.json()
