from __future__ import annotations

import pytest

from focal_points.models import Member

pytestmark = pytest.mark.django_db


def test_the_admin_never_shows_a_members_phone(deployment, admin_otp_client):
    aminata = Member.objects.get(name="Aminata Guindo")

    page = admin_otp_client.get(f"/admin/focal_points/member/{aminata.pk}/change/").content.decode()
    listing = admin_otp_client.get("/admin/focal_points/member/").content.decode()

    for text in (page, listing):
        assert "76100001" not in text.replace(" ", "")
        assert "+22376100001" not in text


def test_the_admin_sets_a_new_phone_encrypted(deployment, admin_otp_client):
    aminata = Member.objects.get(name="Aminata Guindo")
    data = {
        "organisation": aminata.organisation_id,
        "name": aminata.name,
        "role": aminata.role,
        "languages": "fr",
        "escalation_order": 1,
        "is_active": "on",
        "new_phone": "66 55 44 33",
        "areas-TOTAL_FORMS": 0,
        "areas-INITIAL_FORMS": 0,
        "duty_slots-TOTAL_FORMS": 0,
        "duty_slots-INITIAL_FORMS": 0,
    }

    response = admin_otp_client.post(f"/admin/focal_points/member/{aminata.pk}/change/", data)

    assert response.status_code == 302
    aminata.refresh_from_db()
    assert aminata.phone == "+22366554433"


def test_the_admin_refuses_a_bad_phone(deployment, admin_otp_client):
    aminata = Member.objects.get(name="Aminata Guindo")
    data = {
        "organisation": aminata.organisation_id,
        "name": aminata.name,
        "role": aminata.role,
        "languages": "fr",
        "escalation_order": 1,
        "new_phone": "abc",
        "areas-TOTAL_FORMS": 0,
        "areas-INITIAL_FORMS": 0,
        "duty_slots-TOTAL_FORMS": 0,
        "duty_slots-INITIAL_FORMS": 0,
    }

    response = admin_otp_client.post(f"/admin/focal_points/member/{aminata.pk}/change/", data)

    assert response.status_code == 200
    assert "Ce numéro n&#x27;est pas valide." in response.content.decode()
