"""The OpenAPI 3 schema is served to staff only; the docs page lists its operations and
loads nothing from elsewhere."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_for_staff_only(api_client, deployment):
    assert Client().get("/api/v1/schema/?format=json").status_code in {401, 403}

    schema = api_client("Aminata Guindo").get("/api/v1/schema/?format=json").json()

    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/reports/", "/api/v1/reports/{report_id}/close/", "/api/v1/response-times/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_docs_page_lists_the_operations_without_third_party_assets(staff_client, deployment):
    page = staff_client("Aminata Guindo").get("/api/v1/docs/").content.decode()

    assert "reports_close" in page and "/api/v1/alerts/{alert_id}/step/" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script" not in page


def test_the_docs_page_is_a_staff_page(client, deployment):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
