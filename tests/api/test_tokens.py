"""API tokens: issued only from a verified staff session on a fresh code, stored as a
digest, scoped, expiring, revocable; nothing of the API answers on a public path."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.services import token_digest

pytestmark = pytest.mark.django_db


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_only_the_digest_is_kept(token_for):
    token, record = token_for("Aminata Guindo")

    assert record.digest == token_digest(token) and token not in record.digest
    stored = list(ApiToken.objects.values_list("digest", "prefix", "name", "scopes"))
    assert not any(token in value for row in stored for value in row)


def test_a_live_token_reads_and_a_wrong_one_is_401(token_for, reports):
    token, _ = token_for("Aminata Guindo")

    assert bearer(token).get("/api/v1/reports/").status_code == 200
    assert bearer(token + "x").get("/api/v1/reports/").status_code == 401
    assert Client().get("/api/v1/reports/").status_code in {401, 403}


def test_an_expired_token_is_refused(token_for, reports):
    token, record = token_for("Aminata Guindo")
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert bearer(token).get("/api/v1/reports/").status_code == 401


def test_a_revoked_token_is_refused(token_for, reports):
    token, record = token_for("Aminata Guindo")
    ApiToken.objects.filter(pk=record.pk).update(revoked_at=timezone.now())

    assert bearer(token).get("/api/v1/reports/").status_code == 401


def test_a_disabled_member_s_token_is_refused(token_for, reports):
    token, record = token_for("Aminata Guindo")
    record.member.is_active = False
    record.member.save(update_fields=["is_active"])

    assert bearer(token).get("/api/v1/reports/").status_code == 401


def test_a_read_token_cannot_triage_and_a_triage_token_cannot_close(token_for, reports):
    boni, _ = reports
    read, _ = token_for("Aminata Guindo", ["read"])
    triage, _ = token_for("Aminata Guindo", ["triage"])

    assert bearer(read).post(f"/api/v1/reports/{boni.pk}/claim/", {}, "application/json").status_code == 403
    closing = bearer(triage).post(f"/api/v1/reports/{boni.pk}/close/", {"reason": "resolved"}, "application/json")
    assert closing.status_code == 403
    boni.refresh_from_db()
    assert boni.claimed_by_id is None and boni.status != "closed"


def test_forward_and_close_tokens_expire_within_hours(token_for):
    _, daily = token_for("Aminata Guindo", ["read", "triage"])
    _, closing = token_for("Aminata Guindo", ["forward_close"])

    assert closing.expires_at - closing.created_at == timedelta(hours=settings.API_TOKEN_FORWARD_CLOSE_HOURS)
    assert closing.expires_at - closing.created_at <= timedelta(hours=24)
    assert daily.expires_at - daily.created_at == timedelta(days=settings.API_TOKEN_DAYS)
    assert closing.scope_set == {"read", "forward_close"}


def test_no_token_is_accepted_on_a_public_path(token_for, reports):
    """The reporter's pages run no API authentication: a token there opens nothing and
    starts no session."""
    token, record = token_for("Aminata Guindo")

    response = bearer(token).get("/")

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    record.refresh_from_db()
    assert record.last_used_at is None  # never even looked up


def test_a_session_without_a_verified_second_factor_is_refused(client, deployment):
    from django.contrib.auth import get_user_model

    from focal_points.models import Member

    member = Member.objects.get(name="Aminata Guindo")
    member.user = get_user_model().objects.create_user("nootp", password="x" * 24)
    member.save(update_fields=["user"])
    client.force_login(member.user)  # password only, no code

    assert client.get("/api/v1/reports/").status_code in {401, 403}


def test_a_verified_session_reads_but_closes_only_on_a_fresh_code(staff_client, reports):
    boni, _ = reports
    client = staff_client("Mariam Traoré")
    assert client.get("/api/v1/reports/").status_code == 200

    session = client.session
    session["veille_code_at"] = int(time.time()) - settings.STAFF_REAUTH_SECONDS - 60
    session.save()
    response = client.post(f"/api/v1/reports/{boni.pk}/close/", {"reason": "resolved"}, "application/json")

    assert response.status_code == 403
    boni.refresh_from_db()
    assert boni.status != "closed"


def test_issuing_asks_a_fresh_code_and_shows_the_token_once(staff_client, deployment):
    client = staff_client("Aminata Guindo")
    session = client.session
    session["veille_code_at"] = int(time.time()) - settings.STAFF_REAUTH_SECONDS - 60
    session.save()

    prompt = client.post("/staff/api-tokens/", {"name": "outil", "scope": ["read"]})
    assert ApiToken.objects.count() == 0 and "Confirmer avec votre code" in prompt.content.decode()

    session = client.session
    session["veille_code_at"] = int(time.time())
    session.save()
    page = client.post("/staff/api-tokens/", {"name": "outil", "scope": ["read", "triage"]}).content.decode()
    token = re.search(r'<code class="token">(vt_[\w-]+)</code>', page).group(1)
    assert ApiToken.objects.get().digest == token_digest(token)
    assert bearer(token).get("/api/v1/reports/").status_code == 200

    listing = client.get("/staff/api-tokens/").content.decode()
    assert token not in listing and ApiToken.objects.get().prefix in listing


def test_a_member_revokes_their_own_token_on_the_page(staff_client, token_for, reports):
    token, record = token_for("Aminata Guindo")
    _, other = token_for("Mariam Traoré")
    client = staff_client("Aminata Guindo")

    client.post(f"/staff/api-tokens/{other.pk}/revoke/")
    client.post(f"/staff/api-tokens/{record.pk}/revoke/")

    other.refresh_from_db()
    assert other.revoked_at is None  # not theirs
    assert bearer(token).get("/api/v1/reports/").status_code == 401


def test_tokens_are_listed_and_revoked_in_the_admin(staff_client, token_for):
    _, record = token_for("Aminata Guindo")
    admin = staff_client("Ibrahim Keita", superuser=True)

    assert record.prefix in admin.get("/admin/api/apitoken/").content.decode()
    admin.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.revoked_at is not None
    assert admin.get("/admin/api/apitoken/add/").status_code == 403
