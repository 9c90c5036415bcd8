"""Schemathesis against the served OpenAPI schema, through the Django WSGI app, with a
valid token of a national coordinator holding every scope: no 5xx, and every response
matches the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["read", "triage", "forward_close"]


@pytest.fixture
def token(token_for, reports):
    value, _ = token_for("Ibrahim Keita", ALL_SCOPES)
    return value


@pytest.fixture
def api_schema(token):
    from django.core import signals
    from django.db import close_old_connections
    from django.test import Client

    served = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/schema/?format=json")
    assert served.status_code == 200
    # As Django's test client does (after it, since it reconnects them): the WSGI app
    # must not close the test's connection (one transaction, rolled back at the end).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    loaded = schemathesis.openapi.from_dict(served.json())
    loaded.app = get_wsgi_application()
    yield loaded
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_api_keeps_its_schema(api_schema, token):
    """Every operation, a dozen generated cases each (derandomised: the run repeats)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def run(case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        run()
