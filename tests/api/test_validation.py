"""Bad input is a 400 that names the field, before any service runs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

TRIAGE = ["read", "triage", "forward_close"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=bogus", "status"),
        ("category=nope", "category"),
        ("age=2y", "age"),
        ("page=0", "page"),
        ("place=x", "place"),
    ],
)
def test_bad_filters_name_the_field(api_client, reports, query, field):
    response = api_client("Mariam Traoré").get(f"/api/v1/reports/?{query}")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("verify", {"verification": "sure"}, "verification"),
        ("classify", {"category": "weather"}, "category"),
        ("classify", {"accused_force": "army of one"}, "accused_force"),
        ("summarise", {}, "summary"),
        ("redact", {"passage": ""}, "passage"),
        ("link", {"other": "abc"}, "other"),
        ("close", {"reason": "bored"}, "reason"),
        ("forward", {"focal_points": []}, "focal_points"),
        ("ask", {"question": "x" * 301}, "question"),
    ],
)
def test_bad_action_input_names_the_field_and_changes_nothing(api_client, reports, action, body, field):
    boni, _ = reports
    before = list(boni.events.values_list("kind", flat=True))

    response = api_client("Mariam Traoré", TRIAGE).post(
        f"/api/v1/reports/{boni.pk}/{action}/", body, content_type="application/json"
    )

    assert response.status_code == 400 and field in response.json()
    assert list(boni.events.values_list("kind", flat=True)) == before


def test_bad_response_time_grouping_names_the_field(api_client, reports):
    response = api_client("Mariam Traoré").get("/api/v1/response-times/?by=colour&days=999")
    assert response.status_code == 400 and {"by", "days"} <= set(response.json())


def test_a_bad_alert_step_names_the_field(api_client, reports):
    from alerts.models import Alert

    boni, _ = reports
    from focal_points.models import Member

    fp = Member.objects.get(name="Adjudant Coulibaly")
    alert = Alert.objects.create(
        report=boni,
        focal_point=fp,
        forwarded_by=Member.objects.get(name="Aminata Guindo"),
        reference="K7MA",
        category="armed_attack",
        severity="high",
        place="Boni",
    )
    response = api_client("Adjudant Coulibaly", TRIAGE).post(
        f"/api/v1/alerts/{alert.pk}/step/", {"step": "teleported"}, content_type="application/json"
    )
    assert response.status_code == 400 and "step" in response.json()
    ok = api_client("Adjudant Coulibaly", TRIAGE).post(
        f"/api/v1/alerts/{alert.pk}/step/", {"step": "acknowledged"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    assert [e["kind"] for e in ok.json()["events"]][-1] == "acknowledged"
