"""The providers' SMS webhooks leave the middleware chain after the privacy and security
middleware (veille/fastpath.py); every other path goes through all of it."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.conftest import TwilioPhone

pytestmark = pytest.mark.django_db


def test_the_sms_webhook_takes_the_short_way_and_keeps_the_security_headers(client, gazetteer, outbox):
    response = TwilioPhone(client, "+22376123456").send("attaque a Boni")

    assert response.status_code == 200
    request = response.wsgi_request
    # Past the session, user and message middleware: none of them saw the request.
    assert not hasattr(request, "session")
    assert not hasattr(request, "user")
    assert request.resolver_match.url_name == "twilio-sms"
    # What still ran: the security headers, the frame policy, a length for keep-alive.
    assert response["Content-Security-Policy"] == settings.VEILLE_CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Length"] == str(len(response.content))
    assert "Set-Cookie" not in response


def test_other_paths_go_through_the_whole_chain(client):
    response = client.get("/report/")

    assert hasattr(response.wsgi_request, "session")
    assert hasattr(response.wsgi_request, "user")
    assert response["X-Frame-Options"] == "DENY"


def test_an_error_in_a_fast_path_view_is_still_a_response(client, settings):
    settings.SMS_PROVIDERS = ["android"]  # Twilio not enabled here: its view raises Http404

    response = client.post("/channels/twilio/sms/", {"MessageSid": "SM" + "0" * 32})

    assert response.status_code == 404
    assert response["Content-Security-Policy"]
